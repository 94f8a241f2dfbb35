import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl evaluate RUN_DIR [--episodes N] [--noise 0,0.1,...]`.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate a run's newest checkpoint, optionally under Gaussian observation noise.")

  @Argument(help: "The run directory.")
  var runDir: String

  @Option(help: "Episodes per noise level.")
  var episodes = 10

  @Option(help: "Comma-separated standard deviations of the observation noise.")
  var noise = "0"

  @Option(help: "The CSV to write (default: RUN_DIR/evaluation.csv).")
  var output: String?

  func validate() throws {
    guard episodes > 0 else { throw ValidationError("--episodes must be positive") }
    guard noiseLevels != nil else { throw ValidationError("--noise must be comma-separated non-negative numbers") }
  }

  var noiseLevels: [Double]? {
    let values = noise.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
    return values.map { $0! }
  }

  func run() throws {
    bootstrapLogging()
    let run = try RunDirectory.open(URL(fileURLWithPath: runDir))
    let destination = output.map { URL(fileURLWithPath: $0) } ?? run.url.appendingPathComponent("evaluation.csv")
    let results = try PolicyEvaluation.evaluate(
      run: run, episodes: episodes, noiseLevels: noiseLevels ?? [0], output: destination)
    for (sigma, result) in results {
      print(
        String(
          format: "noise %.3f: mean return %.2f ± %.2f over %d episodes", sigma, result.meanReturn,
          result.standardDeviation, result.returns.count))
    }
    print("written to \(destination.path)")
  }
}

/// `sparserl envs`: the registered environment ids.
struct EnvsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "envs", abstract: "List the registered environments.")
  func run() { print(EnvironmentListing.text()) }
}

/// `sparserl presets`: the configuration presets.
struct PresetsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "presets", abstract: "List the configuration presets.")
  func run() throws {
    let names = Presets.names()
    guard !names.isEmpty else {
      throw CommandFailure("no configuration presets found: \(Presets.missingPresetsExplanation)")
    }
    print(names.joined(separator: "\n"))
  }
}
