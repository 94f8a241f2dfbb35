/// Scores of one group of runs: one column per task, one entry per run (seed) on that task. This is rliable's
/// `num_runs x num_tasks` matrix, allowing a different number of runs per task (a failed run leaves a gap).
public struct ScoreMatrix: Equatable, Sendable {
  /// `columns[task][run]`.
  public var columns: [[Double]]

  /// Scores by task: `columns[task][run]`.
  public init(columns: [[Double]]) {
    precondition(!columns.isEmpty && columns.allSatisfy { !$0.isEmpty }, "every task needs at least one run")
    self.columns = columns
  }

  /// From rliable's layout, `rows[run][task]`.
  public init(rows: [[Double]]) {
    precondition(!rows.isEmpty)
    self.init(columns: rows[0].indices.map { task in rows.map { $0[task] } })
  }

  /// Number of tasks.
  public var taskCount: Int { columns.count }
  /// Every score, task by task.
  public var pooled: [Double] { columns.flatMap { $0 } }
  /// The mean score of each task.
  public var taskMeans: [Double] { columns.map { $0.reduce(0, +) / Double($0.count) } }
}

/// The aggregate metrics of rliable (`rliable/metrics.py`), on a score matrix.
public enum AggregateMetric: String, CaseIterable, Sendable {
  /// Interquartile mean: the 25%-trimmed mean of every score pooled (scipy's `trim_mean(x, 0.25, axis=None)`:
  /// sorted scores from index `floor(n/4)` up to `n - floor(n/4)`).
  case iqm
  /// Mean of the per-task mean scores.
  case mean
  /// Median of the per-task mean scores.
  case median
  /// `gamma - mean(min(score, gamma))` over every score, gamma = 1.
  case optimalityGap = "optimality_gap"

  /// The metric's name in tables and figures.
  public var title: String {
    switch self {
    case .iqm: "IQM"
    case .mean: "Mean"
    case .median: "Median"
    case .optimalityGap: "Optimality gap"
    }
  }

  /// The metric of `scores`.
  public func callAsFunction(_ scores: ScoreMatrix) -> Double {
    switch self {
    case .iqm: return Self.trimmedMean(scores.pooled, proportion: 0.25)
    case .mean: return Self.mean(scores.taskMeans)
    case .median: return Self.median(scores.taskMeans)
    case .optimalityGap:
      let pooled = scores.pooled
      return 1 - pooled.reduce(0) { $0 + min($1, 1) } / Double(pooled.count)
    }
  }

  static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

  /// numpy's median: the middle value, or the mean of the two middle values.
  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  /// scipy's `trim_mean`: cuts `floor(proportion * n)` values from each end.
  static func trimmedMean(_ values: [Double], proportion: Double) -> Double {
    let sorted = values.sorted()
    let cut = Int(proportion * Double(sorted.count))
    return mean(Array(sorted[cut..<(sorted.count - cut)]))
  }
}

/// Probability of improvement P(X > Y) (rliable's `probability_of_improvement`): per task, the Mann-Whitney U
/// statistic of X over Y divided by the number of pairs (a tie counts 1/2; identical columns give 1/2), averaged
/// over tasks. X and Y need the same tasks, in the same order.
public func probabilityOfImprovement(_ x: ScoreMatrix, over y: ScoreMatrix) -> Double {
  precondition(x.taskCount == y.taskCount, "P(X > Y) needs the same tasks")
  var total = 0.0
  for (a, b) in zip(x.columns, y.columns) {
    if a == b {
      total += 0.5
      continue
    }
    var wins = 0.0
    for u in a {
      for v in b { wins += u > v ? 1 : (u == v ? 0.5 : 0) }
    }
    total += wins / Double(a.count * b.count)
  }
  return total / Double(x.taskCount)
}

/// Performance profiles (rliable's `create_performance_profile`).
public enum PerformanceProfile {
  /// Score distribution: for each threshold, the fraction of all runs (pooled over tasks) scoring above it.
  public static func scoreDistribution(_ scores: ScoreMatrix, thresholds: [Double]) -> [Double] {
    let pooled = scores.pooled
    return thresholds.map { tau in Double(pooled.count { $0 > tau }) / Double(pooled.count) }
  }

  /// Average score distribution: the fraction of tasks whose mean score is above each threshold.
  public static func averageScoreDistribution(_ scores: ScoreMatrix, thresholds: [Double]) -> [Double] {
    let means = scores.taskMeans
    return thresholds.map { tau in Double(means.count { $0 > tau }) / Double(means.count) }
  }
}
