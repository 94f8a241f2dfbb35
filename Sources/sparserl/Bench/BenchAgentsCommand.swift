import ArgumentParser
import Foundation
import SparseRLEnvironments
import SparseRLExperiments

/// `sparserl bench agents`: environment steps per second with learning, dense against 90% sparse.
struct BenchAgentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agents",
    abstract: "Environment steps per second WITH learning (one core), dense vs 90% sparse (RigL), per agent.",
    discussion: """
      Build with -c release. Each row builds a fresh agent with the published settings (SAC and TD3 2x256 at batch
      256; PPO 2x64 with 2048-step rollouts; DQN 2x512 at batch 128, or the MinAtar CNN on frames), takes warm-up
      steps (not timed), then times training steps. SAC, TD3 and PPO run on the continuous environments, DQN on the
      discrete ones. MuJoCo rows are skipped with a note when the library is unavailable (scripts/setup-mujoco.sh).
      """)

  @Option(name: .customLong("env"), parsing: .upToNextOption, help: "Continuous-control environment ids.")
  var ids: [String] = ["Pendulum-v1", "HalfCheetah-v5"]

  @Option(name: .customLong("discrete-env"), parsing: .upToNextOption, help: "Discrete-action environment ids (DQN).")
  var discreteIds: [String] = ["CartPole-v1", "MinAtar/Breakout-v1"]

  @Option(help: "Timed training steps per measurement.")
  var steps = 1000

  @Option(help: "Untimed random warm-up steps before each measurement (at least 256).")
  var warmupSteps = 1000

  @Option(help: "Sparsity of the sparse rows (actor and critics).")
  var sparsity = 0.9

  func validate() throws {
    guard steps > 0, warmupSteps >= 256 else { throw ValidationError("need --steps > 0 and --warmup-steps >= 256") }
    guard (0..<1).contains(sparsity), sparsity > 0 else { throw ValidationError("--sparsity must be in (0, 1)") }
  }

  func run() throws {
    #if DEBUG
      print("warning: debug build; timings are meaningless (use swift run -c release sparserl bench agents)")
    #endif
    let benchmark = AgentBenchmark(steps: steps, warmupSteps: warmupSteps, sparsity: sparsity)
    var results: [AgentBenchmark.Result] = []
    var notes: [String] = []
    for id in ids + discreteIds {
      let discrete = discreteIds.contains(id)
      do {
        _ = try EnvironmentRegistry.make(id)
      } catch {
        notes.append("\(id) skipped: \(error)")
        continue
      }
      for kind in AgentBenchmark.AgentKind.allCases where kind.isDiscrete == discrete {
        FileHandle.standardError.write(Data("measuring \(kind.rawValue) on \(id)\n".utf8))
        results += try benchmark.run(kind, environment: id)
      }
    }
    print(AgentBenchmark.markdown(results))
    print()
    print("\(steps) timed steps (PPO: two 2048-step rollouts) after \(warmupSteps) warm-up steps per row.")
    for note in notes { print(note) }
  }
}
