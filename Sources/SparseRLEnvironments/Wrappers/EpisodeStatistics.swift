/// Adds the undiscounted return and the length of each episode to the info of its last step (Gymnasium's
/// `RecordEpisodeStatistics`), under `EpisodeStatistics.returnKey` and `EpisodeStatistics.lengthKey`.
///
/// Place it outside `TimeLimit` so that it sees truncations (`EnvironmentRegistry.make` does).
public final class EpisodeStatistics: EnvironmentWrapper {
  /// Info key of the episode return, present only on the last step of an episode.
  public static let returnKey = "episode.return"
  /// Info key of the episode length (steps), present only on the last step of an episode.
  public static let lengthKey = "episode.length"

  public let inner: any Environment
  /// Sum of rewards so far in the current episode.
  public private(set) var episodeReturn = 0.0
  /// Steps so far in the current episode.
  public private(set) var episodeLength = 0

  /// Wraps `inner`.
  public init(_ inner: any Environment) { self.inner = inner }

  public var id: String { inner.id }
  public var observationSpace: Space { inner.observationSpace }
  public var actionSpace: Space { inner.actionSpace }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    let result = try inner.reset(seed: seed)
    episodeReturn = 0
    episodeLength = 0
    return result
  }

  public func step(_ action: Action) throws -> Step {
    var step = try inner.step(action)
    episodeReturn += step.reward
    episodeLength += 1
    if step.isLast {
      step.info[Self.returnKey] = episodeReturn
      step.info[Self.lengthKey] = Double(episodeLength)
    }
    return step
  }

  /// Reals: return; integers: length; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(reals: [episodeReturn], integers: [episodeLength], inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    try state.expect(reals: 1, integers: 1, generators: 0, environment: "EpisodeStatistics(\(id))")
    try inner.restoreState(state.innerState(of: "EpisodeStatistics(\(id))"))
    episodeReturn = state.reals[0]
    episodeLength = state.integers[0]
  }
}
