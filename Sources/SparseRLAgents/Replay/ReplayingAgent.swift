/// An agent that learns from a replay buffer (the off-policy agents and DQN), for reports of its memory.
public protocol ReplayingAgent: Agent {
  /// The buffer it samples its updates from.
  var replayBuffer: ReplayBuffer { get }
}

extension OffPolicyAgent {
  /// The off-policy core's buffer.
  public var replayBuffer: ReplayBuffer { core.buffer }
}

extension SACAgent: ReplayingAgent {}
extension TD3Agent: ReplayingAgent {}
extension DDPGAgent: ReplayingAgent {}

extension DQNAgent: ReplayingAgent {
  /// `replay`.
  public var replayBuffer: ReplayBuffer { replay }
}
