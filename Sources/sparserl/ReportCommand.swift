import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl report DIR...`: the papers' statistics, tables and figures for study folders.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Aggregate the finished runs of study folders: rliable statistics, Markdown/CSV tables, SVG figures.",
    discussion: """
      Scores are each run's final score (run.json), normalised per task by the baseline group's mean score \
      (--baseline method=dense) or by --range TASK=MIN,MAX, else left raw. Aggregates (IQM, mean, median, \
      optimality gap) carry 95% stratified-bootstrap confidence intervals as rliable computes them. \
      --curve COLUMN plots a train.csv column (the diagnostics, e.g. critic1/srank) against steps per group.
      """)

  @Argument(help: "Study folders (written by `sparserl sweep`).")
  var dirs: [String]

  @Option(help: "Where to write the tables and figures (default: DIR/report for the first DIR).")
  var output: String?

  @Option(help: "The axis whose values are tasks (default: the study's, else environment).")
  var task: String?

  @Option(help: "Comma-separated axes that form a group (default: the study's, else all but the task).")
  var group: String?

  @Option(help: "The baseline group as axis=value[,axis=value] (e.g. method=dense).")
  var baseline: String?

  @Option(
    name: .customLong("range"), help: "TASK=MIN,MAX: normalise TASK's scores to (score-MIN)/(MAX-MIN) (repeatable).")
  var ranges: [String] = []

  @Option(
    name: .customLong("curve"),
    help: "A train.csv column to plot against steps, e.g. critic1/dormant_0.1 (repeatable; default: the study's).")
  var curves: [String] = []

  @Option(help: "Bootstrap replicates (rliable uses 50000 for final figures).")
  var reps = 2_000

  @Option(help: "Seed of the bootstrap.")
  var seed: UInt64 = 0

  @Flag(help: "Also write RLx2's Table 2 layout (percent of the baseline per task, size and FLOP ratios).")
  var paper = false

  func run() throws {
    var options = StudyReport.Options()
    options.task = task
    options.group = group.map { $0.split(separator: ",").map(String.init) }
    if let baseline {
      var values: [String: String] = [:]
      for pair in baseline.split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("--baseline expects axis=value, got '\(pair)'") }
        values[parts[0]] = parts[1]
      }
      options.baseline = values
    }
    if !ranges.isEmpty {
      var parsed: [String: [Double]] = [:]
      for entry in ranges {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        let numbers = parts.count == 2 ? parts[1].split(separator: ",").compactMap { Double($0) } : []
        guard numbers.count == 2, numbers[0] < numbers[1] else {
          throw ValidationError("--range expects TASK=MIN,MAX with MIN < MAX, got '\(entry)'")
        }
        parsed[parts[0]] = numbers
      }
      options.ranges = parsed
    }
    guard reps > 1 else { throw ValidationError("--reps must be at least 2") }
    options.replicates = reps
    options.seed = seed
    options.paper = paper
    if !curves.isEmpty { options.curves = curves }
    let folders = dirs.map { URL(fileURLWithPath: $0) }
    let results = try StudyResults.load(folders)
    let report = try StudyReport(results: results, options: options)
    let destination = output.map { URL(fileURLWithPath: $0) } ?? folders[0].appendingPathComponent("report")
    let files = try ReportWriter.write(report, to: destination)
    if !results.unfinished.isEmpty {
      print("left out \(results.unfinished.count) unfinished run(s): \(results.unfinished.joined(separator: ", "))")
    }
    print(try String(contentsOf: destination.appendingPathComponent("aggregates.md"), encoding: .utf8))
    if paper { print(try String(contentsOf: destination.appendingPathComponent("table2.md"), encoding: .utf8)) }
    print("wrote \(files.count) files to \(destination.path)")
  }
}
