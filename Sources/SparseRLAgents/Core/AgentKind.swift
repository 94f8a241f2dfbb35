/// The agents SparseRL can train, as named in configurations (`agent: dqn`).
public enum AgentKind: String, ConfigChoice {
  case dqn, ppo, sac, td3
}
