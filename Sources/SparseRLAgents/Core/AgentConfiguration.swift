import SparseRLEnvironments

/// The agents SparseRL provides. The name is the `agent:` key of an experiment configuration and the name of
/// the section that holds that agent's settings.
public enum AgentKind: String, ConfigChoice {
  case dqn, ppo, sac, td3
  /// Stream AC(lambda) and Stream Q(lambda) (Elsayed et al. 2024).
  case streamAC = "stream_ac"
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
