import SparseRLEnvironments

/// The agents SparseRL provides. The name is the `agent:` key of an experiment configuration and the name of
/// the section that holds that agent's settings.
public enum AgentKind: String, ConfigChoice {
  /// DQN (`DQNConfig`).
  case dqn
  /// PPO (`PPOConfig`).
  case ppo
  /// SAC, and RLx2 on SAC (`SACConfig`).
  case sac
  /// TD3, and RLx2 on TD3 (`TD3Config`).
  case td3
  /// DDPG on the same off-policy core (`DDPGConfig`).
  case ddpg
  /// Stream AC(lambda) (Elsayed et al. 2024; `StreamACConfig`).
  case streamAC = "stream_ac"
  /// Stream Q(lambda) (Elsayed et al. 2024; `StreamQConfig`).
  case streamQ = "stream_q"
}

/// The settings of one kind of agent: a Codable struct whose default value holds the papers' published
/// settings, so that a configuration names only what differs.
public protocol AgentConfiguration: Codable, Equatable, ConfigValidatable, Sendable {
  /// The kind of agent these settings build.
  static var kind: AgentKind { get }
  /// The published defaults.
  init()
  /// Builds the agent for training on environments made by `makeEnvironment` (called once per training
  /// environment the agent needs), seeded with `seed`, for a budget of `totalSteps` environment steps.
  func makeAgent(
    makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int
  ) throws -> any Agent
}
