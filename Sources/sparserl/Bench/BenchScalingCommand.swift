import ArgumentParser
import Foundation
import SparseRLEnvironments
import SparseRLExperiments

/// `sparserl bench scaling`: streaming agents dense vs static masks, and the cost of the training diagnostics.
struct BenchScalingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scaling",
    abstract:
      "Streaming steps/s dense vs static sparse (batch-1 kernels), SimBa-SAC critics wide sparse vs narrow dense, and DQN with diagnostics off vs on.",
    discussion: """
      Build with -c release. Streaming rows build Stream AC (continuous env) and Stream Q (discrete env) with two
      hidden layers of each width, dense and with a static mask, take 200 untimed steps, then time --steps steps
      (one batch-1 update each). The diagnostics rows time DQN (2x512, batch 128) on the discrete env after its
      1,000-step warm-up, with diagnostics off and every --interval updates, alternating --repeats times.
      The SimBa rows time SimBa-SAC (actor 128 x 1 block, critics WIDTH x 2 blocks, static critic sparsity S for
      each --simba-critics WIDTH:S) on --simba-env, one update per step, --simba-steps steps after 300 random ones.
      With --simba-diagnostics-steps N, SimBa-SAC (dense critics --simba-diagnostics-width) runs N steps with the
      diagnostics off and measuring at every update, alternating --repeats times: the cost of one measurement in
      updates, and the slowdown at one per --interval updates.
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

  @Option(help: "Environment of the SimBa-SAC rows.")
  var simbaEnv = "Pendulum-v1"

  @Option(parsing: .upToNextOption, help: "SimBa critics WIDTH:SPARSITY (static), one row each.")
  var simbaCritics: [String] = ["512:0", "2048:0.9"]

  @Option(help: "Timed SAC update steps per SimBa row (0: no SimBa rows).")
  var simbaSteps = 20

  @Option(help: "Timed SAC update steps per SimBa diagnostics run (dense critic --simba-diagnostics-width; 0: none).")
  var simbaDiagnosticsSteps = 0

  @Option(help: "Critic width of the SimBa diagnostics rows.")
  var simbaDiagnosticsWidth = 512

  /// `--simba-critics` as (width, sparsity) pairs, or nil if one is malformed.
  var parsedSimbaCritics: [(width: Int, sparsity: Double)]? {
    let pairs = simbaCritics.map { text -> (width: Int, sparsity: Double)? in
      let parts = text.split(separator: ":")
      guard parts.count == 2, let width = Int(parts[0]), width > 0, let sparsity = Double(parts[1]),
        (0..<1).contains(sparsity)
      else { return nil }
      return (width, sparsity)
    }
    return pairs.contains { $0 == nil } ? nil : pairs.compactMap { $0 }
  }

  func validate() throws {
    guard steps > 0, dqnSteps > 0, interval > 0, repeats > 0 else {
      throw ValidationError("--steps, --dqn-steps, --interval and --repeats must be positive")
    }
    guard (0..<1).contains(sparsity), sparsity > 0 else { throw ValidationError("--sparsity must be in (0, 1)") }
    guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else { throw ValidationError("--widths must be positive") }
    guard simbaDiagnosticsSteps >= 0, simbaDiagnosticsWidth > 0 else {
      throw ValidationError("--simba-diagnostics-steps takes a count >= 0, --simba-diagnostics-width a width > 0")
    }
    guard simbaSteps >= 0, parsedSimbaCritics != nil else {
      throw ValidationError("--simba-critics takes WIDTH:SPARSITY pairs (e.g. 2048:0.9), --simba-steps a count >= 0")
    }
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
    if !streamingOnly, simbaSteps > 0, let id = available(simbaEnv), let critics = parsedSimbaCritics {
      print()
      print(ScalingBenchmark.markdown(try ScalingBenchmark(steps: simbaSteps).simbaCritics(id: id, critics: critics)))
      print()
      print("SimBa-SAC on \(id), batch 256, actor 128 x 1 block dense: \(simbaSteps) timed update steps per row.")
    }
    if !streamingOnly, simbaDiagnosticsSteps > 0, let id = available(simbaEnv) {
      let results = try ScalingBenchmark(steps: simbaDiagnosticsSteps).simbaDiagnostics(
        id: id, criticWidth: simbaDiagnosticsWidth, repeats: repeats)
      print()
      print(ScalingBenchmark.markdown(simbaDiagnostics: results, interval: interval))
      print()
      print(
        "SimBa-SAC on \(id), critics \(simbaDiagnosticsWidth) x 2 blocks dense: \(simbaDiagnosticsSteps) timed update "
          + "steps per run after 300 random ones, diagnostics off and at every update, alternating \(repeats) times.")
    }
    guard !streamingOnly, let id = available(discreteEnv) else { return }
    print()
    let diagnostics = try ScalingBenchmark(steps: dqnSteps).diagnostics(id: id, interval: interval, repeats: repeats)
    print(ScalingBenchmark.markdown(diagnostics))
    print()
    print("DQN 2x512, batch 128, on \(id): \(dqnSteps) timed steps per run after the 1,000-step warm-up.")
  }
}
