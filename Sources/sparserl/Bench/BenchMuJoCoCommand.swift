import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl bench mujoco`: MuJoCo environment steps per second beside the bare simulator and Gymnasium.
struct BenchMuJoCoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mujoco",
    abstract:
      "Steps per second of MuJoCo environments, bare mj_step and Gymnasium (needs scripts/setup-mujoco.sh)."
  )

  @Option(name: .customLong("env"), parsing: .upToNextOption, help: "Environment ids.")
  var ids: [String] = ["HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "Ant-v5", "Humanoid-v5"]

  @Option(help: "Steps per measurement.")
  var steps = 20_000

  @Option(
    help:
      "Python interpreter with gymnasium for the comparison (default: .venv/bin/python if present)."
  )
  var python: String?

  @Flag(help: "Skip the Gymnasium comparison.")
  var noGymnasium = false

  func run() throws {
    let python = python ?? ".venv/bin/python"
    let script = URL(fileURLWithPath: "scripts/mujoco/bench_gymnasium.py")
    let compare =
      !noGymnasium && FileManager.default.isExecutableFile(atPath: python)
      && FileManager.default.fileExists(atPath: script.path)
    print(
      "| environment | Swift env steps/s | bare mj_step steps/s | overhead | Gymnasium steps/s | speed-up |"
    )
    print("|---|---|---|---|---|---|")
    for id in ids {
      let result = try MuJoCoBenchmark(id: id, steps: steps).run(
        python: compare ? URL(fileURLWithPath: python) : nil,
        gymnasiumScript: compare ? script : nil)
      let gymnasium = result.gymnasiumStepsPerSecond
      print(
        "| \(id) | \(Int(result.environmentStepsPerSecond)) | \(Int(result.simulatorStepsPerSecond)) | "
          + "\(Int((result.overhead * 100).rounded()))% | \(gymnasium.map { "\(Int($0))" } ?? "-") | "
          + "\(gymnasium.map { String(format: "%.1fx", result.environmentStepsPerSecond / $0) } ?? "-") |"
      )
    }
  }
}
