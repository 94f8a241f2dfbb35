import Testing

@testable import SparseRLNetworks
@testable import SparseRLNumerics

/// `Sequential` runs a `Linear` and the `ReLU` after it as one forward pass, and a `Linear` and the `ReLU` before
/// it as one backward pass: outputs, input gradients and parameter gradients are bit-identical to the layers' own
/// passes one after the other, for sparse, dense-fallback and dense weights, on repeated passes with new inputs.
@Suite struct SequentialFusionTests {
  /// Sparse (90%), dense-fallback (30% sparse, multiplied through the dense scratch) and dense hidden layers.
  static func layers(startingWithReLU: Bool, seed: UInt64) -> [any Layer] {
    var random = RandomGenerator(seed: seed)
    func pattern(_ rows: Int, _ columns: Int, sparsity: Double) -> SparsePattern {
      SparsePattern(
        rows: rows, columns: columns, mask: (0..<(rows * columns)).map { _ in random.nextDouble() >= sparsity })
    }
    let first = pattern(48, 7, sparsity: 0.9)
    let second = pattern(48, 48, sparsity: 0.3)
    let hidden: [any Layer] = [
      Linear(inFeatures: 7, outFeatures: 48, pattern: first, random: &random), ReLU(),
      Linear(inFeatures: 48, outFeatures: 48, pattern: second, random: &random), ReLU(),
      Linear(inFeatures: 48, outFeatures: 48, random: &random), ReLU(),
      Linear(inFeatures: 48, outFeatures: 3, random: &random), Tanh(),
    ]
    return startingWithReLU ? [ReLU()] + hidden : hidden
  }

  /// The layers' own passes, one after the other (no fusion).
  static func layerByLayer(_ network: Sequential, _ x: Matrix, _ dy: Matrix) -> (Matrix, Matrix) {
    var output = x
    for layer in network.layers { output = layer.forward(output) }
    var gradient = dy
    for layer in network.layers.reversed() { gradient = layer.backward(gradient, accumulateParameterGradients: true) }
    return (output, gradient)
  }

  static func bits(_ m: Matrix) -> [UInt32] { m.scalars.map(\.bitPattern) }

  @Test(arguments: [false, true], [5, 100])
  func fusedPassesMatchLayerByLayerBitForBit(startingWithReLU: Bool, batch: Int) {
    let fused = Sequential(Self.layers(startingWithReLU: startingWithReLU, seed: 5))
    let reference = fused.copy()
    var random = RandomGenerator(seed: 6)
    for pass in 0..<2 {
      // Negative inputs too, so the ReLUs cut.
      let x = Matrix(rows: 7, columns: batch, scalars: (0..<(7 * batch)).map { _ in random.uniform(-2, 2) })
      let dy = Matrix(rows: 3, columns: batch, scalars: (0..<(3 * batch)).map { _ in random.uniform(-1, 1) })
      fused.zeroGradients()
      reference.zeroGradients()
      let output = fused.forward(x)
      let inputGradient = fused.backward(dy, accumulateParameterGradients: true)
      let (expectedOutput, expectedInputGradient) = Self.layerByLayer(reference, x, dy)
      #expect(Self.bits(output) == Self.bits(expectedOutput), "pass \(pass)")
      #expect(Self.bits(inputGradient) == Self.bits(expectedInputGradient), "pass \(pass)")
      #expect(inputGradient.scalars.contains(0) && inputGradient.scalars.contains { $0 != 0 })
      for (a, b) in zip(fused.parameters, reference.parameters) {
        #expect(a.gradient.map(\.bitPattern) == b.gradient.map(\.bitPattern), "\(a.name), pass \(pass)")
      }
    }
  }

  /// The parameter-only backward (no first-layer input gradient) through fused pairs gives the same gradients.
  @Test func parameterBackwardThroughFusedPairsMatchesLayerByLayer() {
    let fused = Sequential(Self.layers(startingWithReLU: false, seed: 7))
    let reference = fused.copy()
    var random = RandomGenerator(seed: 8)
    let x = Matrix(rows: 7, columns: 70, scalars: (0..<490).map { _ in random.uniform(-2, 2) })
    let dy = Matrix(rows: 3, columns: 70, scalars: (0..<210).map { _ in random.uniform(-1, 1) })
    _ = fused.forward(x)
    fused.accumulateParameterGradients(from: dy)
    _ = Self.layerByLayer(reference, x, dy)
    for (a, b) in zip(fused.parameters, reference.parameters) {
      #expect(a.gradient.map(\.bitPattern) == b.gradient.map(\.bitPattern), "\(a.name)")
      #expect(a.gradient.contains { $0 != 0 }, "\(a.name) got no gradient")
    }
  }
}
