import Foundation

/// The runs of one or more study folders, as `report` reads them: each finished run's axis values, final score,
/// accounting, evaluation curve and (when `evaluate --noise` wrote one) its noise-robustness results.
public struct StudyResults {
  /// One finished run.
  public struct Run {
    /// The run folder name.
    public var name: String
    /// Its value name of each axis.
    public var axes: [String: String]
    /// Its seed.
    public var seed: Int
    /// Its `run.json`.
    public var record: RunRecord
    /// Evaluation returns by step (`eval.csv`).
    public var curve: [(step: Int, meanReturn: Double)]
    /// Mean return by observation-noise standard deviation (`evaluation.csv`), if evaluated.
    public var noise: [(sigma: Double, meanReturn: Double)]
    /// The run's `train.csv` (its columns are read on demand, `trainingCurve(_:)`).
    public var trainMetrics: URL
    /// The final score (NaN when the run recorded none).
    public var score: Double { record.finalScore ?? .nan }

    /// The values of the `train.csv` column `column` by step (rows where it is empty, e.g. between two
    /// diagnostics, are skipped); throws when the file has no such column.
    public func trainingCurve(_ column: String) throws -> [(step: Int, value: Double)] {
      guard FileManager.default.fileExists(atPath: trainMetrics.path) else {
        throw StudyFile.Problem(
          description: "\(trainMetrics.path) does not exist (needed for the curve of '\(column)')")
      }
      return try StudyResults.readColumns(trainMetrics, "step", column).map { (Int($0.0), $0.1) }
    }
  }

  /// The finished runs.
  public var runs: [Run]
  /// Axis names in the order the studies declare them.
  public var axisOrder: [String]
  /// Value names of each axis in declaration order.
  public var axisValues: [String: [String]]
  /// The study's `report:` settings (of the first folder read).
  public var settings: ResolvedStudy.Report
  /// Runs that are not finished, by folder name (left out of every statistic).
  public var unfinished: [String]

  /// Reads the study folders (all must be `sweep` folders with `study.yaml`).
  public static func load(_ folders: [URL]) throws -> StudyResults {
    var results = StudyResults(runs: [], axisOrder: [], axisValues: [:], settings: .init(), unfinished: [])
    for folder in folders {
      let study = StudyDirectory(url: folder)
      let resolved = try study.readResolvedStudy()
      for axis in resolved.axisOrder where !results.axisOrder.contains(axis) { results.axisOrder.append(axis) }
      for (axis, values) in resolved.axes {
        for value in values where !(results.axisValues[axis] ?? []).contains(value) {
          results.axisValues[axis, default: []].append(value)
        }
      }
      if results.settings.task == nil { results.settings.task = resolved.report.task }
      if results.settings.group == nil { results.settings.group = resolved.report.group }
      if results.settings.baseline == nil { results.settings.baseline = resolved.report.baseline }
      if results.settings.ranges == nil { results.settings.ranges = resolved.report.ranges }
      if results.settings.curves == nil { results.settings.curves = resolved.report.curves }
      for run in resolved.runs {
        let directory = study.run(run.name)
        guard let record = try? RunRecord.read(from: directory.record), record.status == "finished",
          record.finalScore != nil
        else {
          results.unfinished.append(run.name)
          continue
        }
        results.runs.append(
          Run(
            name: run.name, axes: run.axes, seed: run.seed, record: record,
            curve: try readColumns(directory.evaluationMetrics, "step", "mean_return").map { (Int($0.0), $0.1) },
            noise: try readColumns(directory.url.appendingPathComponent("evaluation.csv"), "noise", "mean_return"),
            trainMetrics: directory.trainMetrics))
      }
    }
    return results
  }

  /// Two numeric columns of a CSV with a header (empty when the file does not exist).
  static func readColumns(_ url: URL, _ first: String, _ second: String) throws -> [(Double, Double)] {
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    guard let header = lines.first, let a = header.firstIndex(of: first), let b = header.firstIndex(of: second) else {
      throw StudyFile.Problem(description: "\(url.path): expected columns \(first) and \(second)")
    }
    return lines.dropFirst().compactMap { row in
      guard row.count > max(a, b), let x = Double(row[a]), let y = Double(row[b]) else { return nil }
      return (x, y)
    }
  }
}
