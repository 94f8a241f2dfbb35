import SparseRLNumerics

/// Adds independent Gaussian noise `N(0, standardDeviation^2)` to every observation element, from its own
/// generator (used for robustness evaluation). Bounds of the observation space are not enforced.
///
/// The generator starts from `seed`; a `reset(seed: s)` reseeds it from `s` (stream `"observation-noise"`),
/// so a seeded episode sees the same noise every time. Unseeded resets continue the generator.
public final class ObservationNoise: EnvironmentWrapper {
  public let inner: any Environment
  /// The noise standard deviation.
  public let standardDeviation: Float
  private var generator: RandomGenerator

  /// Wraps `inner`; the noise generator starts from `seed`.
  public init(_ inner: any Environment, standardDeviation: Float, seed: UInt64 = 0) {
    precondition(
      standardDeviation >= 0 && standardDeviation.isFinite,
      "ObservationNoise needs a finite non-negative standard deviation, got \(standardDeviation)")
    self.inner = inner
    self.standardDeviation = standardDeviation
    generator = RandomGenerator(seed: seed).stream("observation-noise")
  }

  public var id: String { inner.id }
  public var observationSpace: Space { inner.observationSpace }
  public var actionSpace: Space { inner.actionSpace }

  private func perturb(_ observation: [Float]) -> [Float] {
    observation.map { $0 + generator.normal(mean: 0, standardDeviation: standardDeviation) }
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    if let seed { generator = RandomGenerator(seed: seed).stream("observation-noise") }
    let result = try inner.reset(seed: seed)
    return (perturb(result.observation), result.info)
  }

  public func step(_ action: Action) throws -> Step {
    var step = try inner.step(action)
    step.observation = perturb(step.observation)
    return step
  }

  /// Generators: the noise generator; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(generators: [generator], inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    try state.expect(reals: 0, integers: 0, generators: 1, environment: "ObservationNoise(\(id))")
    try inner.restoreState(state.innerState(of: "ObservationNoise(\(id))"))
    generator = state.generators[0]
  }
}
