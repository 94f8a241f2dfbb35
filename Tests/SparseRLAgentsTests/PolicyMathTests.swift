import Foundation
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

private func randomMatrix(_ rows: Int, _ columns: Int, _ generator: inout RandomGenerator, scale: Float = 1) -> Matrix {
  Matrix(rows: rows, columns: columns, scalars: (0..<(rows * columns)).map { _ in scale * Float(generator.normal()) })
}

/// Central difference in Double of `f` at `x[k]`.
private func numericalDerivative(_ x: Matrix, _ k: Int, step: Float = 1e-3, _ f: (Matrix) -> Double) -> Double {
  var plus = x
  plus.scalars[k] += step
  var minus = x
  minus.scalars[k] -= step
  return (f(plus) - f(minus)) / (2 * Double(step))
}

@Suite struct PolicyMathTests {
  /// Loss = Σ w ⊙ a + Σ c_b log π_b with fixed noise; gradients against central differences.
  /// Tolerance: 2e-3 absolute + 2e-3 relative (Float32 forward, step 1e-3).
  @Test func tanhGaussianGradientsMatchFiniteDifferences() {
    var generator = RandomGenerator(seed: 11)
    let policy = TanhGaussian(minLogStd: -5, maxLogStd: 2)
    let mean = randomMatrix(3, 4, &generator)
    let raw = randomMatrix(3, 4, &generator, scale: 0.5)
    let noise = randomMatrix(3, 4, &generator)
    let w = randomMatrix(3, 4, &generator)
    let c: [Float] = [0.3, -0.7, 1.1, 0.2]
    func loss(_ mean: Matrix, _ raw: Matrix) -> Double {
      var g = RandomGenerator(seed: 0)
      let s = policy.sample(mean: mean, rawLogStd: raw, noise: noise, using: &g)
      var total = 0.0
      for k in 0..<s.actions.count { total += Double(w.scalars[k] * s.actions.scalars[k]) }
      for b in 0..<4 { total += Double(c[b] * s.logProbabilities[b]) }
      return total
    }
    var g = RandomGenerator(seed: 0)
    let sample = policy.sample(mean: mean, rawLogStd: raw, noise: noise, using: &g)
    let (dMean, dRaw) = policy.backward(sample, actionGradient: w, logProbabilityGradient: c)
    for k in 0..<mean.count {
      let numericMean = numericalDerivative(mean, k) { loss($0, raw) }
      let numericRaw = numericalDerivative(raw, k) { loss(mean, $0) }
      #expect(abs(Double(dMean.scalars[k]) - numericMean) <= 2e-3 + 2e-3 * abs(numericMean))
      #expect(abs(Double(dRaw.scalars[k]) - numericRaw) <= 2e-3 + 2e-3 * abs(numericRaw))
    }
  }

  /// Actions and log π over pre-activations from 1e-6 to saturation, both signs, against Double `tanh` and the
  /// Double density `N(u; μ, σ) / (1 - tanh(u)²)` (its squashing term as `log 4 - 2|u| - 2 log1p(e^{-2|u|})`,
  /// exact where `1 - tanh²` underflows).
  @Test func tanhGaussianMatchesDoublePrecisionAcrossTheRange() {
    let policy = TanhGaussian(minLogStd: -5, maxLogStd: 2)
    let magnitudes: [Double] = [1e-6, 1e-3, 0.05, 0.4, 1, 2.5, 6, 9, 15, 30]
    let means = magnitudes.flatMap { [$0, -$0] }
    let raws = means.indices.map { Float(-2.5 + 0.25 * Double($0)) }  // log σ from near -5 to near 2
    let noise = Matrix(rows: 1, columns: means.count, scalars: means.indices.map { Float(($0 % 5) - 2) * 1e-7 })
    var generator = RandomGenerator(seed: 0)
    let sample = policy.sample(
      mean: Matrix(rows: 1, columns: means.count, scalars: means.map(Float.init)),
      rawLogStd: Matrix(rows: 1, columns: means.count, scalars: raws), noise: noise, using: &generator)
    for b in means.indices {
      let logSigma = Double(policy.logStd(raws[b]))
      let e = Double(noise.scalars[b])
      let u = Double(Float(means[b])) + exp(logSigma) * e
      let action = tanh(u)
      #expect(abs(Double(sample.actions.scalars[b]) - action) <= 2e-7 + 2e-7 * abs(action), "u = \(u)")
      let squash = log(4) - 2 * abs(u) - 2 * log1p(exp(-2 * abs(u)))
      let expected = -0.5 * e * e - logSigma - 0.5 * log(2 * Double.pi) - squash
      #expect(abs(Double(sample.logProbabilities[b]) - expected) <= 2e-5 + 1e-6 * abs(expected), "u = \(u)")
    }
  }

  /// log π against a direct evaluation of the density of tanh(N(μ, σ²)) by change of variables.
  @Test func tanhGaussianLogProbabilityMatchesChangeOfVariables() {
    var generator = RandomGenerator(seed: 5)
    let policy = TanhGaussian()
    let mean = Matrix([[0.3], [-1.2]])
    let raw = Matrix([[0.1], [-0.4]])
    let sample = policy.sample(mean: mean, rawLogStd: raw, using: &generator)
    var expected = 0.0
    for i in 0..<2 {
      let a = Double(sample.actions[i, 0])
      let u = atanh(a)
      let sigma = exp(Double(policy.logStd(raw[i, 0])))
      let z = (u - Double(mean[i, 0])) / sigma
      expected += -0.5 * z * z - log(sigma) - 0.5 * log(2 * .pi) - log(1 - a * a)
    }
    #expect(abs(Double(sample.logProbabilities[0]) - expected) < 1e-3)
    // Saturated pre-activations stay finite.
    let extreme = policy.sample(mean: Matrix([[40]]), rawLogStd: Matrix([[0]]), using: &generator)
    #expect(extreme.logProbabilities[0].isFinite)
  }

  @Test func categoricalGradientsMatchFiniteDifferences() {
    var generator = RandomGenerator(seed: 3)
    let logits = randomMatrix(4, 3, &generator)
    let actions = [2, 0, 3]
    let g: [Float] = [0.5, -1, 0.25]
    let h: [Float] = [0.1, 0.2, -0.3]
    func loss(_ logits: Matrix) -> Double {
      let d = Categorical(logits: logits)
      let logP = d.logProbability(of: actions)
      let entropy = d.entropy()
      return (0..<3).reduce(0.0) { $0 + Double(g[$1] * logP[$1] + h[$1] * entropy[$1]) }
    }
    let analytic = Categorical(logits: logits).logitGradient(
      actions: actions, logProbabilityGradient: g, entropyGradient: h)
    for k in 0..<logits.count {
      let numeric = numericalDerivative(logits, k, loss)
      #expect(abs(Double(analytic.scalars[k]) - numeric) <= 1e-3 + 1e-3 * abs(numeric))
    }
    let uniform = Categorical(logits: Matrix(rows: 4, columns: 1))
    #expect(abs(uniform.entropy()[0] - Float(log(4.0))) < 1e-6)
    #expect(Categorical(logits: Matrix([[0], [2], [2]])).mode() == [1])
  }

  @Test func diagonalGaussianGradientsMatchFiniteDifferences() {
    var generator = RandomGenerator(seed: 9)
    let mean = randomMatrix(2, 3, &generator)
    let logStd: [Float] = [-0.3, 0.4]
    let actions = randomMatrix(2, 3, &generator)
    let g: [Float] = [1, -0.5, 0.7]
    let h: [Float] = [0.01, 0.01, 0.01]
    func loss(_ mean: Matrix, _ logStd: [Float]) -> Double {
      let d = DiagonalGaussian(mean: mean, logStd: logStd)
      let logP = d.logProbability(of: actions)
      let entropy = d.entropy()
      return (0..<3).reduce(0.0) { $0 + Double(g[$1] * logP[$1] + h[$1] * entropy[$1]) }
    }
    let (dMean, dLogStd) = DiagonalGaussian(mean: mean, logStd: logStd).gradients(
      actions: actions, logProbabilityGradient: g, entropyGradient: h)
    for k in 0..<mean.count {
      let numeric = numericalDerivative(mean, k) { loss($0, logStd) }
      #expect(abs(Double(dMean.scalars[k]) - numeric) <= 1e-3 + 1e-3 * abs(numeric))
    }
    for i in 0..<2 {
      let asMatrix = Matrix(rows: 1, columns: 2, scalars: logStd)
      let numeric = numericalDerivative(asMatrix, i) { loss(mean, $0.scalars) }
      #expect(abs(Double(dLogStd[i]) - numeric) <= 1e-3 + 1e-3 * abs(numeric))
    }
  }

  /// Hand-computed GAE over a rollout with a truncation at t=1 and a termination at t=3.
  @Test func gaeStopsAtEpisodeEndsAndBootstrapsOnlyTruncations() {
    let gamma: Float = 0.5
    let lambda: Float = 0.5
    let rewards: [Float] = [1, 2, 3, 4, 5]
    let values: [Float] = [10, 20, 30, 40, 50]
    // nextValues: t0 -> V(s1)=20; t1 truncated -> V(final obs)=8; t2 -> V(s3)=40; t3 terminal -> (ignored) 99;
    // t4 last step of the rollout -> V(s5)=6.
    let nextValues: [Float] = [20, 8, 40, 99, 6]
    let terminated = [false, false, false, true, false]
    let truncated = [false, true, false, false, false]
    let (advantages, returns) = GeneralizedAdvantage.estimate(
      rewards: rewards, values: values, nextValues: nextValues, terminated: terminated, truncated: truncated,
      gamma: gamma, lambda: lambda)
    let d4: Float = 5 + 0.5 * 6 - 50  // -42
    let d3: Float = 4 - 40  // terminal: -36
    let d2: Float = 3 + 0.5 * 40 - 30  // -7
    let d1: Float = 2 + 0.5 * 8 - 20  // truncation bootstraps from the final observation: -14
    let d0: Float = 1 + 0.5 * 20 - 10  // 1
    let a4 = d4
    let a3 = d3  // the episode ended: nothing flows back from t=4
    let a2 = d2 + 0.25 * a3
    let a1 = d1  // truncated: nothing flows back from t=2
    let a0 = d0 + 0.25 * a1
    #expect(advantages == [a0, a1, a2, a3, a4])
    #expect(returns == zip([a0, a1, a2, a3, a4], values).map { $0 + $1 })
  }

  @Test func valueLossesAndGradients() {
    let mse = ValueLoss.mse.evaluate(predictions: [1, 3], targets: [0, 0])
    #expect(mse.loss == 5)
    #expect(mse.gradient == [1, 3])
    let huber = ValueLoss.huber.evaluate(predictions: [0.5, -3], targets: [0, 0])
    #expect(huber.loss == (0.125 + 2.5) / 2)
    #expect(huber.gradient == [0.25, -0.5])
  }

  @Test func linearScheduleClampsAtBothEnds() {
    let schedule = LinearSchedule(start: 1, end: 0.05, duration: 100)
    #expect(schedule.value(at: -5) == 1)
    #expect(abs(schedule.value(at: 50) - 0.525) < 1e-12)
    #expect(schedule.value(at: 1000) == 0.05)
  }
}
