/// Generalised advantage estimation over one environment's rollout, with Gymnasium's termination/truncation
/// rule: at a terminal step nothing is bootstrapped; at a truncated step the value of the final observation is.
///
/// For step t: `δ_t = r_t + γ (1 - terminated_t) V'_t - V(s_t)`, where `V'_t` is `nextValues[t]`: the value of the
/// observation that followed (the final observation for a truncated step, the next state otherwise, and the
/// value of the state after the rollout for the last step). Then `A_t = δ_t + γ λ (1 - ended_t) A_{t+1}` with
/// `ended_t = terminated_t || truncated_t`, and the value targets are `A_t + V(s_t)`.
public enum GeneralizedAdvantage {
  /// The advantages `A_t` and value targets `A_t + V(s_t)` of one rollout (arrays indexed by step).
  public static func estimate(
    rewards: [Float], values: [Float], nextValues: [Float], terminated: [Bool], truncated: [Bool], gamma: Float,
    lambda: Float
  ) -> (advantages: [Float], returns: [Float]) {
    let n = rewards.count
    precondition(
      [values.count, nextValues.count, terminated.count, truncated.count].allSatisfy { $0 == n },
      "GAE inputs differ in length")
    var advantages = [Float](repeating: 0, count: n)
    var running: Float = 0
    for t in stride(from: n - 1, through: 0, by: -1) {
      let delta = rewards[t] + (terminated[t] ? 0 : gamma * nextValues[t]) - values[t]
      let continues: Float = terminated[t] || truncated[t] ? 0 : 1
      running = delta + gamma * lambda * continues * running
      advantages[t] = running
    }
    return (advantages, zip(advantages, values).map { $0 + $1 })
  }
}
