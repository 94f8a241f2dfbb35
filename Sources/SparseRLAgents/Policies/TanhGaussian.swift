import Foundation
import SparseRLNumerics

/// The tanh-squashed diagonal Gaussian policy of SAC, sampled with the reparameterisation trick.
///
/// The network outputs `mean` and `rawLogStd` (each `[actions x batch]`); the log standard deviation is
/// squashed smoothly into `[minLogStd, maxLogStd]`:
/// `log σ = min + (max - min) * (1 + tanh(raw)) / 2`. A sample is `a = tanh(μ + σ ε)` with `ε ~ N(0, 1)`, and
/// `log π(a|s) = Σ_i [-ε_i²/2 - log σ_i - log(2π)/2 - log(1 - a_i²)]`. Both the action and the squashing term
/// come from one `z = exp(-2|u|)` of the pre-activation `u = μ + σ ε` (in Double, `squash(_:)`):
/// `tanh|u| = (1 - z) / (1 + z)` and `log(1 - tanh(u)²) = 2 (log 2 - |u| - log(1 + z))`, finite for saturated
/// actions.
/// `backward` returns the gradients with respect to `mean` and `rawLogStd` with `ε` held fixed, from `σ` and
/// `d log σ / d raw` kept by the sample (no transcendental function of its own).
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
    /// σ per entry.
    var standardDeviation: Matrix
    /// `d log σ / d raw` per entry: `(max - min) (1 - tanh(raw)²) / 2`.
    var logStdSlope: Matrix

    /// An empty sample, to sample into again and again (`sample(_:using:into:)`): once it has the batch's
    /// shape, sampling into it allocates nothing.
    public init() {
      actions = Matrix(rows: 0, columns: 0)
      logProbabilities = []
      noise = Matrix(rows: 0, columns: 0)
      standardDeviation = Matrix(rows: 0, columns: 0)
      logStdSlope = Matrix(rows: 0, columns: 0)
    }
  }

  /// log σ from the raw network output.
  public func logStd(_ raw: Float) -> Float {
    minLogStd + (maxLogStd - minLogStd) * 0.5 * (1 + FloatMath.tanh(raw))
  }

  /// Samples actions; `noise` supplies ε (drawn from `generator` when nil).
  public func sample(
    mean: Matrix, rawLogStd: Matrix, noise: Matrix? = nil, using generator: inout RandomGenerator
  ) -> Sample {
    precondition(mean.rows == rawLogStd.rows && mean.columns == rawLogStd.columns, "mean and log-std shapes differ")
    let output = Matrix(rows: 2 * mean.rows, columns: mean.columns, scalars: mean.scalars + rawLogStd.scalars)
    var result = Sample()
    if let noise {
      sample(output, noise: noise, into: &result)
    } else {
      sample(output, using: &generator, into: &result)
    }
    return result
  }

  /// Samples actions for the policy network's output `[2|A| x B]` (the mean rows, then the raw log-std rows)
  /// into `sample`, with ε drawn from `generator` (row by row, as `sample(mean:rawLogStd:using:)` draws them).
  public func sample(_ output: Matrix, using generator: inout RandomGenerator, into sample: inout Sample) {
    sample.noise.prepare(rows: output.rows / 2, columns: output.columns)
    for k in 0..<sample.noise.count { sample.noise.scalars[k] = Float(generator.normal()) }
    draw(output, into: &sample)
  }

  /// Samples actions for the policy network's output `[2|A| x B]` into `sample` with the given ε `[|A| x B]`
  /// (copied into the sample).
  public func sample(_ output: Matrix, noise: Matrix, into sample: inout Sample) {
    precondition(2 * noise.rows == output.rows && noise.columns == output.columns, "noise and output shapes differ")
    sample.noise.copyContents(of: noise)
    draw(output, into: &sample)
  }

  /// The sample of `output` with the ε already in `sample.noise`: per entry three `exp` (log σ's tanh, σ, the
  /// action's tanh) and one `log` (the squashing term).
  private func draw(_ output: Matrix, into sample: inout Sample) {
    precondition(output.rows % 2 == 0, "the policy output has mean and log-std rows, got \(output.rows) rows")
    let (rows, columns) = (output.rows / 2, output.columns)
    let half = rows * columns  // the raw log-std rows start here
    sample.actions.prepare(rows: rows, columns: columns)
    sample.standardDeviation.prepare(rows: rows, columns: columns)
    sample.logStdSlope.prepare(rows: rows, columns: columns)
    sample.logProbabilities.assign(repeating: 0, count: columns)
    let halfRange = 0.5 * (maxLogStd - minLogStd)
    // -log(2π)/2 per entry, with the constant 2 log 2 of the squashing term.
    let constant = Float(-0.5 * Foundation.log(2 * Double.pi) - 2 * M_LN2)
    output.scalars.withUnsafeBufferPointer { output in
      sample.noise.scalars.withUnsafeBufferPointer { noise in
        sample.actions.scalars.withUnsafeMutableBufferPointer { actions in
          sample.standardDeviation.scalars.withUnsafeMutableBufferPointer { sigmas in
            sample.logStdSlope.scalars.withUnsafeMutableBufferPointer { slopes in
              sample.logProbabilities.withUnsafeMutableBufferPointer { logProbabilities in
                for i in 0..<rows {
                  for b in 0..<columns {
                    let k = i * columns + b
                    let t = FloatMath.tanh(output[half + k])
                    let ls = minLogStd + halfRange * (1 + t)
                    slopes[k] = halfRange * (1 - t * t)
                    let sigma = Foundation.exp(ls)
                    sigmas[k] = sigma
                    let e = noise[k]
                    let (action, logOneMinusASquared) = TanhGaussian.squash(output[k] + sigma * e)
                    actions[k] = action
                    logProbabilities[b] += -0.5 * e * e - ls + constant - logOneMinusASquared
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// The deterministic (evaluation) action `tanh(μ)`.
  public func mode(mean: Matrix) -> Matrix {
    var result = mean
    for k in 0..<result.count { result.scalars[k] = FloatMath.tanh(result.scalars[k]) }
    return result
  }

  /// `tanh(μ)` for the policy network's output `[2|A| x B]` (its mean rows), written into `result`.
  public func mode(_ output: Matrix, into result: inout Matrix) {
    result.prepare(rows: output.rows / 2, columns: output.columns)
    for k in 0..<result.count { result.scalars[k] = FloatMath.tanh(output.scalars[k]) }
  }

  /// Gradients of a loss with respect to `mean` and `rawLogStd`, given the loss's gradients with respect to
  /// the sampled actions (`[actions x batch]`) and to the log-probabilities (per sample).
  public func backward(
    _ sample: Sample, actionGradient: Matrix, logProbabilityGradient: [Float]
  ) -> (mean: Matrix, rawLogStd: Matrix) {
    var gradient = Matrix(rows: 0, columns: 0)
    backward(
      sample, actionGradient: actionGradient, logProbabilityGradient: logProbabilityGradient, into: &gradient)
    let (rows, columns, half) = (sample.actions.rows, sample.actions.columns, sample.actions.count)
    return (
      Matrix(rows: rows, columns: columns, scalars: Array(gradient.scalars[..<half])),
      Matrix(rows: rows, columns: columns, scalars: Array(gradient.scalars[half...]))
    )
  }

  /// The same gradients as the gradient with respect to the policy network's output `[2|A| x B]` (the mean
  /// rows, then the raw log-std rows), written into `gradient`.
  public func backward(
    _ sample: Sample, actionGradient: Matrix, logProbabilityGradient: [Float], into gradient: inout Matrix
  ) {
    let columns = sample.actions.columns
    let half = sample.actions.count  // the raw log-std rows start here
    precondition(
      actionGradient.rows == sample.actions.rows && actionGradient.columns == columns
        && logProbabilityGradient.count == columns, "gradient shapes differ from the sample's")
    gradient.prepare(rows: 2 * sample.actions.rows, columns: columns)
    sample.actions.scalars.withUnsafeBufferPointer { actions in
      sample.noise.scalars.withUnsafeBufferPointer { noise in
        sample.standardDeviation.scalars.withUnsafeBufferPointer { sigmas in
          sample.logStdSlope.scalars.withUnsafeBufferPointer { slopes in
            actionGradient.scalars.withUnsafeBufferPointer { actionGradient in
              gradient.scalars.withUnsafeMutableBufferPointer { gradient in
                for k in 0..<half {
                  let b = k % columns
                  let a = actions[k]
                  let sigmaEpsilon = sigmas[k] * noise[k]
                  let gA = actionGradient[k]
                  let gL = logProbabilityGradient[b]
                  let squash = 1 - a * a
                  gradient[k] = gA * squash + gL * 2 * a
                  let logStdGradient = gA * squash * sigmaEpsilon + gL * (-1 + 2 * a * sigmaEpsilon)
                  gradient[half + k] = logStdGradient * slopes[k]
                }
              }
            }
          }
        }
      }
    }
  }

  /// `tanh(x)` and `log(1 - tanh(x)²) - 2 log 2` from one Double `z = exp(-2|x|)` (`FloatMath.tanhAndExp`):
  /// `1 - tanh² = 4z / (1 + z)²`. glibc's Float `log` is its fast FMA version, unlike `expm1f`/`tanhf`
  /// (measured with `perf`).
  @inline(__always) static func squash(_ x: Float) -> (tanh: Float, logOneMinusSquareLessLog4: Float) {
    let (tanh, z) = FloatMath.tanhAndExp(x)
    let logTerm = -2 * abs(x) - 2 * Foundation.log(Float(1 + z))  // 1 + z in (1, 2]: Float's log is exact enough
    return (tanh, logTerm)
  }
}
