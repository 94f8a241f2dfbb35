import Testing

@testable import SparseRLEnvironments
