import SparseRLNumerics

/// The regression loss of a value or Q-function against its targets, averaged over the batch.
public enum ValueLoss: String, ConfigChoice {
  /// `mean((q - y)^2)`.
  case mse
  /// Smooth L1 with threshold 1: `0.5 d^2` for `|d| <= 1`, `|d| - 0.5` otherwise (DQN on Atari).
  case huber

  /// The loss and its gradient with respect to each prediction.
  public func evaluate(predictions: [Float], targets: [Float]) -> (loss: Float, gradient: [Float]) {
    var gradient: [Float] = []
    let loss = evaluate(predictions: predictions, targets: targets, gradient: &gradient)
    return (loss, gradient)
  }

  /// The loss, writing its gradient with respect to each prediction into `gradient` (resized in its own
  /// storage: an update that keeps the array allocates nothing).
  public func evaluate(predictions: [Float], targets: [Float], gradient: inout [Float]) -> Float {
    precondition(predictions.count == targets.count, "predictions and targets differ in count")
    let n = Float(max(predictions.count, 1))
    var loss: Float = 0
    gradient.prepare(count: predictions.count)
    for k in predictions.indices {
      let d = predictions[k] - targets[k]
      switch self {
      case .mse:
        loss += d * d
        gradient[k] = 2 * d / n
      case .huber:
        if abs(d) <= 1 {
          loss += 0.5 * d * d
          gradient[k] = d / n
        } else {
          loss += abs(d) - 0.5
          gradient[k] = (d > 0 ? 1 : -1) / n
        }
      }
    }
    return loss / n
  }
}
