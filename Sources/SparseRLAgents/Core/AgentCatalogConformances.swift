import SparseRLEnvironments

extension DQNConfig: AgentConfiguration {
  public static var kind: AgentKind { .dqn }
  public func makeAgent(
    makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int
  ) throws -> any Agent {
    try DQNAgent(config: self, environment: makeEnvironment(), seed: seed, totalSteps: totalSteps)
  }
}

extension PPOConfig: AgentConfiguration {
  public static var kind: AgentKind { .ppo }
  public func makeAgent(
    makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int
  ) throws -> any Agent {
    try PPOAgent(config: self, seed: seed, totalSteps: totalSteps, makeEnvironment: makeEnvironment)
  }
}

extension StreamACConfig: AgentConfiguration {
  public static var kind: AgentKind { .streamAC }
  public func makeAgent(
    makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int
  ) throws -> any Agent {
    try StreamACAgent(config: self, environment: makeEnvironment(), seed: seed, totalSteps: totalSteps)
  }
}

extension StreamQConfig: AgentConfiguration {
  public static var kind: AgentKind { .streamQ }
  public func makeAgent(
    makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int
  ) throws -> any Agent {
    try StreamQAgent(config: self, environment: makeEnvironment(), seed: seed, totalSteps: totalSteps)
  }
}
