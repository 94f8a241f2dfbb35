import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl export RUN_DIR --format onnx|c|srl [--output PATH]`.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a run's evaluation policy (observation normalisation and action map included).",
    discussion: """
      RUN_DIR is a run directory (its policy.srl, or its newest checkpoint when the run did not finish) or a
      policy file. onnx: an ONNX model (opset 17) from raw observation to action. c: a C99 header/source pair with
      policy_act(const float *obs, float *action). srl: a SparseRL policy file for the SparseRLPolicy library.
      """)

  @Argument(help: "The run directory or policy file.")
  var runDir: String

  @Option(help: "onnx, c or srl.")
  var format: String

  @Option(help: "Where to write (for c, the path of the .c file or its stem). Default: in RUN_DIR.")
  var output: String?

  func validate() throws {
    guard PolicyExport.Format(rawValue: format) != nil else {
      throw ValidationError(
        "unknown --format '\(format)'; choose one of \(PolicyExport.Format.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
  }

  func run() throws {
    let written = try PolicyExport.export(
      source: URL(fileURLWithPath: runDir), format: PolicyExport.Format(rawValue: format)!,
      output: output.map { URL(fileURLWithPath: $0) })
    print(written.summary)
  }
}
