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
    try SimulatorTable(firstColumn: "task", referenceName: "dm_control", script: "scripts/mujoco/bench_dm_control.py")
      .print(ids: ids, steps: steps, python: python, skipReference: noDmControl)
  }
}
