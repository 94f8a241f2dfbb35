/// Divides rewards by the running standard deviation of the discounted return (Stable-Baselines3's
/// `VecNormalize` reward scaling and CleanRL's `NormalizeReward`; the mean is not subtracted).
///
/// Per step: `G = gamma * G + r`, the statistics take `G` (unless `isFrozen`), the agent sees
/// `r / sqrt(var(G) + epsilon)`, and `G` is reset to 0 at the end of an episode (termination or
/// truncation; Gymnasium 1.x resets it only on termination).
public final class RewardScaling: EnvironmentWrapper {
  public let inner: any Environment
  /// Discount of the running return.
  public let gamma: Double
  /// Added to the variance under the square root.
  public let epsilon: Double
  /// Statistics of the discounted return.
  public private(set) var statistics = RunningMeanVariance(dimension: 1)
  /// The discounted return of the current episode so far.
  public private(set) var discountedReturn = 0.0
  /// When true, rewards are scaled with the current statistics without updating them.
  public var isFrozen = false

  /// Wraps `inner` with fresh statistics; `gamma` is the agent's discount.
  public init(_ inner: any Environment, gamma: Double = 0.99, epsilon: Double = 1e-8) {
    precondition(gamma >= 0 && gamma <= 1, "RewardScaling needs gamma in [0, 1], got \(gamma)")
    precondition(epsilon > 0, "RewardScaling needs a positive epsilon, got \(epsilon)")
    self.inner = inner
    self.gamma = gamma
    self.epsilon = epsilon
  }

  public var id: String { inner.id }
  public var observationSpace: Space { inner.observationSpace }
  public var actionSpace: Space { inner.actionSpace }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    discountedReturn = 0
    return try inner.reset(seed: seed)
  }

  public func step(_ action: Action) throws -> Step {
    var step = try inner.step(action)
    discountedReturn = gamma * discountedReturn + step.reward
    if !isFrozen { statistics.update(discountedReturn) }
    step.reward /= (statistics.variance[0] + epsilon).squareRoot()
    if step.isLast { discountedReturn = 0 }
    return step
  }

  /// Reals: return, count, mean, variance; integers: frozen flag; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(
      reals: [discountedReturn, statistics.count, statistics.mean[0], statistics.variance[0]],
      integers: [isFrozen ? 1 : 0], inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    try state.expect(reals: 4, integers: 1, generators: 0, environment: "RewardScaling(\(id))")
    try inner.restoreState(state.innerState(of: "RewardScaling(\(id))"))
    discountedReturn = state.reals[0]
    statistics = RunningMeanVariance(
      mean: [state.reals[2]], variance: [state.reals[3]], count: state.reals[1])
    isFrozen = state.integers[0] != 0
  }
}
