import SparseRLNumerics

/// DQN's TD regression of the taken actions' Q-values onto their targets.
///
/// A value of this type (the agent keeps one) computes the loss in buffers it rewrites on every update, so an
/// update allocates nothing; the static `evaluate` computes it in fresh arrays.
public struct DQNLoss {
  /// The taken actions' Q-values.
  private var predictions: [Float] = []
  /// The loss's gradient with respect to them.
  private var gradient: [Float] = []
  /// The gradient with respect to every Q-value.
  private var outputGradient = Matrix(rows: 0, columns: 0)

  /// A loss with empty buffers.
  public init() {}

  /// The loss `ValueLoss(Q(s_b, a_b), y_b)` averaged over the batch, and its gradient with respect to every
  /// Q-value `[actions x batch]`: non-zero only at the taken action of each sample (the other actions' outputs
  /// get no gradient). Also returns the mean of the taken actions' Q-values.
  public static func evaluate(values: Matrix, actions: [Int], targets: [Float], loss: ValueLoss) -> (
    loss: Float, outputGradient: Matrix, meanQ: Float
  ) {
    var buffers = DQNLoss()
    return buffers.evaluate(values: values, actions: actions, targets: targets, loss: loss)
  }

  /// `DQNLoss.evaluate(values:actions:targets:loss:)` in this loss's buffers: the returned gradient is
  /// rewritten by the next call.
  public mutating func evaluate(values: Matrix, actions: [Int], targets: [Float], loss: ValueLoss) -> (
    loss: Float, outputGradient: Matrix, meanQ: Float
  ) {
    let batch = actions.count
    precondition(values.columns == batch && targets.count == batch, "DQN loss inputs differ in batch size")
    predictions.prepare(count: batch)
    for b in 0..<batch { predictions[b] = values[actions[b], b] }
    let value = loss.evaluate(predictions: predictions, targets: targets, gradient: &gradient)
    outputGradient.prepare(rows: values.rows, columns: batch)
    outputGradient.fill(0)
    for b in 0..<batch { outputGradient[actions[b], b] = gradient[b] }
    return (value, outputGradient, predictions.reduce(0, +) / Float(max(batch, 1)))
  }
}
