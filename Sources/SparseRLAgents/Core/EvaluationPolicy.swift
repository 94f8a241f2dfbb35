import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import SparseRLPolicy

/// An agent whose evaluation policy can leave the framework: `evaluationPolicy()` is a self-contained `Policy`
/// (a copy of the acting network, the observation standardisation and the action map) that gives the same action
/// as `evaluationAction(for:)` for every raw observation.
public protocol PolicyExporting: Agent {
  /// The evaluation policy as a stand-alone `Policy` (copies; later training does not change it).
  func evaluationPolicy() throws -> Policy
}

/// A copy of `model` as a `Sequential`, without optimizer state.
private func policyNetwork(_ model: any Layer) -> Sequential {
  let copy = model.copy()
  for parameter in copy.parameters { parameter.optimizerState = [:] }
  return copy as? Sequential ?? Sequential([copy])
}

extension DQNAgent: PolicyExporting {
  /// The Q-network and its greedy action.
  public func evaluationPolicy() throws -> Policy {
    guard case .discrete(let actions) = environment.actionSpace,
      case .box(let observations) = environment.observationSpace
    else { throw AgentError.incompatibleEnvironment("DQN needs box observations and discrete actions") }
    return try Policy(
      observationShape: observations.shape, standardization: nil, network: policyNetwork(q.model),
      head: .greedy(start: actions.start))
  }
}

extension TD3Agent: PolicyExporting {
  /// The running observation statistics (if on), the actor, `tanh`, and the map to the environment's box.
  public func evaluationPolicy() throws -> Policy {
    try Policy(
      observationShape: [core.observationWidth], standardization: core.normalizer?.standardization,
      network: policyNetwork(actor.model), head: .tanhBox(low: core.box.low, high: core.box.high))
  }
}

extension DDPGAgent: PolicyExporting {
  /// The running observation statistics (if on), the actor, `tanh`, and the map to the environment's box.
  public func evaluationPolicy() throws -> Policy {
    try Policy(
      observationShape: [core.observationWidth], standardization: core.normalizer?.standardization,
      network: policyNetwork(actor.model), head: .tanhBox(low: core.box.low, high: core.box.high))
  }
}

extension SACAgent: PolicyExporting {
  /// The running observation statistics (if on), the actor's mean (its first half of outputs), `tanh`, and the
  /// map to the environment's box.
  public func evaluationPolicy() throws -> Policy {
    try Policy(
      observationShape: [core.observationWidth], standardization: core.normalizer?.standardization,
      network: policyNetwork(actor.model), head: .tanhBox(low: core.box.low, high: core.box.high))
  }
}

extension PPOAgent: PolicyExporting {
  /// The actor with sub-environment 0's frozen observation statistics, and the categorical mode or the
  /// Gaussian mean clipped into the box.
  public func evaluationPolicy() throws -> Policy {
    guard case .box(let observations) = environments.observationSpace else {
      throw AgentError.incompatibleEnvironment("PPO needs box observations")
    }
    let standardization = evaluationNormalization.map {
      ObservationStandardization(
        mean: $0.statistics.mean, variance: $0.statistics.variance, epsilon: $0.epsilon, clip: $0.clip)
    }
    let policyHead: PolicyHead =
      switch head {
      case .categorical(let space): .greedy(start: space.start)
      case .gaussian(let box, _): .clippedBox(low: box.low, high: box.high)
      }
    return try Policy(
      observationShape: standardization == nil ? observations.shape : [observations.count],
      standardization: standardization, network: policyNetwork(actor.model), head: policyHead)
  }
}
