/// SAC's soft n-step critic target with RLx2's entropy terms at the intermediate states.
///
/// For a window of `m` steps from `s_t` (fewer than n when it stopped at a terminal or truncation):
/// `y = sum_{k<m} gamma^k r_{t+k} - alpha * sum_{1<=k<m} gamma^k log pi(a_k | s_{t+k})
///      + gamma^m [min(Q1', Q2')(s_{t+m}, a') - alpha log pi(a' | s_{t+m})]`,
/// where `a_k ~ pi(.|s_{t+k})` and `a' ~ pi(.|s_{t+m})` are sampled from the online actor, and the bootstrap term
/// is dropped (discount 0) after a terminal. The replay buffer supplies the discounted reward sum, the
/// bootstrap discounts `gamma^m` (or 0) and the intermediate discounts `gamma^k` (0 past a window's end).
///
/// A value of this type (the agent keeps one) computes the targets in an array it rewrites on every update.
public struct SACTarget {
  /// The targets of the last `values` call.
  public private(set) var lastValues: [Float] = []

  /// A target with an empty buffer.
  public init() {}

  /// The targets per sample (kept as `lastValues` until the next call); the arguments are those of
  /// `SACTarget.values(rewards:bootstrapDiscounts:targetQ1:targetQ2:nextLogProbabilities:intermediateDiscounts:intermediateLogProbabilities:alpha:)`.
  public mutating func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float],
    nextLogProbabilities: [Float], intermediateDiscounts: [[Float]], intermediateLogProbabilities: [[Float]],
    alpha: Float
  ) -> [Float] {
    SACTarget.values(
      rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, targetQ1: targetQ1, targetQ2: targetQ2,
      nextLogProbabilities: nextLogProbabilities, intermediateDiscounts: intermediateDiscounts,
      intermediateLogProbabilities: intermediateLogProbabilities, alpha: alpha, into: &lastValues)
    return lastValues
  }

  /// The targets per sample. `intermediateDiscounts[k-1]` and `intermediateLogProbabilities[k-1]` belong to
  /// s_{t+k}.
  public static func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float],
    nextLogProbabilities: [Float], intermediateDiscounts: [[Float]], intermediateLogProbabilities: [[Float]],
    alpha: Float
  ) -> [Float] {
    var y: [Float] = []
    values(
      rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, targetQ1: targetQ1, targetQ2: targetQ2,
      nextLogProbabilities: nextLogProbabilities, intermediateDiscounts: intermediateDiscounts,
      intermediateLogProbabilities: intermediateLogProbabilities, alpha: alpha, into: &y)
    return y
  }

  /// The targets per sample written into `y`, resized in its own storage.
  public static func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float],
    nextLogProbabilities: [Float], intermediateDiscounts: [[Float]], intermediateLogProbabilities: [[Float]],
    alpha: Float, into y: inout [Float]
  ) {
    let count = rewards.count
    precondition(
      bootstrapDiscounts.count == count && targetQ1.count == count && targetQ2.count == count
        && nextLogProbabilities.count == count, "SAC target inputs differ in length")
    precondition(intermediateDiscounts.count == intermediateLogProbabilities.count, "intermediate terms differ")
    y.prepare(count: count)
    for b in 0..<count {
      var value = rewards[b]
      for k in 0..<intermediateDiscounts.count {
        value -= intermediateDiscounts[k][b] * alpha * intermediateLogProbabilities[k][b]
      }
      let softValue = min(targetQ1[b], targetQ2[b]) - alpha * nextLogProbabilities[b]
      y[b] = value + bootstrapDiscounts[b] * softValue
    }
  }
}
