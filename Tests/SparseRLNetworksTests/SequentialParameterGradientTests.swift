import Testing

@testable import SparseRLNetworks
@testable import SparseRLNumerics

/// `accumulateParameterGradients(from:)` (the parameter backward without the first layer's input gradient) gives
/// exactly the parameter gradients of `backward(_, accumulateParameterGradients: true)`, for dense and sparse
/// first layers, and keeps what RigL's dense gradient needs.
@Suite struct SequentialParameterGradientTests {
  static func network(sparseFirstLayer: Bool, seed: UInt64) -> Sequential {
    var random = RandomGenerator(seed: seed)
    let mask = (0..<(32 * 7)).map { _ in random.nextDouble() >= 0.6 }
    let pattern = sparseFirstLayer ? SparsePattern(rows: 32, columns: 7, mask: mask) : nil
    return Sequential(
      Linear(inFeatures: 7, outFeatures: 32, pattern: pattern, random: &random), ReLU(),
      Linear(inFeatures: 32, outFeatures: 3, random: &random))
  }

  @Test(arguments: [false, true])
  func sameParameterGradientsAsFullBackward(sparseFirstLayer: Bool) {
    let full = Self.network(sparseFirstLayer: sparseFirstLayer, seed: 3)
    let partial = full.copy()
    var random = RandomGenerator(seed: 4)
    let x = Matrix(rows: 7, columns: 40, scalars: (0..<280).map { _ in random.uniform(-1, 1) })
    let dy = Matrix(rows: 3, columns: 40, scalars: (0..<120).map { _ in random.uniform(-1, 1) })
    for network in [full, partial] {
      network.zeroGradients()
      _ = network.forward(x)
    }
    _ = full.backward(dy, accumulateParameterGradients: true)
    partial.accumulateParameterGradients(from: dy)
    for (a, b) in zip(full.parameters, partial.parameters) {
      #expect(a.gradient.map(\.bitPattern) == b.gradient.map(\.bitPattern), "\(a.name)")
      #expect(a.gradient.contains { $0 != 0 }, "\(a.name) got no gradient")
    }
    let first = { (network: Sequential) in (network.layers[0] as! Linear).denseWeightGradient().scalars }
    #expect(first(full) == first(partial))
  }
}
