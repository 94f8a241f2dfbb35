import Foundation
import SparseRLNetworks
import SparseRLNumerics

/// SAC's automatically tuned temperature alpha (Haarnoja et al. 2018b): `log alpha` is learned with Adam on
/// `L(log alpha) = -log alpha * mean_b(log pi(a_b|s_b) + target_entropy)`, whose gradient is
/// `-mean_b(log pi + target_entropy)`: alpha grows while the policy's entropy is below the target.
public final class EntropyTemperature {
  /// The entropy the policy is driven towards (`-|A|` by default).
  public let targetEntropy: Float
  /// Whether alpha is learned (otherwise it stays at its initial value).
  public let isLearned: Bool
  let logAlpha: Parameter
  let optimizer: Adam

  /// A temperature starting at `initial`, learned with Adam at `learningRate` when `isLearned`.
  public init(initial: Float, targetEntropy: Float, learningRate: Float, isLearned: Bool) {
    precondition(initial > 0, "the initial temperature must be positive")
    self.targetEntropy = targetEntropy
    self.isLearned = isLearned
    logAlpha = Parameter(name: "log_alpha", rows: 1, columns: 1, value: [Foundation.log(initial)])
    optimizer = Adam(parameters: [logAlpha], learningRate: learningRate)
  }

  /// The current alpha.
  public var alpha: Float { Foundation.exp(logAlpha.value[0]) }

  /// The temperature loss and its gradient with respect to `log alpha`.
  public static func loss(
    logAlpha: Float, logProbabilities: [Float], targetEntropy: Float
  ) -> (loss: Float, gradient: Float) {
    let meanTerm = logProbabilities.reduce(0) { $0 + $1 + targetEntropy } / Float(max(logProbabilities.count, 1))
    return (-logAlpha * meanTerm, -meanTerm)
  }

  /// One Adam step on `log alpha` from the log-probabilities of freshly sampled actions. Returns the loss.
  @discardableResult
  public func update(logProbabilities: [Float]) -> Float {
    let (loss, gradient) = EntropyTemperature.loss(
      logAlpha: logAlpha.value[0], logProbabilities: logProbabilities, targetEntropy: targetEntropy)
    guard isLearned else { return loss }
    logAlpha.gradient[0] = gradient
    optimizer.step()
    return loss
  }

  /// `log alpha`, its Adam moments and the optimizer's step count.
  func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["log_alpha"] = .floats(logAlpha.value)
    var moments = BinaryArchive()
    for (key, slot) in logAlpha.optimizerState { moments[key] = .floats(slot) }
    archive["moments"] = .archive(moments)
    archive["optimizer"] = .archive(optimizer.archive())
    return archive
  }

  func load(_ archive: BinaryArchive) throws {
    logAlpha.value = try archive.floats("log_alpha", count: 1)
    let moments = try archive.archive("moments")
    logAlpha.optimizerState = [:]
    for key in moments.names { logAlpha.optimizerState[key] = try moments.floats(key, count: 1) }
    try optimizer.load(from: archive.archive("optimizer"))
  }
}
