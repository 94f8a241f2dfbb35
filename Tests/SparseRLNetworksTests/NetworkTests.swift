import SparseRLNumerics
import Testing

@testable import SparseRLNetworks

func makeNetwork(seed: UInt64) -> Sequential {
  var random = RandomGenerator(seed: seed)
  return Sequential(
    Linear(inFeatures: 4, outFeatures: 6, weightInitializer: .orthogonal(gain: 1), random: &random),
    ReLU(),
    ResidualBlock(
      features: 6, fc1Pattern: randomPattern(rows: 24, columns: 6, density: 0.3, random: &random),
      fc2Pattern: randomPattern(rows: 6, columns: 24, density: 0.3, random: &random), random: &random),
    LayerNorm(features: 6, affine: false),
    Linear(
      inFeatures: 6, outFeatures: 3, pattern: randomPattern(rows: 3, columns: 6, density: 0.5, random: &random),
      random: &random))
}

@Suite struct NetworkTests {
  @Test func namesMasksAndMaskableLayers() {
    let network = makeNetwork(seed: 40)
    let names = network.namedParameters.map(\.name)
    #expect(
      names == [
        "0.weight", "0.bias", "2.norm.weight", "2.norm.bias", "2.fc1.weight", "2.fc1.bias", "2.fc2.weight",
        "2.fc2.bias", "4.weight", "4.bias",
      ])
    #expect(network.namedParameters.allSatisfy { $0.name == $0.parameter.name })
    #expect(network.maskableLayers.map(\.name) == ["0", "2.fc1", "2.fc2", "4"])
    #expect(network.parameter(named: "2.fc1.weight") === (network.layers[2] as! ResidualBlock).fc1.weight)
    #expect(network.parameter(named: "9.weight") == nil)
    #expect(network.pattern(named: "0.weight") == nil)
    #expect(network.pattern(named: "4.weight") == (network.layers[4] as! Linear).weight.pattern)
    #expect(network.mask(named: "0.weight") == [Bool](repeating: true, count: 24))
    #expect(network.outputFeatures(forInput: 4) == 3)
  }

  @Test func copyIsDeepAndEquivalent() {
    let network = makeNetwork(seed: 41)
    let clone = network.copy()
    var random = RandomGenerator(seed: 1)
    let x = Matrix(rows: 4, columns: 5, scalars: (0..<20).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    #expect(network.forward(x) == clone.forward(x))
    #expect(clone.namedParameters.map(\.name) == network.namedParameters.map(\.name))
    clone.parameter(named: "0.weight")!.value[0] += 1
    #expect(network.parameter(named: "0.weight")!.value[0] != clone.parameter(named: "0.weight")!.value[0])
    #expect(network.forward(x) != clone.forward(x))
    #expect(zip(network.parameters, clone.parameters).allSatisfy { $0 !== $1 })
  }

  @Test func buffersAreReusedForTheSameBatchSize() {
    let network = makeNetwork(seed: 42)
    let x = Matrix(rows: 4, columns: 7, repeating: 0.5)
    func outputAddress() -> UnsafePointer<Float>? {
      network.forward(x).scalars.withUnsafeBufferPointer { $0.baseAddress }
    }
    func gradientAddress() -> UnsafePointer<Float>? {
      network.backward(Matrix(rows: 3, columns: 7, repeating: 1), accumulateParameterGradients: true).scalars
        .withUnsafeBufferPointer { $0.baseAddress }
    }
    let first = outputAddress()
    let firstGradient = gradientAddress()
    #expect(outputAddress() == first)
    #expect(gradientAddress() == firstGradient)
  }

  @Test func patternChangeTakesEffectInTheNextForward() {
    var random = RandomGenerator(seed: 43)
    let layer = Linear(
      inFeatures: 5, outFeatures: 4, pattern: randomPattern(rows: 4, columns: 5, density: 0.5, random: &random),
      random: &random)
    layer.denseKernelDensity = 2
    let x = Matrix(rows: 5, columns: 3, scalars: (0..<15).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    let newPattern = randomPattern(rows: 4, columns: 5, density: 0.5, random: &random)
    layer.weight.setPattern(newPattern) { _ in 0.5 }
    layer.weightPatternDidChange()
    let dense = Linear(
      weight: Parameter(name: "weight", rows: 4, columns: 5, value: layer.weight.denseValue().scalars),
      bias: layer.bias!.copy())
    let (a, b) = (layer.forward(x), dense.forward(x))
    #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func denseFallbackFollowsTheMeasuredRule() {
    // Training batches: 50% for wide inputs, 70% for an observation layer of at most 24 inputs.
    #expect(Linear.usesSparseKernels(density: 0.49, inFeatures: 256, columns: 256))
    #expect(!Linear.usesSparseKernels(density: 0.51, inFeatures: 25, columns: 128))
    #expect(Linear.usesSparseKernels(density: 0.69, inFeatures: 24, columns: 128))
    #expect(!Linear.usesSparseKernels(density: 0.71, inFeatures: 17, columns: 256))
    // Below 128 columns (acting, streaming, small batches) 70% whatever the input width.
    #expect(Linear.usesSparseKernels(density: 0.69, inFeatures: 256, columns: 127))
    #expect(Linear.usesSparseKernels(density: 0.69, inFeatures: 1024, columns: 1))
    #expect(!Linear.usesSparseKernels(density: 0.71, inFeatures: 256, columns: 1))
    // A fixed fallback density replaces the rule.
    #expect(Linear.usesSparseKernels(density: 0.9, inFeatures: 256, columns: 1, denseKernelDensity: 2))
    #expect(!Linear.usesSparseKernels(density: 0.2, inFeatures: 256, columns: 256, denseKernelDensity: 0.1))
  }

  @Test func aSparseLayerActsOnTheKernelsTheRulePicks() {
    // At batch 1 the dense matrix-vector product and the sparse gather sum in different orders, so the output's
    // bits show which kernels ran: a 60%-dense layer acts on the sparse kernels (it would train through its dense
    // copy at batch 256), unless a fixed density says otherwise.
    var random = RandomGenerator(seed: 46)
    let pattern = randomPattern(rows: 64, columns: 256, density: 0.6, random: &random)
    let layer = Linear(inFeatures: 256, outFeatures: 64, pattern: pattern, biasInitializer: nil, random: &random)
    let x = (0..<256).map { _ in random.normal(mean: 0, standardDeviation: 1) }
    var sparse = [Float](repeating: 0, count: 64)
    var dense = sparse
    let denseWeights = layer.weight.denseValue().scalars
    x.withUnsafeBufferPointer { input in
      layer.weight.value.withUnsafeBufferPointer { values in
        sparse.withUnsafeMutableBufferPointer { output in
          SparseKernels.forward(pattern: pattern, values: values, input: input, output: output, batch: 1)
        }
      }
      denseWeights.withUnsafeBufferPointer { weights in
        dense.withUnsafeMutableBufferPointer { output in
          DenseKernels.forward(
            weights: weights, input: input, output: output, outFeatures: 64, inFeatures: 256, batch: 1)
        }
      }
    }
    #expect(sparse != dense, "the two kernels must be told apart by their bits")
    let input = Matrix(rows: 256, columns: 1, scalars: x)
    #expect(!Linear.usesSparseKernels(density: pattern.density, inFeatures: 256, columns: 256))
    #expect(layer.forward(input).scalars == sparse)
    layer.denseKernelDensity = 0.5
    #expect(layer.forward(input).scalars == dense)
  }

  @Test func initialisersOfLayers() {
    var random = RandomGenerator(seed: 44)
    let layer = Linear(inFeatures: 400, outFeatures: 50, random: &random)
    let bound = 1 / Float(400).squareRoot()
    #expect(layer.weight.value.allSatisfy { abs($0) <= bound } && layer.bias!.value.allSatisfy { abs($0) <= bound })
    let conv = Conv2d(inChannels: 4, outChannels: 16, inputHeight: 10, inputWidth: 10, kernelSize: 3, random: &random)
    let convBound = 1 / Float(36).squareRoot()
    #expect(conv.weight.value.allSatisfy { abs($0) <= convBound })
    #expect(conv.weight.value.contains { abs($0) > 0.9 * convBound })
    #expect(conv.outFeatures == 16 * 8 * 8)
    // Nature CNN geometry on 84x84: 8x8/4 -> 20x20, 4x4/2 -> 9x9, 3x3/1 -> 7x7.
    let c1 = Conv2d(
      inChannels: 4, outChannels: 32, inputHeight: 84, inputWidth: 84, kernelSize: 8, stride: 4, random: &random)
    let c2 = Conv2d(
      inChannels: 32, outChannels: 64, inputHeight: 20, inputWidth: 20, kernelSize: 4, stride: 2, random: &random)
    let c3 = Conv2d(
      inChannels: 64, outChannels: 64, inputHeight: 9, inputWidth: 9, kernelSize: 3, stride: 1, random: &random)
    #expect(Sequential(c1, ReLU(), c2, ReLU(), c3, Flatten()).outputFeatures(forInput: 4 * 84 * 84) == 64 * 7 * 7)
  }

  @Test func changingBatchSizesGiveTheSameResultsAsFreshLayers() {
    let network = makeNetwork(seed: 45)
    var random = RandomGenerator(seed: 2)
    func input(_ batch: Int) -> Matrix {
      Matrix(
        rows: 4, columns: batch, scalars: (0..<(4 * batch)).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    }
    for batch in [3, 7, 1, 3] {
      let x = input(batch)
      let fresh = network.copy()
      #expect(network.forward(x) == fresh.forward(x))
      let dy = Matrix(rows: 3, columns: batch, repeating: 0.5)
      #expect(
        network.backward(dy, accumulateParameterGradients: false)
          == fresh.backward(dy, accumulateParameterGradients: false))
    }
  }

  @Test func backwardWithoutParameterGradientsLeavesThemUntouched() {
    let network = makeNetwork(seed: 46)
    let x = Matrix(rows: 4, columns: 2, repeating: 0.25)
    network.zeroGradients()
    _ = network.forward(x)
    let dx = network.backward(Matrix(rows: 3, columns: 2, repeating: 1), accumulateParameterGradients: false)
    #expect(network.parameters.allSatisfy { $0.gradient.allSatisfy { $0 == 0 } })
    _ = network.forward(x)
    let dxAgain = network.backward(Matrix(rows: 3, columns: 2, repeating: 1), accumulateParameterGradients: true)
    #expect(dx == dxAgain)
    #expect(network.parameters.contains { $0.gradient.contains { $0 != 0 } })
  }
}
