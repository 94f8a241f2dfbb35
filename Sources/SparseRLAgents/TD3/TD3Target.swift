import SparseRLNumerics

/// TD3's critic target: target policy smoothing and the clipped double-Q bootstrap.
///
/// `y = R + bootstrapDiscount * min(Q1'(s', a~), Q2'(s', a~))` with
/// `a~ = clip(pi'(s') + clip(eps, -c, c), -1, 1)`, `eps ~ N(0, sigma^2)`. `R` and `bootstrapDiscount` come from
/// the replay buffer's n-step window (`sum_k gamma^k r_{t+k}` and `gamma^n`, or 0 after a terminal).
public enum TD3Target {
  /// Smoothing noise `clip(sigma * N(0, 1), -clip, clip)` of shape `[rows x columns]`.
  public static func smoothingNoise(
    rows: Int, columns: Int, standardDeviation: Float, clip: Float, using generator: inout RandomGenerator
  ) -> Matrix {
    var noise = Matrix(rows: rows, columns: columns)
    for k in 0..<noise.count {
      noise.scalars[k] = min(max(standardDeviation * Float(generator.normal()), -clip), clip)
    }
    return noise
  }

  /// The smoothed target actions `clip(targetActions + noise, -1, 1)` (normalised units).
  public static func smoothedActions(_ targetActions: Matrix, noise: Matrix) -> Matrix {
    precondition(targetActions.rows == noise.rows && targetActions.columns == noise.columns, "noise shape differs")
    var result = targetActions
    for k in 0..<result.count { result.scalars[k] = min(max(result.scalars[k] + noise.scalars[k], -1), 1) }
    return result
  }

  /// `R + bootstrapDiscount * min(q1, q2)` per sample.
  public static func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float]
  ) -> [Float] {
    precondition(
      rewards.count == bootstrapDiscounts.count && rewards.count == targetQ1.count && rewards.count == targetQ2.count,
      "TD3 target inputs differ in length")
    var y = [Float](repeating: 0, count: rewards.count)
    for b in 0..<y.count { y[b] = rewards[b] + bootstrapDiscounts[b] * min(targetQ1[b], targetQ2[b]) }
    return y
  }
}
