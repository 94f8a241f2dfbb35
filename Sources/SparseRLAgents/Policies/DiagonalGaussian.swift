import Foundation
import SparseRLNumerics

/// A diagonal Gaussian over unsquashed actions (PPO's continuous policy): mean `[actions x batch]` from the
/// network, log σ per action dimension from a state-independent parameter (as in CleanRL and SB3).
public struct DiagonalGaussian {
  /// The mean `[actions x batch]`.
  public let mean: Matrix
  /// log σ, one per action dimension, shared by the batch.
  public let logStd: [Float]

  /// The distribution with `mean` and `logStd` (one per row of `mean`).
  public init(mean: Matrix, logStd: [Float]) {
    precondition(logStd.count == mean.rows, "one log-std per action dimension")
    self.mean = mean
    self.logStd = logStd
  }

  /// Samples `μ + σ ε`.
  public func sample(using generator: inout RandomGenerator) -> Matrix {
    var result = mean
    for i in 0..<mean.rows {
      let sigma = Foundation.exp(logStd[i])
      for b in 0..<mean.columns { result[i, b] += sigma * Float(generator.normal()) }
    }
    return result
  }

  /// log π(a) per column.
  public func logProbability(of actions: Matrix) -> [Float] {
    let halfLogTwoPi = Float(0.5 * Foundation.log(2 * Double.pi))
    return (0..<mean.columns).map { b in
      var total: Float = 0
      for i in 0..<mean.rows {
        let z = (actions[i, b] - mean[i, b]) / Foundation.exp(logStd[i])
        total += -0.5 * z * z - logStd[i] - halfLogTwoPi
      }
      return total
    }
  }

  /// Entropy per column (the same for every column).
  public func entropy() -> [Float] {
    let perDimension = logStd.reduce(0) { $0 + 0.5 + Float(0.5 * Foundation.log(2 * Double.pi)) + $1 }
    return [Float](repeating: perDimension, count: mean.columns)
  }

  /// Gradients of `Σ_b (g_b log π(a_b) + h_b H_b)` with respect to the mean and to log σ.
  public func gradients(
    actions: Matrix, logProbabilityGradient g: [Float], entropyGradient h: [Float]
  ) -> (mean: Matrix, logStd: [Float]) {
    var meanGradient = Matrix(rows: mean.rows, columns: mean.columns)
    var logStdGradient = [Float](repeating: 0, count: mean.rows)
    for i in 0..<mean.rows {
      let variance = Foundation.exp(2 * logStd[i])
      for b in 0..<mean.columns {
        let difference = actions[i, b] - mean[i, b]
        meanGradient[i, b] = g[b] * difference / variance
        logStdGradient[i] += g[b] * (difference * difference / variance - 1) + h[b]
      }
    }
    return (meanGradient, logStdGradient)
  }
}
