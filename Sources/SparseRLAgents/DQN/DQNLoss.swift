import SparseRLNumerics

/// DQN's TD regression of the taken actions' Q-values onto their targets.
public enum DQNLoss {
  /// The loss `ValueLoss(Q(s_b, a_b), y_b)` averaged over the batch, and its gradient with respect to every
  /// Q-value `[actions x batch]`: non-zero only at the taken action of each sample (the other actions' outputs
  /// get no gradient). Also returns the mean of the taken actions' Q-values.
  public static func evaluate(values: Matrix, actions: [Int], targets: [Float], loss: ValueLoss) -> (
    loss: Float, outputGradient: Matrix, meanQ: Float
  ) {
    let batch = actions.count
    precondition(values.columns == batch && targets.count == batch, "DQN loss inputs differ in batch size")
    var predictions = [Float](repeating: 0, count: batch)
    for b in 0..<batch { predictions[b] = values[actions[b], b] }
    let (value, gradient) = loss.evaluate(predictions: predictions, targets: targets)
    var outputGradient = Matrix(rows: values.rows, columns: batch)
    for b in 0..<batch { outputGradient[actions[b], b] = gradient[b] }
    return (value, outputGradient, predictions.reduce(0, +) / Float(max(batch, 1)))
  }
}
