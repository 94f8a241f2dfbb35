import Foundation
import SparseRLAgents
import SparseRLEnvironments

/// Environment steps per second of an agent WITH learning, on one core, dense against 90% sparse (RigL) in the
/// same run, with the published settings: SAC and TD3 2x256 at batch 256 (one update per step); DQN 2x512 at
/// batch 128 on vector observations, the MinAtar CNN at batch 128 on frames (one update per step); PPO 2x64 tanh
/// with 2048-step rollouts and 10 epochs of minibatch 64 (timed over whole rollouts).
///
/// Each measurement builds a fresh agent, takes `warmupSteps` steps (not timed; random actions for the
/// off-policy agents), then times `steps` training steps. Topology updates (every 10,000 updates for SAC/TD3,
/// 1000 for DQN, 250 for PPO) may fall inside the timed window; their cost is one dense gradient per layer.
public struct AgentBenchmark {
  /// The agents measured.
  public enum AgentKind: String, CaseIterable, Sendable {
    /// SAC on Pendulum-v1.
    case sac = "SAC"
    /// TD3 on Pendulum-v1.
    case td3 = "TD3"
    /// PPO on Pendulum-v1.
    case ppo = "PPO"
    /// DQN on CartPole-v1.
    case dqn = "DQN"

    /// Whether the agent acts in discrete action spaces (DQN) or continuous ones (the others).
    public var isDiscrete: Bool { self == .dqn }
  }

  /// One measurement.
  public struct Result: Sendable {
    /// The agent measured.
    public let agent: AgentKind
    /// The environment id it trained on.
    public let environment: String
    /// Sparsity of every network (0 = dense).
    public let sparsity: Double
    /// The networks, e.g. `2x256`.
    public let networks: String
    /// Training steps timed.
    public let steps: Int
    /// Training steps per second.
    public let stepsPerSecond: Double
  }

  /// Training steps timed per measurement.
  public let steps: Int
  /// Untimed steps before the timed ones.
  public let warmupSteps: Int
  /// Sparsity of every network of the sparse runs.
  public let sparsity: Double

  /// A benchmark timing `steps` steps after `warmupSteps`, dense and at `sparsity`.
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
    case .ppo:
      var config = PPOConfig()
      config.actorSparsity.method = sparsity > 0 ? .rigl : .dense
      config.actorSparsity.sparsity = sparsity
      config.criticSparsity = config.actorSparsity
      return try PPOAgent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    case .dqn:
      var config = DQNConfig()
      config.learningStarts = warmupSteps
      config.bufferSize = total + 100
      if case .box(let box) = environment.observationSpace, box.shape.count == 3 { config.network.kind = .minatarCNN }
      config.sparsity.method = sparsity > 0 ? .rigl : .dense
      config.sparsity.sparsity = sparsity
      return try DQNAgent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    }
  }

  /// The networks of `kind` as published, for the table.
  func networks(_ kind: AgentKind, environment: any Environment) -> String {
    switch kind {
    case .sac, .td3: return "2x256"
    case .ppo: return "2x64 tanh"
    case .dqn:
      if case .box(let box) = environment.observationSpace, box.shape.count == 3 { return "MinAtar CNN" }
      return "2x512"
    }
  }

  /// Timed steps for `kind`: PPO is timed over whole rollouts (2048 steps each, at least two).
  func timedSteps(_ kind: AgentKind) -> Int { kind == .ppo ? max(steps, 2 * PPOConfig().rolloutSize) : steps }

  /// Measures `kind` on the environment `id`, dense and sparse.
  public func run(_ kind: AgentKind, environment id: String) throws -> [Result] {
    var results: [Result] = []
    for level in [0, sparsity] {
      let environment = try EnvironmentRegistry.make(id)
      let agent = try makeAgent(kind, environment: environment, sparsity: level)
      let sink = DiscardingMetricsSink()
      let steps = timedSteps(kind)
      while agent.environmentSteps < warmupSteps { try agent.trainStep(metrics: sink) }
      let start = ContinuousClock.now
      let first = agent.environmentSteps
      while agent.environmentSteps - first < steps { try agent.trainStep(metrics: sink) }
      let elapsed = ContinuousClock.now - start
      let parts = elapsed.components
      let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
      results.append(
        Result(
          agent: kind, environment: id, sparsity: level, networks: networks(kind, environment: environment),
          steps: steps, stepsPerSecond: Double(steps) / seconds))
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
        "| \(result.agent.rawValue) | \(result.environment) | \(result.networks) | "
          + "\(result.sparsity == 0 ? "dense" : "\(Int((result.sparsity * 100).rounded()))% RigL") | "
          + "\(String(format: "%.0f", result.stepsPerSecond)) | \(speedUp) |")
    }
    return lines.joined(separator: "\n")
  }
}
