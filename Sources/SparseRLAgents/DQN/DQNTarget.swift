import SparseRLNumerics

/// DQN's bootstrapped regression targets `y_b = R_b + d_b Q_target(s'_b, a*_b)`, where `R_b` is the (n-step)
/// discounted reward and `d_b` the bootstrap discount of a `TransitionBatch` (0 after a terminal, so nothing
/// is bootstrapped; γ^m after m steps otherwise, a truncation included).
///
/// - Plain DQN: `a*_b = argmax_a Q_target(s'_b, a)`, i.e. the target network's maximum.
/// - Double DQN (van Hasselt et al. 2016): `a*_b = argmax_a Q_online(s'_b, a)`, valued by the target network.
public enum DQNTarget {
  /// The targets from the Q-values of the next observations, `[actions x batch]` each. `nextOnlineQ` is only
  /// read for double DQN (pass `nil` otherwise). Ties in the argmax go to the lowest action index.
  public static func targets(
    rewards: [Float], bootstrapDiscounts: [Float], nextTargetQ: Matrix, nextOnlineQ: Matrix?
  ) -> [Float] {
    var result: [Float] = []
    targets(
      rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, nextTargetQ: nextTargetQ, nextOnlineQ: nextOnlineQ,
      into: &result)
    return result
  }

  /// `targets(rewards:bootstrapDiscounts:nextTargetQ:nextOnlineQ:)` written into `result`, resized in its own
  /// storage (an agent that keeps the array allocates nothing per update).
  public static func targets(
    rewards: [Float], bootstrapDiscounts: [Float], nextTargetQ: Matrix, nextOnlineQ: Matrix?,
    into result: inout [Float]
  ) {
    precondition(rewards.count == nextTargetQ.columns && bootstrapDiscounts.count == rewards.count)
    result.prepare(count: rewards.count)
    for b in 0..<rewards.count {
      let value: Float
      if let nextOnlineQ {
        value = nextTargetQ[greedyAction(nextOnlineQ, column: b), b]
      } else {
        value = nextTargetQ[greedyAction(nextTargetQ, column: b), b]
      }
      result[b] = rewards[b] + bootstrapDiscounts[b] * value
    }
  }

  /// The index of the largest value of one column (the lowest index on ties).
  public static func greedyAction(_ q: Matrix, column b: Int) -> Int {
    var best = 0
    for a in 1..<q.rows where q[a, b] > q[best, b] { best = a }
    return best
  }
}
