import Testing

@testable import SparseRLNetworks
