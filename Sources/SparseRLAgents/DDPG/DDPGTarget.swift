/// DDPG's critic target: the target critic at the target actor's action, no smoothing and no minimum.
///
/// `y = R + bootstrapDiscount * Q'(s', pi'(s'))`, with `R` and `bootstrapDiscount` from the replay buffer's n-step
/// window (`sum_k gamma^k r_{t+k}` and `gamma^n`, or 0 after a terminal).
public enum DDPGTarget {
  /// `R + bootstrapDiscount * targetQ` per sample.
  public static func values(rewards: [Float], bootstrapDiscounts: [Float], targetQ: [Float]) -> [Float] {
    precondition(
      rewards.count == bootstrapDiscounts.count && rewards.count == targetQ.count, "DDPG target inputs differ in length"
    )
    var y = [Float](repeating: 0, count: rewards.count)
    for b in 0..<y.count { y[b] = rewards[b] + bootstrapDiscounts[b] * targetQ[b] }
    return y
  }
}
