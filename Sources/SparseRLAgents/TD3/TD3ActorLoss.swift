import SparseRLNumerics

/// TD3's actor loss (Fujimoto et al. 2018, the deterministic policy gradient through critic 1 only):
/// `L = -mean_b Q1(s_b, tanh(u_b))`, where `u` is the actor's raw output and `tanh` squashes it into the
/// normalised action box.
///
/// Its gradient with respect to `u` is `-(1/B) dQ1/da * (1 - a^2)`; critic 1's parameters are not touched.
/// DDPG's actor loss is the same with its single critic (`DDPGAgent` passes critic 0 itself).
///
/// A value of this type keeps the loss's per-update arrays (the squashed actions, `dL/dQ`, the output gradient)
/// and rewrites them on every `evaluate`, so an actor that keeps one allocates nothing per update.
public struct TD3ActorLoss {
  /// The critic TD3's actor ascends: critic 1 (index 0).
  static let critic = 0

  /// The squashed actions `tanh(u)` the critic is evaluated at, `[|A| x B]`.
  private var actions = Matrix(rows: 0, columns: 0)
  /// `dL/dQ` per sample (`-1/B`).
  private var valueGradient: [Float] = []
  /// `dL/du`, `[|A| x B]`.
  private var outputGradient = Matrix(rows: 0, columns: 0)

  /// A loss with empty buffers.
  init() {}

  /// The loss and its gradient with respect to the actor's raw output `[|A| x B]` for observations
  /// `[width x B]`, through critic `critic` of `critics` (its value and its action gradient from the same
  /// network).
  static func evaluate(actorOutput: Matrix, observations: Matrix, critics: TwinCritics, critic: Int) -> (
    loss: Float, outputGradient: Matrix
  ) {
    var loss = TD3ActorLoss()
    return loss.evaluate(actorOutput: actorOutput, observations: observations, critics: critics, critic: critic)
  }

  /// `TD3ActorLoss.evaluate` in this loss's buffers: the returned gradient is rewritten by the next call.
  mutating func evaluate(actorOutput: Matrix, observations: Matrix, critics: TwinCritics, critic: Int) -> (
    loss: Float, outputGradient: Matrix
  ) {
    tanhActions(actorOutput, into: &actions)
    let q = critics.q(critic, inputs: critics.concatenated(observations, actions))
    let batch = Float(max(q.count, 1))
    valueGradient.assign(repeating: -1 / batch, count: q.count)
    let actionGradient = critics.actionGradient(critic, outputGradient: valueGradient)
    outputGradient.prepare(rows: actionGradient.rows, columns: actionGradient.columns)
    for k in 0..<outputGradient.count {
      let a = actions.scalars[k]
      outputGradient.scalars[k] = actionGradient.scalars[k] * (1 - a * a)
    }
    return (-q.reduce(0, +) / batch, outputGradient)
  }
}
