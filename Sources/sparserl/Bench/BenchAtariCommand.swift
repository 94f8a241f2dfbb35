import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl bench atari`: Atari (DQN setting) steps per second beside the bare emulator, ale-py + Gymnasium and
/// EnvPool.
struct BenchAtariCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "atari",
    abstract:
      "Steps per second of AtariDQN/<Game>-v5, the bare emulator, ale-py + Gymnasium and EnvPool (needs "
      + "scripts/setup-ale.sh)."
  )

  @Option(name: .customLong("game"), parsing: .upToNextOption, help: "ROM ids (snake_case).")
  var games: [String] = ["pong", "breakout", "space_invaders"]

  @Option(help: "Steps per measurement.")
  var steps = 5_000

  @Option(help: "Python interpreter with ale-py, gymnasium and envpool (default: .venv/bin/python if present).")
  var python: String?

  @Flag(help: "Skip the Python comparisons.")
  var noPython = false

  func run() throws {
    let python = python ?? ".venv/bin/python"
    let script = URL(fileURLWithPath: "scripts/ale/bench_reference.py")
    let compare =
      !noPython && FileManager.default.isExecutableFile(atPath: python)
      && FileManager.default.fileExists(atPath: script.path)
    print(
      "| game | Swift env steps/s | bare emulator steps/s | overhead | ale-py + Gymnasium steps/s | EnvPool steps/s |")
    print("|---|---|---|---|---|---|")
    for game in games {
      let result = try AtariBenchmark(game: game, steps: steps).run(
        python: compare ? URL(fileURLWithPath: python) : nil, referenceScript: compare ? script : nil)
      print(
        "| \(game) | \(Int(result.environmentStepsPerSecond)) | \(Int(result.emulatorStepsPerSecond)) | "
          + "\(Int((result.overhead * 100).rounded()))% | \(result.gymnasiumStepsPerSecond.map { "\(Int($0))" } ?? "-") | "
          + "\(result.envPoolStepsPerSecond.map { "\(Int($0))" } ?? "-") |")
    }
  }
}
