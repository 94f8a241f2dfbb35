/// Normalises observations with running statistics: `clip((o - mean) / sqrt(var + epsilon), -clip, clip)`
/// elementwise (Gymnasium's `NormalizeObservation`, with Stable-Baselines3's `VecNormalize` clip).
///
/// The statistics are updated with every observation from `reset` and `step` (before normalising it)
/// unless `isFrozen` is true; freeze them for evaluation so that evaluation episodes neither change nor
/// depend on their own statistics. Needs a box observation space; the wrapped space becomes
/// `Box(-clip, clip)`.
public final class ObservationNormalization: EnvironmentWrapper {
  public let inner: any Environment
  /// The running statistics of the raw observations.
  public private(set) var statistics: RunningMeanVariance
  /// When true, observations are normalised with the current statistics without updating them.
  public var isFrozen = false
  /// The normalised values are clipped to [-clip, clip].
  public let clip: Float
  /// Added to the variance under the square root.
  public let epsilon: Double

  /// Wraps `inner` (box observations) with fresh statistics.
  public init(_ inner: any Environment, clip: Float = 10, epsilon: Double = 1e-8) {
    guard case .box(let box) = inner.observationSpace else {
      preconditionFailure(
        "ObservationNormalization needs a Box observation space; \(inner.id) has \(inner.observationSpace)"
      )
    }
    precondition(clip > 0, "ObservationNormalization needs a positive clip, got \(clip)")
    self.inner = inner
    self.clip = clip
    self.epsilon = epsilon
    statistics = RunningMeanVariance(dimension: box.count)
  }

  public var id: String { inner.id }
  public var observationSpace: Space {
    guard case .box(let box) = inner.observationSpace else { return inner.observationSpace }
    return .box(BoxSpace(low: -clip, high: clip, shape: box.shape))
  }
  public var actionSpace: Space { inner.actionSpace }

  /// Normalises `observation` with the current statistics (no update).
  public func normalize(_ observation: [Float]) -> [Float] {
    (0..<observation.count).map { i in
      let z =
        (Double(observation[i]) - statistics.mean[i])
        / (statistics.variance[i] + epsilon).squareRoot()
      return min(max(Float(z), -clip), clip)
    }
  }

  private func process(_ observation: [Float]) -> [Float] {
    if !isFrozen { statistics.update(observation) }
    return normalize(observation)
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    let result = try inner.reset(seed: seed)
    return (process(result.observation), result.info)
  }

  public func step(_ action: Action) throws -> Step {
    var step = try inner.step(action)
    step.observation = process(step.observation)
    return step
  }

  /// Reals: count, means, variances; integers: frozen flag; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(
      reals: [statistics.count] + statistics.mean + statistics.variance,
      integers: [isFrozen ? 1 : 0],
      inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let n = statistics.dimension
    try state.expect(
      reals: 1 + 2 * n, integers: 1, generators: 0, environment: "ObservationNormalization(\(id))")
    try inner.restoreState(state.innerState(of: "ObservationNormalization(\(id))"))
    statistics = RunningMeanVariance(
      mean: Array(state.reals[1...n]), variance: Array(state.reals[(n + 1)...(2 * n)]),
      count: state.reals[0])
    isFrozen = state.integers[0] != 0
  }
}
