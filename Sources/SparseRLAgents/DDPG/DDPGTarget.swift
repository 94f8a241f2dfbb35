/// DDPG's critic target: the target critic at the target actor's action, no smoothing and no minimum.
///
/// `y = R + bootstrapDiscount * Q'(s', pi'(s'))`, with `R` and `bootstrapDiscount` from the replay buffer's n-step
/// window (`sum_k gamma^k r_{t+k}` and `gamma^n`, or 0 after a terminal). A value of this type (the agent keeps
/// one) computes the targets in an array it rewrites on every update.
public struct DDPGTarget {
  /// The targets of the last `values` call.
  public private(set) var lastValues: [Float] = []

  /// A target with an empty buffer.
  public init() {}

  /// `R + bootstrapDiscount * targetQ` per sample (kept as `lastValues` until the next call).
  public mutating func values(rewards: [Float], bootstrapDiscounts: [Float], targetQ: [Float]) -> [Float] {
    DDPGTarget.values(rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, targetQ: targetQ, into: &lastValues)
    return lastValues
  }

  /// `R + bootstrapDiscount * targetQ` per sample.
  public static func values(rewards: [Float], bootstrapDiscounts: [Float], targetQ: [Float]) -> [Float] {
    var y: [Float] = []
    values(rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, targetQ: targetQ, into: &y)
    return y
  }

  /// `values(rewards:bootstrapDiscounts:targetQ:)` written into `y`, resized in its own storage.
  public static func values(rewards: [Float], bootstrapDiscounts: [Float], targetQ: [Float], into y: inout [Float]) {
    precondition(
      rewards.count == bootstrapDiscounts.count && rewards.count == targetQ.count, "DDPG target inputs differ in length"
    )
    y.prepare(count: rewards.count)
    for b in 0..<y.count { y[b] = rewards[b] + bootstrapDiscounts[b] * targetQ[b] }
  }
}
