import SparseRLNumerics

/// TD3's critic target: target policy smoothing and the clipped double-Q bootstrap.
///
/// `y = R + bootstrapDiscount * min(Q1'(s', a~), Q2'(s', a~))` with
/// `a~ = clip(pi'(s') + clip(eps, -c, c), -1, 1)`, `eps ~ N(0, sigma^2)`. `R` and `bootstrapDiscount` come from
/// the replay buffer's n-step window (`sum_k gamma^k r_{t+k}` and `gamma^n`, or 0 after a terminal).
///
/// The static functions compute each part into fresh arrays; a value of this type (the agent keeps one) computes
/// them in buffers it rewrites on every update, so an update allocates nothing.
public struct TD3Target {
  /// sigma, the standard deviation of the smoothing noise (normalised action units).
  public let standardDeviation: Float
  /// c, the bound of the smoothing noise.
  public let clip: Float
  private var noise = Matrix(rows: 0, columns: 0)
  private var smoothed = Matrix(rows: 0, columns: 0)
  /// The targets of the last `values` call.
  public private(set) var lastValues: [Float] = []

  /// The target with smoothing noise `clip(N(0, standardDeviation^2), -clip, clip)`.
  public init(standardDeviation: Float, clip: Float) {
    self.standardDeviation = standardDeviation
    self.clip = clip
  }

  /// The smoothed target actions `clip(targetActions + clip(eps, -c, c), -1, 1)`, with the noise drawn from
  /// `generator` (in storage the next call rewrites).
  public mutating func smoothedActions(_ targetActions: Matrix, using generator: inout RandomGenerator) -> Matrix {
    TD3Target.smoothingNoise(
      into: &noise, rows: targetActions.rows, columns: targetActions.columns, standardDeviation: standardDeviation,
      clip: clip, using: &generator)
    TD3Target.smoothedActions(targetActions, noise: noise, into: &smoothed)
    return smoothed
  }

  /// `R + bootstrapDiscount * min(q1, q2)` per sample (kept as `lastValues` until the next call).
  public mutating func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float]
  ) -> [Float] {
    TD3Target.values(
      rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, targetQ1: targetQ1, targetQ2: targetQ2,
      into: &lastValues)
    return lastValues
  }

  /// Smoothing noise `clip(sigma * N(0, 1), -clip, clip)` of shape `[rows x columns]`.
  public static func smoothingNoise(
    rows: Int, columns: Int, standardDeviation: Float, clip: Float, using generator: inout RandomGenerator
  ) -> Matrix {
    var noise = Matrix(rows: 0, columns: 0)
    smoothingNoise(
      into: &noise, rows: rows, columns: columns, standardDeviation: standardDeviation, clip: clip,
      using: &generator)
    return noise
  }

  /// `smoothingNoise(rows:columns:standardDeviation:clip:using:)` written into `noise`, prepared to the shape.
  public static func smoothingNoise(
    into noise: inout Matrix, rows: Int, columns: Int, standardDeviation: Float, clip: Float,
    using generator: inout RandomGenerator
  ) {
    noise.prepare(rows: rows, columns: columns)
    for k in 0..<noise.count {
      noise.scalars[k] = min(max(standardDeviation * Float(generator.normal()), -clip), clip)
    }
  }

  /// The smoothed target actions `clip(targetActions + noise, -1, 1)` (normalised units).
  public static func smoothedActions(_ targetActions: Matrix, noise: Matrix) -> Matrix {
    var result = Matrix(rows: 0, columns: 0)
    smoothedActions(targetActions, noise: noise, into: &result)
    return result
  }

  /// `smoothedActions(_:noise:)` written into `result`, prepared to the shape.
  public static func smoothedActions(_ targetActions: Matrix, noise: Matrix, into result: inout Matrix) {
    precondition(targetActions.rows == noise.rows && targetActions.columns == noise.columns, "noise shape differs")
    result.prepare(rows: targetActions.rows, columns: targetActions.columns)
    for k in 0..<result.count {
      result.scalars[k] = min(max(targetActions.scalars[k] + noise.scalars[k], -1), 1)
    }
  }

  /// `R + bootstrapDiscount * min(q1, q2)` per sample.
  public static func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float]
  ) -> [Float] {
    var y: [Float] = []
    values(rewards: rewards, bootstrapDiscounts: bootstrapDiscounts, targetQ1: targetQ1, targetQ2: targetQ2, into: &y)
    return y
  }

  /// `values(rewards:bootstrapDiscounts:targetQ1:targetQ2:)` written into `y`, resized in its own storage.
  public static func values(
    rewards: [Float], bootstrapDiscounts: [Float], targetQ1: [Float], targetQ2: [Float], into y: inout [Float]
  ) {
    precondition(
      rewards.count == bootstrapDiscounts.count && rewards.count == targetQ1.count && rewards.count == targetQ2.count,
      "TD3 target inputs differ in length")
    y.prepare(count: rewards.count)
    for b in 0..<y.count { y[b] = rewards[b] + bootstrapDiscounts[b] * min(targetQ1[b], targetQ2[b]) }
  }
}
