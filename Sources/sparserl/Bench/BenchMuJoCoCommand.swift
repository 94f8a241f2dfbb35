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
    try SimulatorTable(
      firstColumn: "environment", referenceName: "Gymnasium", script: "scripts/mujoco/bench_gymnasium.py"
    ).print(ids: ids, steps: steps, python: python, skipReference: noGymnasium)
  }
}
