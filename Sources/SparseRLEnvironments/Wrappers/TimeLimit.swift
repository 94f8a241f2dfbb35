/// Ends an episode by truncation after `maxEpisodeSteps` steps (Gymnasium's `TimeLimit`).
///
/// The step that reaches the limit reports `truncated = true`; `terminated` is passed through unchanged, so a
/// terminal state reached on the last allowed step reports both. After either, `step` throws
/// `EnvironmentError.needsReset` until the next `reset`.
public final class TimeLimit: EnvironmentWrapper {
  public let inner: any Environment
  /// The number of steps after which an episode is truncated.
  public let maxEpisodeSteps: Int
  /// Steps taken in the current episode.
  public private(set) var elapsedSteps = 0
  private var episodeEnded = true

  /// Wraps `inner` with a limit of `maxEpisodeSteps` steps per episode.
  public init(_ inner: any Environment, maxEpisodeSteps: Int) {
    precondition(
      maxEpisodeSteps > 0, "TimeLimit needs a positive step limit, got \(maxEpisodeSteps)")
    self.inner = inner
    self.maxEpisodeSteps = maxEpisodeSteps
  }

  public var id: String { inner.id }
  public var observationSpace: Space { inner.observationSpace }
  public var actionSpace: Space { inner.actionSpace }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    let result = try inner.reset(seed: seed)
    elapsedSteps = 0
    episodeEnded = false
    return result
  }

  public func step(_ action: Action) throws -> Step {
    guard !episodeEnded else { throw EnvironmentError.needsReset(environment: id) }
    var step = try inner.step(action)
    elapsedSteps += 1
    if elapsedSteps >= maxEpisodeSteps { step.truncated = true }
    episodeEnded = step.isLast
    return step
  }

  /// Integers: elapsed steps, episode-ended flag; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(integers: [elapsedSteps, episodeEnded ? 1 : 0], inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    try state.expect(reals: 0, integers: 2, generators: 0, environment: "TimeLimit(\(id))")
    try inner.restoreState(state.innerState(of: "TimeLimit(\(id))"))
    elapsedSteps = state.integers[0]
    episodeEnded = state.integers[1] != 0
  }
}
