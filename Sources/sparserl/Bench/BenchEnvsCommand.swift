import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl bench envs`: steps per second of each registered environment beside its Python reference.
struct BenchEnvsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "envs",
    abstract:
      "Single-core steps/s of registered environments with random actions, beside Gymnasium/MinAtar.",
    discussion: """
      Measures the Swift environments (EnvironmentRegistry.make: time limit and episode statistics), then \
      runs the Python reference script once for all ids (gymnasium.make). Build with -c release.
      """
  )

  @Option(
    name: .customLong("ids"), parsing: .upToNextOption,
    help: "Environment ids (space- or comma-separated); default: every registered id.")
  var ids: [String] = []

  @Option(help: "Minimum measuring time per environment and side, in seconds.")
  var seconds: Double = 2

  @Option(help: "Python interpreter with gymnasium (and minatar) installed.")
  var python: String = ".venv/bin/python"

  @Option(help: "The Python reference benchmark script.")
  var referenceScript: String = "Tests/References/env_benchmark.py"

  @Flag(help: "Measure only the Swift environments.")
  var noReference = false

  func validate() throws {
    guard seconds > 0 else { throw ValidationError("--seconds must be positive, got \(seconds)") }
  }

  func run() throws {
    let requested = ids.flatMap { $0.split(separator: ",").map { String($0) } }.filter {
      !$0.isEmpty
    }
    let selected = requested.isEmpty ? EnvironmentBenchmark.registeredIDs : requested
    let rows = try EnvironmentBenchmark.run(
      ids: selected, seconds: seconds, python: noReference ? nil : URL(fileURLWithPath: python),
      script: URL(fileURLWithPath: referenceScript))
    print(EnvironmentBenchmark.table(rows))
  }
}
