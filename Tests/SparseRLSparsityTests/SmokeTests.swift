import Testing

@testable import SparseRLSparsity
