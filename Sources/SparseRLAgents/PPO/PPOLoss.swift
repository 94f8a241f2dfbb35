import Foundation

/// PPO's losses (Schulman et al. 2017, as CleanRL computes them) with their gradients, averaged over a
/// minibatch of `M` samples.
public enum PPOLoss {
  /// The clipped surrogate objective as a loss: `mean_b max(-A_b r_b, -A_b clip(r_b, 1 - ε, 1 + ε))` with
  /// `r_b = exp(log π(a_b) - log π_old(a_b))`.
  ///
  /// The gradient with respect to each new log-probability is `-A_b r_b / M` where the unclipped term is the
  /// larger one, and 0 where the clipped term is (the ratio left the range in the direction the advantage
  /// rewards). Also returns the fraction of clipped ratios (`|r - 1| > ε`) and the approximate KL divergence
  /// `mean((r - 1) - log r)`.
  public static func clippedSurrogate(
    logProbabilities: [Float], oldLogProbabilities: [Float], advantages: [Float], clip: Float
  ) -> (loss: Float, gradient: [Float], clipFraction: Float, approximateKL: Float) {
    let m = logProbabilities.count
    precondition(oldLogProbabilities.count == m && advantages.count == m, "PPO surrogate inputs differ in length")
    let scale = 1 / Float(max(m, 1))
    var loss: Float = 0
    var clipped = 0
    var kl: Float = 0
    var gradient = [Float](repeating: 0, count: m)
    for b in 0..<m {
      let logRatio = logProbabilities[b] - oldLogProbabilities[b]
      let ratio = Foundation.exp(logRatio)
      let unclippedTerm = -advantages[b] * ratio
      let clippedTerm = -advantages[b] * min(max(ratio, 1 - clip), 1 + clip)
      if unclippedTerm >= clippedTerm {
        loss += unclippedTerm
        gradient[b] = unclippedTerm * scale
      } else {
        loss += clippedTerm
      }
      if abs(ratio - 1) > clip { clipped += 1 }
      kl += (ratio - 1) - logRatio
    }
    return (loss * scale, gradient, Float(clipped) * scale, kl * scale)
  }

  /// The value loss `0.5 mean_b (V_b - R_b)^2`, or with `clip` the clipped form
  /// `0.5 mean_b max((V_b - R_b)^2, (V_old,b + clip(V_b - V_old,b, -ε, ε) - R_b)^2)`.
  /// Returns the loss and its gradient with respect to each `V_b` (0 where the clipped term is larger: the
  /// value moved more than ε away from the rollout's value).
  public static func value(values: [Float], oldValues: [Float], returns: [Float], clip: Float?) -> (
    loss: Float, gradient: [Float]
  ) {
    let m = values.count
    precondition(oldValues.count == m && returns.count == m, "PPO value-loss inputs differ in length")
    let scale = 1 / Float(max(m, 1))
    var loss: Float = 0
    var gradient = [Float](repeating: 0, count: m)
    for b in 0..<m {
      let error = values[b] - returns[b]
      let unclipped = error * error
      var clippedLoss = -Float.infinity
      if let clip {
        let clippedError = oldValues[b] + min(max(values[b] - oldValues[b], -clip), clip) - returns[b]
        clippedLoss = clippedError * clippedError
      }
      if unclipped >= clippedLoss {
        loss += 0.5 * unclipped
        gradient[b] = error * scale
      } else {
        loss += 0.5 * clippedLoss
      }
    }
    return (loss * scale, gradient)
  }
}
