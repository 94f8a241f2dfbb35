import Foundation
import SparseRLNumerics

/// A categorical distribution over `K` actions from logits `[K x batch]` (PPO's discrete policy).
public struct Categorical {
  /// Softmax probabilities, `[K x batch]`.
  public let probabilities: Matrix
  /// Log-probabilities, `[K x batch]`.
  public let logProbabilities: Matrix

  /// The distribution of each column of `logits`.
  public init(logits: Matrix) {
    var logP = logits
    for b in 0..<logits.columns {
      var maximum = -Float.infinity
      for k in 0..<logits.rows { maximum = max(maximum, logits[k, b]) }
      var sum: Float = 0
      for k in 0..<logits.rows { sum += Foundation.exp(logits[k, b] - maximum) }
      let logSum = maximum + Foundation.log(sum)
      for k in 0..<logits.rows { logP[k, b] = logits[k, b] - logSum }
    }
    logProbabilities = logP
    var p = logP
    for k in 0..<p.count { p.scalars[k] = Foundation.exp(p.scalars[k]) }
    probabilities = p
  }

  /// Samples one action per column.
  public func sample(using generator: inout RandomGenerator) -> [Int] {
    (0..<probabilities.columns).map { b in
      let u = Float(generator.nextDouble())
      var cumulative: Float = 0
      for k in 0..<probabilities.rows {
        cumulative += probabilities[k, b]
        if u < cumulative { return k }
      }
      return probabilities.rows - 1
    }
  }

  /// The most probable action of each column (lowest index on ties).
  public func mode() -> [Int] {
    (0..<probabilities.columns).map { b in
      var best = 0
      for k in 1..<probabilities.rows where probabilities[k, b] > probabilities[best, b] { best = k }
      return best
    }
  }

  /// log π(a_b) per column.
  public func logProbability(of actions: [Int]) -> [Float] {
    actions.enumerated().map { b, a in logProbabilities[a, b] }
  }

  /// Entropy per column.
  public func entropy() -> [Float] {
    (0..<probabilities.columns).map { b in
      var h: Float = 0
      for k in 0..<probabilities.rows { h -= probabilities[k, b] * logProbabilities[k, b] }
      return h
    }
  }

  /// Gradient with respect to the logits of `Σ_b (g_b log π(a_b) + h_b H_b)`.
  public func logitGradient(actions: [Int], logProbabilityGradient g: [Float], entropyGradient h: [Float]) -> Matrix {
    let entropies = entropy()
    var result = Matrix(rows: probabilities.rows, columns: probabilities.columns)
    for b in 0..<probabilities.columns {
      for k in 0..<probabilities.rows {
        let p = probabilities[k, b]
        let dLogP = (k == actions[b] ? 1 : 0) - p
        let dEntropy = -p * (logProbabilities[k, b] + entropies[b])
        result[k, b] = g[b] * dLogP + h[b] * dEntropy
      }
    }
    return result
  }
}
