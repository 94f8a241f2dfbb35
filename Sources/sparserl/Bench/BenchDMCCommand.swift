import ArgumentParser
import Foundation
import SparseRLEnvironments
import SparseRLExperiments

struct BenchDMCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dmc",
    abstract:
      "Control steps per second of DeepMind Control tasks, bare mj_step and dm_control (needs scripts/setup-mujoco.sh)."
  )

  @Option(name: .customLong("env"), parsing: .upToNextOption, help: "Environment ids (dmc/<domain>-<task>).")
  var ids: [String] = ["dmc/cheetah-run", "dmc/walker-run", "dmc/quadruped-run", "dmc/humanoid-run", "dmc/dog-run"]

  @Option(help: "Control steps per measurement.")
  var steps = 5_000

  @Option(help: "Python interpreter with dm-control for the comparison (default: .venv/bin/python if present).")
  var python: String?

  @Flag(help: "Skip the dm_control comparison.")
  var noDmControl = false

  func run() throws {
    let python = python ?? ".venv/bin/python"
    let script = URL(fileURLWithPath: "scripts/mujoco/bench_dm_control.py")
    let compare =
      !noDmControl && FileManager.default.isExecutableFile(atPath: python)
      && FileManager.default.fileExists(atPath: script.path)
    print("| task | Swift env steps/s | bare mj_step steps/s | overhead | dm_control steps/s | speed-up |")
    print("|---|---|---|---|---|---|")
    for id in ids {
      let result = try DMCBenchmark(id: id, steps: steps).run(
        python: compare ? URL(fileURLWithPath: python) : nil, script: compare ? script : nil)
      let reference = result.dmControlStepsPerSecond
      print(
        "| \(id) | \(Int(result.environmentStepsPerSecond)) | \(Int(result.simulatorStepsPerSecond)) | "
          + "\(Int((result.overhead * 100).rounded()))% | \(reference.map { "\(Int($0))" } ?? "-") | "
          + "\(reference.map { String(format: "%.1fx", result.environmentStepsPerSecond / $0) } ?? "-") |")
    }
  }
}
