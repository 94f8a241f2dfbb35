import SparseRLNumerics
import Testing

@testable import SparseRLNetworks

/// A random pattern with about `density` of the entries active (at least one).
func randomPattern(rows: Int, columns: Int, density: Double, random: inout RandomGenerator) -> SparsePattern {
  var mask = (0..<(rows * columns)).map { _ in random.nextDouble() < density }
  if !mask.contains(true) { mask[0] = true }
  return SparsePattern(rows: rows, columns: columns, mask: mask)
}

/// Reference forward of a standalone Linear (`prefix` names its parameters inside a network).
func linearReference(_ layer: Linear, prefix: String = "") -> ReferenceForward {
  let (out, inF, hasBias) = (layer.outFeatures, layer.inFeatures, layer.bias != nil)
  return { p, x, batch in
    Reference.linear(p[prefix + "weight"]!, hasBias ? p[prefix + "bias"]! : nil, x, out: out, in: inF, batch: batch)
  }
}

/// Every gradient check uses central differences with step 1e-5 on a Float64 reference forward, and passes when
/// `|analytic - numeric| <= 2e-4 + 2e-3 * |numeric|` for every output, input-gradient and parameter-gradient
/// entry (the analytic side is Float32).
@Suite struct GradientTests {
  @Test func linearDense() {
    var random = RandomGenerator(seed: 1)
    let layer = Linear(inFeatures: 5, outFeatures: 4, random: &random)
    let result = checkGradients(layer, inputFeatures: 5, batch: 3, seed: 11, reference: linearReference(layer))
    #expect(result.passed, "\(result)")
    #expect(result.comparedParameterEntries == 24)
  }

  @Test func linearWithoutBias() {
    var random = RandomGenerator(seed: 2)
    let layer = Linear(inFeatures: 3, outFeatures: 6, biasInitializer: nil, random: &random)
    let result = checkGradients(layer, inputFeatures: 3, batch: 2, seed: 12, reference: linearReference(layer))
    #expect(result.passed, "\(result)")
    #expect(layer.parameters.count == 1)
  }

  @Test(arguments: [(0.3, 2.0), (0.85, 0.5)])
  func linearSparse(density: Double, denseKernelDensity: Double) {
    // (0.3, 2.0): sparse kernels; (0.85, 0.5): the dense-scratch path of a sparse weight.
    var random = RandomGenerator(seed: 3)
    let pattern = randomPattern(rows: 7, columns: 6, density: density, random: &random)
    let layer = Linear(inFeatures: 6, outFeatures: 7, pattern: pattern, random: &random)
    layer.denseKernelDensity = denseKernelDensity
    let result = checkGradients(
      layer, inputFeatures: 6, batch: 4, seed: 13, checkDenseWeightGradients: true, reference: linearReference(layer))
    #expect(result.passed, "\(result)")
    #expect(result.comparedParameterEntries == pattern.nonzeroCount + 7)
  }

  @Test func linearAfterPatternChange() {
    var random = RandomGenerator(seed: 4)
    let layer = Linear(
      inFeatures: 6, outFeatures: 5, pattern: randomPattern(rows: 5, columns: 6, density: 0.3, random: &random),
      random: &random)
    layer.weight.setPattern(randomPattern(rows: 5, columns: 6, density: 0.5, random: &random)) { Float($0) / 10 }
    layer.weightPatternDidChange()
    let result = checkGradients(layer, inputFeatures: 6, batch: 3, seed: 14, reference: linearReference(layer))
    #expect(result.passed, "\(result)")
  }

  @Test func activations() {
    let cases: [(any Layer, ([Double]) -> [Double])] = [
      (ReLU(), Reference.relu), (Tanh(), Reference.tanh),
      (LeakyReLU(negativeSlope: 0.1), { Reference.leakyReLU($0, slope: 0.1) }),
    ]
    for (layer, f) in cases {
      let result = checkGradients(layer, inputFeatures: 6, batch: 5, seed: 15) { _, x, _ in f(x) }
      #expect(result.passed, "\(type(of: layer)): \(result)")
    }
  }

  @Test(arguments: [true, false])
  func layerNorm(affine: Bool) {
    var random = RandomGenerator(seed: 5)
    let layer = LayerNorm(features: 7, affine: affine)
    if affine {
      layer.weight!.value = (0..<7).map { _ in random.uniform(Float(0.5), 1.5) }
      layer.bias!.value = (0..<7).map { _ in random.uniform(Float(-0.5), 0.5) }
    }
    let result = checkGradients(layer, inputFeatures: 7, batch: 4, seed: 16) { p, x, batch in
      Reference.layerNorm(x, gamma: p["weight"], beta: p["bias"], features: 7, batch: batch, epsilon: 1e-5)
    }
    #expect(result.passed, "\(result)")
    #expect(result.comparedParameterEntries == (affine ? 14 : 0))
  }

  @Test(arguments: [(1, 0, 1.0), (2, 1, 1.0), (1, 0, 0.4), (2, 1, 0.4)])
  func conv2d(stride: Int, padding: Int, density: Double) {
    var random = RandomGenerator(seed: 6)
    let (c, o, h, w, k) = (2, 3, 6, 5, 3)
    let pattern = density < 1 ? randomPattern(rows: o, columns: c * k * k, density: density, random: &random) : nil
    let layer = Conv2d(
      inChannels: c, outChannels: o, inputHeight: h, inputWidth: w, kernelSize: k, stride: stride, padding: padding,
      pattern: pattern, random: &random)
    layer.denseKernelDensity = 2  // sparse kernels for every sparse weight
    let result = checkGradients(
      layer, inputFeatures: c * h * w, batch: 2, seed: 17, checkDenseWeightGradients: true
    ) { p, x, batch in
      Reference.conv2d(
        p["weight"]!, p["bias"]!, x, inChannels: c, outChannels: o, height: h, width: w, kernel: k, stride: stride,
        padding: padding, batch: batch)
    }
    #expect(result.passed, "\(result)")
    #expect(layer.weightUsesPerSample == layer.outputHeight * layer.outputWidth)
  }

  @Test func residualBlockWithSparseExpansion() {
    var random = RandomGenerator(seed: 7)
    let h = 4
    let block = ResidualBlock(
      features: h, biasInitializer: .uniform(low: -0.1, high: 0.1),
      fc1Pattern: randomPattern(rows: 4 * h, columns: h, density: 0.5, random: &random), random: &random)
    block.norm.weight!.value = (0..<h).map { _ in random.uniform(Float(0.5), 1.5) }
    let result = checkGradients(block, inputFeatures: h, batch: 3, seed: 18, checkDenseWeightGradients: true) {
      p, x, batch in
      let n = Reference.layerNorm(
        x, gamma: p["norm.weight"], beta: p["norm.bias"], features: h, batch: batch, epsilon: 1e-5)
      let a = Reference.relu(Reference.linear(p["fc1.weight"]!, p["fc1.bias"]!, n, out: 4 * h, in: h, batch: batch))
      let z = Reference.linear(p["fc2.weight"]!, p["fc2.bias"]!, a, out: h, in: 4 * h, batch: batch)
      return zip(x, z).map { $0 + $1 }
    }
    #expect(result.passed, "\(result)")
    #expect(
      block.namedParameters.map(\.name) == [
        "norm.weight", "norm.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
      ])
  }

  @Test func sparseThreeLayerMLP() {
    var random = RandomGenerator(seed: 8)
    let network = Sequential(
      Linear(
        inFeatures: 6, outFeatures: 8, pattern: randomPattern(rows: 8, columns: 6, density: 0.5, random: &random),
        random: &random),
      ReLU(),
      Linear(
        inFeatures: 8, outFeatures: 8, pattern: randomPattern(rows: 8, columns: 8, density: 0.3, random: &random),
        random: &random),
      Tanh(),
      Linear(inFeatures: 8, outFeatures: 3, random: &random))
    for (_, layer) in network.maskableLayers { (layer as! Linear).denseKernelDensity = 2 }
    let result = checkGradients(network, inputFeatures: 6, batch: 5, seed: 19, checkDenseWeightGradients: true) {
      p, x, batch in
      let a = Reference.relu(Reference.linear(p["0.weight"]!, p["0.bias"]!, x, out: 8, in: 6, batch: batch))
      let b = Reference.tanh(Reference.linear(p["2.weight"]!, p["2.bias"]!, a, out: 8, in: 8, batch: batch))
      return Reference.linear(p["4.weight"]!, p["4.bias"]!, b, out: 3, in: 8, batch: batch)
    }
    #expect(result.passed, "\(result)")
  }

  @Test func convolutionalNetwork() {
    // A miniature MinAtar-style Q-network: conv 3x3 -> ReLU -> flatten -> sparse linear.
    var random = RandomGenerator(seed: 9)
    let conv = Conv2d(inChannels: 2, outChannels: 3, inputHeight: 5, inputWidth: 5, kernelSize: 3, random: &random)
    let head = Linear(
      inFeatures: 27, outFeatures: 4, pattern: randomPattern(rows: 4, columns: 27, density: 0.4, random: &random),
      random: &random)
    let network = Sequential(conv, ReLU(), Flatten(), head)
    let result = checkGradients(network, inputFeatures: 50, batch: 2, seed: 20) { p, x, batch in
      let c = Reference.relu(
        Reference.conv2d(
          p["0.weight"]!, p["0.bias"]!, x, inChannels: 2, outChannels: 3, height: 5, width: 5, kernel: 3, stride: 1,
          padding: 0, batch: batch))
      return Reference.linear(p["3.weight"]!, p["3.bias"]!, c, out: 4, in: 27, batch: batch)
    }
    #expect(result.passed, "\(result)")
  }

  @Test func checkerDetectsAWrongGradient() {
    // The harness itself must be able to fail: a reference that differs from the layer (doubled output).
    var random = RandomGenerator(seed: 10)
    let layer = Linear(inFeatures: 3, outFeatures: 2, random: &random)
    let result = checkGradients(layer, inputFeatures: 3, batch: 2, seed: 21) { p, x, batch in
      Reference.linear(p["weight"]!, p["bias"]!, x, out: 2, in: 3, batch: batch).map { 2 * $0 }
    }
    #expect(!result.passed)
  }
}
