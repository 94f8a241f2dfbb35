import SparseRLNumerics

/// Stratified bootstrap confidence intervals, as rliable computes them (`StratifiedBootstrap` with arch's
/// `conf_int(method="percentile")`): each replicate resamples the runs of every task with replacement,
/// independently per task (so each task keeps its number of runs), and recomputes the statistic; the interval is
/// the (1 - size)/2 and (1 + size)/2 percentiles of the replicates, linearly interpolated as numpy does.
public struct StratifiedBootstrap: Sendable {
  /// Number of replicates (rliable: 50,000 for aggregates, 2,000 for profiles).
  public var replicates: Int
  /// Coverage of the interval.
  public var size: Double
  /// Seed of the resampling generator (the same seed gives the same intervals).
  public var seed: UInt64

  /// An interval of coverage `size` from `replicates` stratified resamples.
  public init(replicates: Int = 50_000, size: Double = 0.95, seed: UInt64 = 0) {
    precondition(replicates > 1 && size > 0 && size < 1)
    self.replicates = replicates
    self.size = size
    self.seed = seed
  }

  /// Lower and upper bounds for each output of `statistic`.
  public func interval(_ scores: ScoreMatrix, _ statistic: (ScoreMatrix) -> [Double]) -> [(
    lower: Double, upper: Double
  )] {
    var random = RandomGenerator(seed: seed).stream("stratified-bootstrap")
    var samples: [[Double]] = []
    samples.reserveCapacity(replicates)
    for _ in 0..<replicates { samples.append(statistic(resample(scores, &random))) }
    return bounds(samples)
  }

  /// The interval of a scalar statistic.
  public func interval(_ scores: ScoreMatrix, _ statistic: (ScoreMatrix) -> Double) -> (lower: Double, upper: Double) {
    interval(scores) { [statistic($0)] }[0]
  }

  /// The interval of a statistic of two groups, each resampled independently within each task (rliable's
  /// `StratifiedIndependentBootstrap`, used for the probability of improvement).
  public func interval(
    _ x: ScoreMatrix, _ y: ScoreMatrix, _ statistic: (ScoreMatrix, ScoreMatrix) -> Double
  ) -> (lower: Double, upper: Double) {
    var random = RandomGenerator(seed: seed).stream("stratified-independent-bootstrap")
    var samples: [[Double]] = []
    samples.reserveCapacity(replicates)
    for _ in 0..<replicates {
      let a = resample(x, &random)
      samples.append([statistic(a, resample(y, &random))])
    }
    return bounds(samples)[0]
  }

  /// The replicates of a scalar statistic (for checking Monte-Carlo error).
  public func replicates(_ scores: ScoreMatrix, _ statistic: (ScoreMatrix) -> Double) -> [Double] {
    var random = RandomGenerator(seed: seed).stream("stratified-bootstrap")
    return (0..<replicates).map { _ in statistic(resample(scores, &random)) }
  }

  private func resample(_ scores: ScoreMatrix, _ random: inout RandomGenerator) -> ScoreMatrix {
    ScoreMatrix(
      columns: scores.columns.map { column in column.map { _ in column[random.integer(below: column.count)] } })
  }

  private func bounds(_ samples: [[Double]]) -> [(lower: Double, upper: Double)] {
    let tail = (1 - size) / 2
    return samples[0].indices.map { output in
      let sorted = samples.map { $0[output] }.sorted()
      return (Self.percentile(sorted, tail), Self.percentile(sorted, 1 - tail))
    }
  }

  /// numpy's default (`linear`) percentile of sorted values, `q` in [0, 1].
  public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
  }
}
