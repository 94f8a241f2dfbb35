internal import CSparseRLKernels

/// The element-wise loops of an update step over stored parameter entries, in the C kernels (8 lanes at a time
/// in the AVX2 variant; the Swift code around the kernels is compiled for the baseline target). Each is O(count),
/// allocates nothing, and computes with unfused multiplies and adds, so every variant gives exactly the result of
/// the scalar loop documented on each function.
public enum UpdateKernels {
  /// The hyper-parameters of one Adam step, with the bias corrections folded in.
  public struct AdamStep: Sendable {
    /// `beta1`, the first moment's decay.
    public var beta1: Float
    /// `beta2`, the second moment's decay.
    public var beta2: Float
    /// `learning rate / (1 - beta1^t)`.
    public var stepSize: Float
    /// `1 / sqrt(1 - beta2^t)`.
    public var inverseCorrection2Root: Float
    /// Added to the denominator.
    public var epsilon: Float
    /// Each weight is multiplied by this first (`1 - lr * decay` for AdamW, else 1).
    public var shrink: Float
    /// Coupled L2 coefficient added to the gradient (`decay` for Adam with weight decay, else 0).
    public var l2: Float

    /// The step from its parts (see each property).
    public init(
      beta1: Float, beta2: Float, stepSize: Float, inverseCorrection2Root: Float, epsilon: Float, shrink: Float,
      l2: Float
    ) {
      self.beta1 = beta1
      self.beta2 = beta2
      self.stepSize = stepSize
      self.inverseCorrection2Root = inverseCorrection2Root
      self.epsilon = epsilon
      self.shrink = shrink
      self.l2 = l2
    }
  }

  /// One Adam step in place, for every `i`: `decayed = p * shrink`, `g' = g + l2 * p`,
  /// `m = beta1 m + (1 - beta1) g'`, `v = beta2 v + (1 - beta2) g'^2`,
  /// `p = decayed - stepSize * m / (sqrt(v) * inverseCorrection2Root + epsilon)`.
  public static func adam(
    _ step: AdamStep, values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
    firstMoments: UnsafeMutableBufferPointer<Float>, secondMoments: UnsafeMutableBufferPointer<Float>
  ) {
    let count = values.count
    precondition(
      gradients.count == count && firstMoments.count == count && secondMoments.count == count,
      "UpdateKernels.adam: \(count) values, \(gradients.count) gradients, \(firstMoments.count) and "
        + "\(secondMoments.count) moments")
    guard count > 0 else { return }
    srl_adam_update(
      count, values.baseAddress!, gradients.baseAddress!, firstMoments.baseAddress!, secondMoments.baseAddress!,
      step.beta1, step.beta2, step.stepSize, step.inverseCorrection2Root, step.epsilon, step.shrink, step.l2)
  }

  /// Polyak averaging in place: `target[i] = target[i] * (1 - tau) + tau * online[i]`.
  public static func polyak(target: UnsafeMutableBufferPointer<Float>, online: UnsafeBufferPointer<Float>, tau: Float) {
    precondition(
      target.count == online.count, "UpdateKernels.polyak: \(target.count) target and \(online.count) online values")
    guard target.count > 0 else { return }
    srl_polyak_update(target.count, target.baseAddress!, online.baseAddress!, 1 - tau, tau)
  }
}
