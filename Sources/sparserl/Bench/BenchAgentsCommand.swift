import ArgumentParser
import CAllocationCounter
import Foundation
import SparseRLEnvironments
import SparseRLExperiments
import SparseRLNumerics

/// `sparserl bench agents`: environment steps per second with learning, dense against 90% sparse.
struct BenchAgentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agents",
    abstract: "Environment steps per second WITH learning, dense vs 90% sparse (RigL), per agent and thread count.",
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

  @Option(help: "Sparsity of the sparse rows (actor and critics; RLx2's critics 85% beside a 90% actor).")
  var sparsity = 0.9

  @Option(
    parsing: .upToNextOption,
    help: "Kernel thread counts to measure each row with, side by side (e.g. --threads 1 2; profiles use the first).")
  var threads: [Int] = [1]

  @Option(
    help: """
      Rounds of every row, interleaved (all rows, then all rows again, ...); the table gives each row's median \
      steps/s and the range of its rounds, and the ratios of the medians.
      """)
  var rounds = 1

  @Flag(
    help: """
      Instead of the table: a per-phase profile of each row (acting, environment, sampling, each network's and \
      layer's forward and backward, optimizer, Polyak, topology) and the heap allocations per step.
      """)
  var profile = false

  @Flag(
    help: """
      Also measure Stable-Baselines3 (PyTorch) and SBX (JAX) TD3 and SAC on each --env id at the --threads counts \
      (scripts/bench_references.py in the optional .venv-references of scripts/setup-references.sh) and print \
      them in the table, with our rows' ratios to them.
      """)
  var references = false

  @Option(help: "Python interpreter for --references.")
  var referencesPython = ".venv-references/bin/python"

  @Option(help: "Script for --references.")
  var referencesScript = "scripts/bench_references.py"

  @Option(
    parsing: .upToNextOption,
    help: "Agents to measure: SAC TD3 RLx2-TD3 PPO DQN (default: all; each on the environments of its kind).")
  var agents: [String] = AgentBenchmark.AgentKind.allCases.map(\.rawValue)

  func validate() throws {
    guard steps > 0, warmupSteps >= 256 else { throw ValidationError("need --steps > 0 and --warmup-steps >= 256") }
    guard (0..<1).contains(sparsity), sparsity > 0 else { throw ValidationError("--sparsity must be in (0, 1)") }
    guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
    guard !threads.isEmpty, threads.allSatisfy({ $0 >= 1 }) else {
      throw ValidationError("--threads needs counts of at least 1")
    }
    let known = AgentBenchmark.AgentKind.allCases.map(\.rawValue)
    for name in agents where !known.contains(name) {
      throw ValidationError("unknown agent '\(name)' for --agents; known: \(known.joined(separator: ", "))")
    }
  }

  func run() throws {
    #if DEBUG
      print("warning: debug build; timings are meaningless (use swift run -c release sparserl bench agents)")
    #endif
    let benchmark = AgentBenchmark(steps: steps, warmupSteps: warmupSteps, sparsity: sparsity)
    let referenceAgents = ReferenceAgents(
      python: URL(fileURLWithPath: referencesPython), script: URL(fileURLWithPath: referencesScript))
    if references, let reason = referenceAgents.unavailableReason {
      throw ValidationError("--references: \(reason)")
    }
    var referenceResults: [ReferenceAgents.Result] = []
    var versions: [String: String] = [:]
    var results: [AgentBenchmark.Result] = []
    var notes: [String] = []
    var available: [String] = []
    for id in ids + discreteIds {
      do {
        _ = try EnvironmentRegistry.make(id)
        available.append(id)
      } catch {
        notes.append("\(id) skipped: \(error)")
      }
    }
    for round in 1...(profile ? 1 : rounds) {
      for id in available {
        let discrete = discreteIds.contains(id)
        for kind in AgentBenchmark.AgentKind.allCases
        where kind.isDiscrete == discrete && agents.contains(kind.rawValue) {
          let label = rounds > 1 && !profile ? " (round \(round) of \(rounds))" : ""
          FileHandle.standardError.write(Data("measuring \(kind.rawValue) on \(id)\(label)\n".utf8))
          if profile {
            KernelThreads.setCount(threads[0])
            let counter: (() -> Int)? = srl_allocation_counting_available() ? { srl_allocation_count() } : nil
            for result in try benchmark.profile(kind, environment: id, allocationCount: counter) {
              print(AgentBenchmark.markdown(result))
              print()
            }
          } else {
            results += try benchmark.run(kind, environment: id, threads: threads)
          }
        }
        // The references are measured once, in the first round.
        if references && !discrete && !profile && round == 1 {
          FileHandle.standardError.write(Data("measuring SB3 and SBX TD3 and SAC on \(id)\n".utf8))
          let report = try referenceAgents.measure(
            environment: id, threads: threads, steps: steps, warmupSteps: warmupSteps,
            bufferSizes: AgentBenchmark.replayCapacities)
          referenceResults += report.results
          versions.merge(report.versions) { $1 }
        }
      }
    }
    results = AgentBenchmark.combiningRounds(results)
    if profile {
      print("\(steps) profiled steps (PPO: two 2048-step rollouts) after \(warmupSteps) warm-up steps per profile.")
      print("Phase times include the profiler's own overhead (two clock reads and a lookup per phase).")
      for note in notes { print(note) }
      return
    }
    print(AgentBenchmark.markdown(results, references: referenceResults))
    print()
    print(
      "\(steps) timed steps (PPO: two 2048-step rollouts) after \(warmupSteps) warm-up steps per row"
        + (rounds > 1
          ? ", \(rounds) interleaved rounds: median steps/s (range of the rounds), ratios of medians." : "."))
    if !referenceResults.isEmpty {
      print(
        "References: \(steps) steps timed after \(warmupSteps) random steps and 50 untimed updates (JAX compilation); "
          + "ratios over the reference's fastest thread count. "
          + versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
    for note in notes { print(note) }
  }
}
