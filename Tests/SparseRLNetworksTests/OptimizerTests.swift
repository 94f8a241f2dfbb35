import Foundation
import SparseRLNumerics
import Testing

@testable import SparseRLNetworks

/// Optimizer steps against the textbook update written in Double in the test. Tolerance: 1e-6 absolute on
/// parameters of order 1 (the optimizers compute in Float32).
@Suite struct OptimizerTests {
  let gradients: [[Float]] = [[0.5, -2, 0, 1e-3], [0.25, 1, -0.5, 3], [-1, 0.5, 0.5, -2]]
  let initial: [Float] = [1, -0.5, 0.25, 2]

  func parameter() -> Parameter { Parameter(name: "p", rows: 2, columns: 2, value: initial) }

  /// Adam per Kingma & Ba, with optional coupled L2 or decoupled decay, in Double.
  func referenceAdam(lrs: [Double], wd: Double, decoupled: Bool) -> [Double] {
    let (b1, b2, eps) = (0.9, 0.999, 1e-8)
    var p = initial.map(Double.init)
    var m = [Double](repeating: 0, count: 4)
    var v = m
    for (t, g) in gradients.enumerated() {
      let lr = lrs[t]
      for i in 0..<4 {
        if decoupled { p[i] *= 1 - lr * wd }
        let gi = Double(g[i]) + (decoupled ? 0 : wd * p[i])
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        let mHat = m[i] / (1 - pow(b1, Double(t + 1)))
        let vHat = v[i] / (1 - pow(b2, Double(t + 1)))
        p[i] -= lr * mHat / (vHat.squareRoot() + eps)
      }
    }
    return p
  }

  func run(_ optimizer: any Optimizer, _ p: Parameter, learningRates: [Float]) {
    for (t, g) in gradients.enumerated() {
      optimizer.learningRate = learningRates[t]
      p.gradient = g
      optimizer.step()
    }
  }

  @Test(arguments: [Float(0), 0.1])
  func adam(weightDecay: Float) {
    let p = parameter()
    let lrs: [Float] = [0.1, 0.05, 0.01]  // also checks that a changed learning rate takes effect
    run(Adam(parameters: [p], weightDecay: weightDecay), p, learningRates: lrs)
    let expected = referenceAdam(lrs: lrs.map(Double.init), wd: Double(weightDecay), decoupled: false)
    for i in 0..<4 {
      #expect(abs(Double(p.value[i]) - expected[i]) < 1e-6, "p[\(i)] = \(p.value[i]), expected \(expected[i])")
    }
    #expect(p.optimizerState["m"]?.count == 4 && p.optimizerState["v"]?.count == 4)
  }

  @Test func adamFirstStepByHand() {
    // After one step m = 0.1 g, v = 0.001 g^2, so the bias-corrected step is lr * g / (|g| + eps).
    let p = Parameter(name: "p", rows: 1, columns: 2, value: [1, 1])
    p.gradient = [0.5, -2]
    let adam = Adam(parameters: [p], learningRate: 0.1)
    adam.step()
    #expect(abs(p.value[0] - 0.9) < 1e-6 && abs(p.value[1] - 1.1) < 1e-6)
    #expect(adam.stepCount == 1)
  }

  @Test func adamW() {
    let p = parameter()
    let lrs: [Float] = [0.1, 0.1, 0.02]
    let optimizer = AdamW(parameters: [p], weightDecay: 0.5)
    run(optimizer, p, learningRates: lrs)
    let expected = referenceAdam(lrs: lrs.map(Double.init), wd: 0.5, decoupled: true)
    for i in 0..<4 { #expect(abs(Double(p.value[i]) - expected[i]) < 1e-6) }
    #expect(optimizer.stepCount == 3)
  }

  @Test(arguments: [(Float(0), false), (0.9, false), (0.9, true)])
  func sgd(momentum: Float, nesterov: Bool) {
    let p = parameter()
    run(
      SGD(parameters: [p], learningRate: 0, momentum: momentum, weightDecay: 0.01, nesterov: nesterov), p,
      learningRates: [0.1, 0.2, 0.3])
    // PyTorch's definition: buf_1 = g_1, buf_t = mu buf + g; step uses buf (or g + mu buf with Nesterov).
    var x = initial.map(Double.init)
    var buf = [Double](repeating: 0, count: 4)
    for (t, g) in gradients.enumerated() {
      for i in 0..<4 {
        var d = Double(g[i]) + 0.01 * x[i]
        if momentum > 0 {
          buf[i] = t == 0 ? d : Double(momentum) * buf[i] + d
          d = nesterov ? d + Double(momentum) * buf[i] : buf[i]
        }
        x[i] -= [0.1, 0.2, 0.3][t] * d
      }
    }
    for i in 0..<4 { #expect(abs(Double(p.value[i]) - x[i]) < 1e-6) }
  }

  @Test func inactiveWeightsStayZero() {
    var random = RandomGenerator(seed: 30)
    let network = Sequential(
      Linear(
        inFeatures: 5, outFeatures: 6, pattern: randomPattern(rows: 6, columns: 5, density: 0.4, random: &random),
        random: &random),
      ReLU(),
      Linear(
        inFeatures: 6, outFeatures: 2, pattern: randomPattern(rows: 2, columns: 6, density: 0.5, random: &random),
        random: &random))
    let target = network.copy()
    let optimizers: [any Optimizer] = [
      AdamW(parameters: network.parameters, learningRate: 0.01, weightDecay: 0.1),
      SGD(parameters: network.parameters, learningRate: 0.01, momentum: 0.9),
    ]
    let x = Matrix(rows: 5, columns: 8, scalars: (0..<40).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    for step in 0..<20 {
      network.zeroGradients()
      let y = network.forward(x)
      _ = network.backward(y, accumulateParameterGradients: true)
      optimizers[step % 2].step()
      TargetUpdate.polyak(target: target, online: network, tau: 0.1)
    }
    for (_, layer) in network.maskableLayers {
      let mask = layer.weight.mask
      let dense = layer.weight.denseValue()
      #expect(zip(mask, dense.scalars).allSatisfy { $0 || $1 == 0 })
      #expect(zip(mask, dense.scalars).contains { $0 && $1 != 0 })
      for (_, slot) in layer.weight.optimizerState { #expect(slot.count == layer.weight.activeCount) }
    }
    for (_, layer) in target.maskableLayers {
      #expect(zip(layer.weight.mask, layer.weight.denseValue().scalars).allSatisfy { $0 || $1 == 0 })
    }
  }

  @Test func globalNormClipping() {
    let a = Parameter(name: "a", rows: 2, columns: 1, value: [0, 0])
    let b = Parameter(name: "b", rows: 1, columns: 1, value: [0])
    a.gradient = [3, 4]
    b.gradient = [12]
    #expect(GradientClipping.globalNorm([a, b]) == 13)
    #expect(GradientClipping.clipGlobalNorm([a, b], maxNorm: 20) == 13)
    #expect(a.gradient == [3, 4] && b.gradient == [12])
    #expect(GradientClipping.clipGlobalNorm([a, b], maxNorm: 6.5) == 13)
    let scale = Float(6.5 / (13 + 1e-6))
    #expect(abs(a.gradient[0] - 3 * scale) < 1e-6 && abs(a.gradient[1] - 4 * scale) < 1e-6)
    #expect(abs(b.gradient[0] - 12 * scale) < 1e-6)
    #expect(abs(GradientClipping.globalNorm([a, b]) - 6.5) < 1e-5)
  }
}

@Suite struct TargetUpdateTests {
  @Test func polyakAndHardCopyByHand() {
    let online = Linear(
      weight: Parameter(name: "weight", rows: 1, columns: 2, value: [1, 2]),
      bias: Parameter(name: "bias", rows: 1, columns: 1, value: [4]))
    let target = Linear(
      weight: Parameter(name: "weight", rows: 1, columns: 2, value: [0, 0]),
      bias: Parameter(name: "bias", rows: 1, columns: 1, value: [8]))
    TargetUpdate.polyak(target: target, online: online, tau: 0.25)
    #expect(target.weight.value == [0.25, 0.5] && target.bias!.value == [7])
    TargetUpdate.hardCopy(target: target, online: online)
    #expect(target.weight.value == [1, 2] && target.bias!.value == [4])
    online.weight.value[0] = 9
    #expect(target.weight.value == [1, 2])
  }

  @Test func targetTakesTheOnlinePattern() {
    // Online [0, 1, 1, 0] active; target dense.
    let online = Linear(
      weight: Parameter(
        name: "weight", pattern: SparsePattern(rows: 2, columns: 2, activeIndices: [1, 2]), value: [3, 5]),
      bias: nil)
    let target = Linear(weight: Parameter(name: "weight", rows: 2, columns: 2, value: [1, 1, 1, 1]), bias: nil)
    TargetUpdate.polyak(target: target, online: online, tau: 0.5)
    #expect(target.weight.pattern == online.weight.pattern)
    #expect(target.weight.denseValue().scalars == [0, 2, 3, 0])
    // The online topology changes: entry 3 grows (value 0), entry 1 is dropped.
    online.weight.setPattern(SparsePattern(rows: 2, columns: 2, activeIndices: [2, 3]))
    TargetUpdate.polyak(target: target, online: online, tau: 0.5)
    #expect(target.weight.denseValue().scalars == [0, 0, 4, 0])
    // Back to dense online: the target becomes dense with the online values at newly active entries.
    online.weight.makeDense()
    online.weight.value = [7, 7, 7, 7]
    TargetUpdate.hardCopy(target: target, online: online)
    #expect(!target.weight.isSparse && target.weight.value == [7, 7, 7, 7])
  }
}
