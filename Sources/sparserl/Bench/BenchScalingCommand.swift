import ArgumentParser
import Foundation
import SparseRLEnvironments
import SparseRLExperiments

/// `sparserl bench scaling`: streaming agents dense vs static masks, and the cost of the training diagnostics.
struct BenchScalingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scaling",
    abstract: "Streaming steps/s dense vs static sparse (batch-1 kernels), and DQN with diagnostics off vs on.",
    discussion: """
      Build with -c release. Streaming rows build Stream AC (continuous env) and Stream Q (discrete env) with two
      hidden layers of each width, dense and with a static mask, take 200 untimed steps, then time --steps steps
      (one batch-1 update each). The diagnostics rows time DQN (2x512, batch 128) on the discrete env after its
      1,000-step warm-up, with diagnostics off and every --interval updates, alternating --repeats times.
      """)

  @Option(help: "Continuous-action environment of Stream AC.")
  var env = "Pendulum-v1"

  @Option(help: "Discrete-action environment of Stream Q and of the DQN diagnostics rows.")
  var discreteEnv = "CartPole-v1"

  @Option(parsing: .upToNextOption, help: "Hidden widths of the streaming networks.")
  var widths: [Int] = [128, 512, 1024]

  @Option(help: "Sparsity of the static masks.")
  var sparsity = 0.9

  @Option(help: "Timed steps per streaming measurement.")
  var steps = 5000

  @Option(help: "Timed DQN steps per diagnostics measurement.")
  var dqnSteps = 4000

  @Option(help: "Diagnostics interval (updates) of the diagnostics rows.")
  var interval = 1000

  @Option(help: "Alternations of diagnostics off / on.")
  var repeats = 2

  @Flag(help: "Only the streaming rows.")
  var streamingOnly = false

  func validate() throws {
    guard steps > 0, dqnSteps > 0, interval > 0, repeats > 0 else {
      throw ValidationError("--steps, --dqn-steps, --interval and --repeats must be positive")
    }
    guard (0..<1).contains(sparsity), sparsity > 0 else { throw ValidationError("--sparsity must be in (0, 1)") }
    guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else { throw ValidationError("--widths must be positive") }
  }

  func run() throws {
    #if DEBUG
      print("warning: debug build; timings are meaningless (use swift run -c release sparserl bench scaling)")
    #endif
    func available(_ id: String) -> String? {
      do {
        _ = try EnvironmentRegistry.make(id)
        return id
      } catch {
        print("\(id) skipped: \(error)")
        return nil
      }
    }
    let streaming = try ScalingBenchmark(steps: steps).streaming(
      continuousId: available(env), discreteId: available(discreteEnv), widths: widths, sparsity: sparsity)
    print(ScalingBenchmark.markdown(streaming))
    print()
    print("\(steps) timed steps per row after 200 untimed steps; one core.")
    guard !streamingOnly, let id = available(discreteEnv) else { return }
    print()
    let diagnostics = try ScalingBenchmark(steps: dqnSteps).diagnostics(id: id, interval: interval, repeats: repeats)
    print(ScalingBenchmark.markdown(diagnostics))
    print()
    print("DQN 2x512, batch 128, on \(id): \(dqnSteps) timed steps per run after the 1,000-step warm-up.")
  }
}
