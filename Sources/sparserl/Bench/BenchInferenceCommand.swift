import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl bench inference`: actions per second of a policy, Swift API vs exported C vs ONNX Runtime.
struct BenchInferenceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inference",
    abstract: "Policy actions per second at batch 1 and 32: Swift API vs exported C (-O2) vs ONNX Runtime.",
    discussion: """
      Build with -c release. The policy is the Hopper actor (11 -> 256 -> 256 -> 3), dense and at each sparsity
      (ER allocation), exported to C (compiled with cc -O2; a batch is that many policy_act calls) and to ONNX
      (ONNX Runtime, one thread, from .venv: scripts/setup-python.sh). One core per measurement.
      """)

  @Option(parsing: .upToNextOption, help: "Sparsities to measure besides dense (the published RLx2 actor sparsities).")
  var sparsities: [Double] = [0.9, 0.96, 0.97, 0.98]

  @Option(help: "Seconds per measurement.")
  var seconds = 1.0

  @Option(help: "The Python interpreter with onnxruntime.")
  var python = ".venv/bin/python"

  func validate() throws {
    guard sparsities.allSatisfy({ $0 > 0 && $0 < 1 }) else { throw ValidationError("sparsities must be in (0, 1)") }
    guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
  }

  func run() throws {
    #if DEBUG
      print("warning: debug build; timings are meaningless (use swift run -c release sparserl bench inference)")
    #endif
    let benchmark = InferenceBenchmark(
      seconds: seconds, python: URL(fileURLWithPath: python),
      script: URL(fileURLWithPath: "Tests/References/onnx_policy.py"))
    var notes: [String] = []
    print("| sparsity | active weights | C weight data | Swift b1 | C b1 | ORT b1 | Swift b32 | C b32 | ORT b32 |")
    print("|---|---|---|---|---|---|---|---|---|")
    func format(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }
    for sparsity in [0] + sparsities {
      let policy = try InferenceBenchmark.hopperActor(sparsity: sparsity)
      let r = try benchmark.measure(policy, sparsity: sparsity, notes: &notes)
      print(
        "| \(sparsity == 0 ? "dense" : String(format: "%.0f%%", sparsity * 100)) | \(r.activeWeights) | "
          + "\(r.cDataBytes) B | \(format(r.swift.batch1)) | \(format(r.c?.batch1)) | \(format(r.onnx?.batch1)) | "
          + "\(format(r.swift.batch32)) | \(format(r.c?.batch32)) | \(format(r.onnx?.batch32)) |")
    }
    print("(actions per second; b1 = batch 1, b32 = batch 32)")
    for note in notes { print("note: \(note)") }
  }
}
