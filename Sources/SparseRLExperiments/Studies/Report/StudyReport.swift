import Foundation

/// What `sparserl report` computes from study folders: per-run scores normalised per task, aggregate metrics with
/// stratified-bootstrap confidence intervals, probabilities of improvement over the baseline, performance
/// profiles, and the figures (SVG) and tables (Markdown and CSV) of the papers.
public struct StudyReport {
  /// Choices of `report` (each falls back to the study file's `report:` section).
  public struct Options {
    /// The axis whose values are tasks (default: the study's, else `environment` when there is one).
    public var task: String?
    /// The axes that make a group (default: the study's, else every axis but the task).
    public var group: [String]?
    /// The baseline group, axis -> value name (its mean score per task normalises that task to 1).
    public var baseline: [String: String]?
    /// Fixed (min, max) per task.
    public var ranges: [String: [Double]]?
    /// `train.csv` columns to plot against steps (e.g. the diagnostics `critic1/dormant_0.1`).
    public var curves: [String]?
    /// Bootstrap replicates per confidence interval.
    public var replicates = 2_000
    /// Seed of the bootstrap generator.
    public var seed: UInt64 = 0
    /// Also write the RLx2 Table 2 layout.
    public var paper = false
    /// Every choice from the study file's `report:` section, 2,000 replicates, seed 0.
    public init() {}
  }

  /// One group of runs and its scores.
  public struct Group {
    /// The group name in tables and figures (its axis values joined).
    public var label: String
    /// Its value of each group axis.
    public var values: [String: String]
    /// Its finished runs.
    public var runs: [StudyResults.Run]
    /// Normalised scores by task.
    public var scores: [String: [Double]]
  }

  /// The runs read.
  public let results: StudyResults
  /// The task axis (nil: every run is one task).
  public let task: String?
  /// The axes that make a group.
  public let groupAxes: [String]
  /// The baseline group, axis -> value name.
  public let baseline: [String: String]?
  /// Fixed (min, max) normalisation per task.
  public let ranges: [String: [Double]]?
  /// The task names, in axis order; without a task axis, the one task is named by the runs' common environment
  /// (or "all" when they differ).
  public let tasks: [String]
  /// The groups, in axis order.
  public let groups: [Group]
  /// The confidence-interval method.
  public let bootstrap: StratifiedBootstrap
  /// Whether the RLx2 Table 2 layout is written too.
  public let paper: Bool
  /// The `train.csv` columns plotted against steps.
  public let curves: [String]

  /// Groups and normalises `results` as `options` say; throws when an axis named there does not exist or a task has no baseline score.
  public init(results: StudyResults, options: Options) throws {
    self.results = results
    let axes = results.axisOrder
    let task =
      options.task ?? results.settings.task ?? (axes.contains("environment") ? "environment" : nil)
    self.task = task
    let groupAxes = options.group ?? results.settings.group ?? axes.filter { $0 != task }
    self.groupAxes = groupAxes
    let baseline = options.baseline ?? results.settings.baseline
    let ranges = options.ranges ?? results.settings.ranges
    self.baseline = baseline
    self.ranges = ranges
    paper = options.paper
    curves = options.curves ?? results.settings.curves ?? []
    bootstrap = StratifiedBootstrap(replicates: options.replicates, seed: options.seed)
    for axis in [task].compactMap({ $0 }) + groupAxes + (baseline.map { Array($0.keys) } ?? [])
    where !axes.contains(axis) {
      throw StudyFile.Problem(
        description: "the studies have no axis '\(axis)' (they have \(axes.joined(separator: ", ")))")
    }
    guard !results.runs.isEmpty else { throw StudyFile.Problem(description: "no finished runs to report") }
    let environments = Set(results.runs.map(\.record.environment))
    let onlyTask = environments.count == 1 ? environments.first! : "all"
    self.onlyTask = onlyTask
    let taskOf: (StudyResults.Run) -> String = { run in task.flatMap { run.axes[$0] } ?? onlyTask }
    let tasks =
      task.map { results.axisValues[$0] ?? [] }?.filter { name in results.runs.contains { taskOf($0) == name } }
      ?? [onlyTask]
    self.tasks = tasks
    // Normalisers per task.
    var normalise: [String: (Double) -> Double] = [:]
    for name in tasks {
      if let range = ranges?[name], range.count == 2 {
        normalise[name] = { ($0 - range[0]) / (range[1] - range[0]) }
      } else if let baseline {
        let reference = results.runs.filter { run in
          taskOf(run) == name && baseline.allSatisfy { run.axes[$0.key] == $0.value }
        }.map(\.score)
        guard !reference.isEmpty else {
          throw StudyFile.Problem(description: "the baseline group has no finished run on task '\(name)'")
        }
        let mean = reference.reduce(0, +) / Double(reference.count)
        guard mean != 0 else { throw StudyFile.Problem(description: "the baseline's mean score on '\(name)' is 0") }
        normalise[name] = { $0 / mean }
      } else {
        normalise[name] = { $0 }
      }
    }
    // Groups in the axes' declaration order.
    var combinations: [[String: String]] = [[:]]
    for axis in groupAxes {
      combinations = combinations.flatMap { prefix in
        (results.axisValues[axis] ?? []).map { prefix.merging([axis: $0]) { $1 } }
      }
    }
    groups = combinations.compactMap { values in
      let runs = results.runs.filter { run in values.allSatisfy { run.axes[$0.key] == $0.value } }
      guard !runs.isEmpty else { return nil }
      var scores: [String: [Double]] = [:]
      for run in runs { scores[taskOf(run), default: []].append(normalise[taskOf(run)]!(run.score)) }
      let label = groupAxes.map { values[$0]! }.joined(separator: " / ")
      return Group(label: label.isEmpty ? "all" : label, values: values, runs: runs, scores: scores)
    }
  }

  /// The name of the one task when there is no task axis.
  private let onlyTask: String

  /// The task `run` belongs to.
  public func taskName(of run: StudyResults.Run) -> String { task.flatMap { run.axes[$0] } ?? onlyTask }

  /// The score matrix of a group over `tasks` (those it has runs on).
  public func matrix(_ group: Group, tasks: [String]? = nil) -> ScoreMatrix {
    ScoreMatrix(columns: (tasks ?? self.tasks).compactMap { group.scores[$0] })
  }

  /// The baseline group (when it is one of the groups).
  public var baselineGroup: Group? {
    guard let baseline else { return nil }
    return groups.first { group in
      baseline.allSatisfy { group.values[$0.key] == $0.value || group.values[$0.key] == nil }
    }
  }

  /// One aggregate with its interval.
  public struct Estimate {
    /// The group label.
    public var group: String
    /// The metric.
    public var metric: AggregateMetric
    /// The point estimate.
    public var value: Double
    /// Lower end of the 95% interval.
    public var lower: Double
    /// Upper end of the 95% interval.
    public var upper: Double
  }

  /// Every aggregate metric of every group, with stratified-bootstrap intervals.
  public func aggregates() -> [Estimate] {
    groups.flatMap { group -> [Estimate] in
      let scores = matrix(group)
      let metrics = AggregateMetric.allCases
      let intervals = bootstrap.interval(scores) { sample in metrics.map { $0(sample) } }
      return metrics.enumerated().map { index, metric in
        Estimate(
          group: group.label, metric: metric, value: metric(scores), lower: intervals[index].lower,
          upper: intervals[index].upper)
      }
    }
  }

  /// P(group > baseline) for every other group, on the tasks both have.
  public func improvements() -> [(group: String, baseline: String, value: Double, lower: Double, upper: Double)] {
    guard let reference = baselineGroup else { return [] }
    return groups.filter { $0.label != reference.label }.compactMap { group in
      let common = tasks.filter { group.scores[$0] != nil && reference.scores[$0] != nil }
      guard !common.isEmpty else { return nil }
      let x = matrix(group, tasks: common)
      let y = matrix(reference, tasks: common)
      let interval = bootstrap.interval(x, y) { probabilityOfImprovement($0, over: $1) }
      return (group.label, reference.label, probabilityOfImprovement(x, over: y), interval.lower, interval.upper)
    }
  }

  /// Thresholds of the performance profiles: 101 points over the range of the normalised scores.
  public var profileThresholds: [Double] {
    let all = groups.flatMap { matrix($0).pooled }
    let low = min(all.min() ?? 0, 0)
    let high = max(all.max() ?? 1, 1)
    return (0...100).map { low + (high - low) * Double($0) / 100 }
  }

  /// The score distribution of each group with its bootstrap band.
  public func profiles() -> [(group: String, values: [Double], band: [(lower: Double, upper: Double)])] {
    let thresholds = profileThresholds
    return groups.map { group in
      let scores = matrix(group)
      return (
        group.label, PerformanceProfile.scoreDistribution(scores, thresholds: thresholds),
        bootstrap.interval(scores) { PerformanceProfile.scoreDistribution($0, thresholds: thresholds) }
      )
    }
  }

  /// Whether scores are normalised (and how, for labels).
  public var scoreLabel: String {
    if ranges != nil { return "normalised score" }
    if let baseline { return "score / " + baseline.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",") }
    return "score"
  }
}
