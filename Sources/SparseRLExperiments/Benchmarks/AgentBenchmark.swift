import Foundation
import SparseRLAgents
import SparseRLEnvironments

/// Environment steps per second of an agent WITH learning (one update per step at batch 256, on one core),
/// dense against 90% sparse (RigL) in the same run, with the published network sizes (2x256 for SAC and TD3).
///
/// Each measurement builds a fresh agent, fills the buffer for `warmupSteps` random steps (not timed), then
/// times `steps` training steps. Topology updates (every 10,000 updates) do not fall inside the timed window;
/// their amortised cost is a dense gradient per layer every ΔT updates.
public struct AgentBenchmark {
  /// The agents measured.
  public enum AgentKind: String, CaseIterable, Sendable {
    case sac = "SAC"
    case td3 = "TD3"
  }

  /// One measurement.
  public struct Result: Sendable {
    public let agent: AgentKind
    public let environment: String
    /// Sparsity of every network (0 = dense).
    public let sparsity: Double
    public let steps: Int
    public let stepsPerSecond: Double
  }

  public let steps: Int
  public let warmupSteps: Int
  public let sparsity: Double

  public init(steps: Int = 1000, warmupSteps: Int = 1000, sparsity: Double = 0.9) {
    precondition(steps > 0 && warmupSteps >= 256, "the benchmark needs steps > 0 and at least one batch of warm-up")
    self.steps = steps
    self.warmupSteps = warmupSteps
    self.sparsity = sparsity
  }

  /// The agent of `kind` on `environment`, dense or RigL at `sparsity` (actor and critics), published sizes.
  func makeAgent(_ kind: AgentKind, environment: any Environment, sparsity: Double) throws -> any Agent {
    let observationWidth = environment.observationSpace.flatCount
    let actionWidth = environment.actionSpace.flatCount
    let variant: SparseTrainingVariant = sparsity > 0 ? .rigl : .dense
    let total = warmupSteps + steps
    switch kind {
    case .sac:
      var config = SACConfig()
      config.warmupSteps = warmupSteps
      config.replay.capacity = total + 100
      config.replay.minCapacity = 0
      config = config.variant(
        variant, actorSparsity: sparsity, criticSparsity: sparsity, observationWidth: observationWidth,
        actionWidth: actionWidth)
      return try SACAgent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    case .td3:
      var config = TD3Config()
      config.warmupSteps = warmupSteps
      config.replay.capacity = total + 100
      config.replay.minCapacity = 0
      config = config.variant(
        variant, actorSparsity: sparsity, criticSparsity: sparsity, observationWidth: observationWidth,
        actionWidth: actionWidth)
      return try TD3Agent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    }
  }

  /// Measures `kind` on the environment `id`, dense and sparse.
  public func run(_ kind: AgentKind, environment id: String) throws -> [Result] {
    var results: [Result] = []
    for level in [0, sparsity] {
      let agent = try makeAgent(kind, environment: try EnvironmentRegistry.make(id), sparsity: level)
      let sink = DiscardingMetricsSink()
      while agent.environmentSteps < warmupSteps { try agent.trainStep(metrics: sink) }
      let start = ContinuousClock.now
      for _ in 0..<steps { try agent.trainStep(metrics: sink) }
      let elapsed = ContinuousClock.now - start
      let parts = elapsed.components
      let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
      results.append(
        Result(
          agent: kind, environment: id, sparsity: level, steps: steps, stepsPerSecond: Double(steps) / seconds))
    }
    return results
  }

  /// A markdown table of `results`, with the sparse/dense speed-up per agent and environment.
  public static func markdown(_ results: [Result]) -> String {
    var lines = [
      "| agent | environment | networks | sparsity | steps/s (with learning) | speed-up |", "|---|---|---|---|---|---|",
    ]
    for result in results {
      let dense = results.first {
        $0.agent == result.agent && $0.environment == result.environment && $0.sparsity == 0
      }
      let speedUp = dense.map { String(format: "%.2fx", result.stepsPerSecond / $0.stepsPerSecond) } ?? "-"
      lines.append(
        "| \(result.agent.rawValue) | \(result.environment) | 2x256 | "
          + "\(result.sparsity == 0 ? "dense" : "\(Int((result.sparsity * 100).rounded()))% RigL") | "
          + "\(String(format: "%.0f", result.stepsPerSecond)) | \(speedUp) |")
    }
    return lines.joined(separator: "\n")
  }
}
