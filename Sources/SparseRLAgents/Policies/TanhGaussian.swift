import Foundation
import SparseRLNumerics

/// The tanh-squashed diagonal Gaussian policy of SAC, sampled with the reparameterisation trick.
///
/// The network outputs `mean` and `rawLogStd` (each `[actions x batch]`); the log standard deviation is
/// squashed smoothly into `[minLogStd, maxLogStd]`:
/// `log σ = min + (max - min) * (1 + tanh(raw)) / 2`. A sample is `a = tanh(μ + σ ε)` with `ε ~ N(0, 1)`, and
/// `log π(a|s) = Σ_i [-ε_i²/2 - log σ_i - log(2π)/2 - log(1 - a_i²)]`, where
/// `log(1 - tanh(x)²) = 2 (log 2 - x - softplus(-2x))` keeps it finite for saturated actions.
/// `backward` returns the gradients with respect to `mean` and `rawLogStd` with `ε` held fixed.
public struct TanhGaussian {
  /// Bounds of log σ (RLx2's SAC: [-5, 2]; SimBa: [-10, 2]).
  public let minLogStd: Float
  /// The upper bound of log σ.
  public let maxLogStd: Float

  /// The squashing with log σ bounded to `[minLogStd, maxLogStd]`.
  public init(minLogStd: Float = -5, maxLogStd: Float = 2) {
    precondition(minLogStd < maxLogStd, "minLogStd must be below maxLogStd")
    self.minLogStd = minLogStd
    self.maxLogStd = maxLogStd
  }

  /// A sampled batch and what `backward` needs.
  public struct Sample {
    /// Squashed actions in (-1, 1), `[actions x batch]`.
    public var actions: Matrix
    /// log π(a|s) per sample.
    public var logProbabilities: [Float]
    var noise: Matrix
    var logStd: Matrix
    var rawLogStd: Matrix
  }

  /// log σ from the raw network output.
  public func logStd(_ raw: Float) -> Float {
    minLogStd + (maxLogStd - minLogStd) * 0.5 * (1 + tanh(raw))
  }

  /// Samples actions; `noise` supplies ε (drawn from `generator` when nil).
  public func sample(
    mean: Matrix, rawLogStd: Matrix, noise: Matrix? = nil, using generator: inout RandomGenerator
  ) -> Sample {
    precondition(mean.rows == rawLogStd.rows && mean.columns == rawLogStd.columns, "mean and log-std shapes differ")
    let epsilon: Matrix
    if let noise {
      epsilon = noise
    } else {
      var drawn = Matrix(rows: mean.rows, columns: mean.columns)
      for k in 0..<drawn.count { drawn.scalars[k] = Float(generator.normal()) }
      epsilon = drawn
    }
    var actions = Matrix(rows: mean.rows, columns: mean.columns)
    var logStdMatrix = Matrix(rows: mean.rows, columns: mean.columns)
    var logProbabilities = [Float](repeating: 0, count: mean.columns)
    let halfLogTwoPi = Float(0.5 * Foundation.log(2 * Double.pi))
    for i in 0..<mean.rows {
      for b in 0..<mean.columns {
        let k = i * mean.columns + b
        let ls = logStd(rawLogStd.scalars[k])
        logStdMatrix.scalars[k] = ls
        let e = epsilon.scalars[k]
        let pre = mean.scalars[k] + Foundation.exp(ls) * e
        actions.scalars[k] = tanh(pre)
        logProbabilities[b] += -0.5 * e * e - ls - halfLogTwoPi - TanhGaussian.logOneMinusTanhSquared(pre)
      }
    }
    return Sample(
      actions: actions, logProbabilities: logProbabilities, noise: epsilon, logStd: logStdMatrix,
      rawLogStd: rawLogStd)
  }

  /// The deterministic (evaluation) action `tanh(μ)`.
  public func mode(mean: Matrix) -> Matrix {
    var result = mean
    for k in 0..<result.count { result.scalars[k] = tanh(result.scalars[k]) }
    return result
  }

  /// Gradients of a loss with respect to `mean` and `rawLogStd`, given the loss's gradients with respect to
  /// the sampled actions (`[actions x batch]`) and to the log-probabilities (per sample).
  public func backward(
    _ sample: Sample, actionGradient: Matrix, logProbabilityGradient: [Float]
  ) -> (mean: Matrix, rawLogStd: Matrix) {
    var meanGradient = Matrix(rows: sample.actions.rows, columns: sample.actions.columns)
    var rawGradient = meanGradient
    let columns = sample.actions.columns
    for k in 0..<meanGradient.count {
      let b = k % columns
      let a = sample.actions.scalars[k]
      let sigmaEpsilon = Foundation.exp(sample.logStd.scalars[k]) * sample.noise.scalars[k]
      let gA = actionGradient.scalars[k]
      let gL = logProbabilityGradient[b]
      let squash = 1 - a * a
      meanGradient.scalars[k] = gA * squash + gL * 2 * a
      let logStdGradient = gA * squash * sigmaEpsilon + gL * (-1 + 2 * a * sigmaEpsilon)
      let t = tanh(sample.rawLogStd.scalars[k])
      rawGradient.scalars[k] = logStdGradient * 0.5 * (maxLogStd - minLogStd) * (1 - t * t)
    }
    return (meanGradient, rawGradient)
  }

  /// `log(1 - tanh(x)^2)`, stable for large |x|.
  static func logOneMinusTanhSquared(_ x: Float) -> Float {
    2 * (Float(M_LN2) - x - softplus(-2 * x))
  }
}

/// `log(1 + e^x)`, stable for large |x|.
@inlinable func softplus(_ x: Float) -> Float {
  x > 20 ? x : (x < -20 ? Foundation.exp(x) : Foundation.log1p(Foundation.exp(x)))
}
