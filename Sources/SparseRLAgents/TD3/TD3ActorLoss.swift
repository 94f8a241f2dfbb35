import SparseRLNumerics

/// TD3's actor loss (Fujimoto et al. 2018, the deterministic policy gradient through critic 1 only):
/// `L = -mean_b Q1(s_b, tanh(u_b))`, where `u` is the actor's raw output and `tanh` squashes it into the
/// normalised action box.
///
/// Its gradient with respect to `u` is `-(1/B) dQ1/da * (1 - a^2)`; critic 1's parameters are not touched.
/// DDPG's actor loss is the same with its single critic (`DDPGAgent` passes critic 0 itself).
public enum TD3ActorLoss {
  /// The critic TD3's actor ascends: critic 1 (index 0).
  static let critic = 0

  /// The loss and its gradient with respect to the actor's raw output `[|A| x B]` for observations
  /// `[width x B]`, through critic `critic` of `critics` (its value and its action gradient from the same
  /// network).
  static func evaluate(actorOutput: Matrix, observations: Matrix, critics: TwinCritics, critic: Int) -> (
    loss: Float, outputGradient: Matrix
  ) {
    let actions = tanhActions(actorOutput)
    let q = critics.q(critic, inputs: TwinCritics.inputs(observations: observations, actions: actions))
    let batch = Float(max(q.count, 1))
    var gradient = critics.actionGradient(critic, outputGradient: [Float](repeating: -1 / batch, count: q.count))
    for k in 0..<gradient.count {
      let a = actions.scalars[k]
      gradient.scalars[k] *= 1 - a * a
    }
    return (-q.reduce(0, +) / batch, gradient)
  }
}
