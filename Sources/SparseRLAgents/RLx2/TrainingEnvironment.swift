import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// The training environment of an off-policy agent: the observation to act on, the running episode's return
/// and length, and the exact save/restore of all of it (the environment's state travels as the JSON bytes of
/// its `EnvironmentState`).
///
/// The first episode starts with `reset(seed:)`; later episodes continue the environment's own generator, as
/// Gymnasium does.
final class TrainingEnvironment {
  let environment: any Environment
  /// The observation the next action is chosen for.
  private(set) var observation: [Float]
  /// Return and length of the running episode.
  private(set) var episodeReturn = 0.0
  private(set) var episodeLength = 0

  init(_ environment: any Environment, seed: UInt64) throws {
    self.environment = environment
    observation = try environment.reset(seed: seed).observation
  }

  /// A finished episode.
  struct Episode {
    var episodeReturn: Double
    var length: Int
  }

  /// Steps with `action`; returns the step and, when the episode ended, the episode (the environment is then
  /// reset and `observation` is the first observation of the next one).
  func step(_ action: Action) throws -> (step: Step, finished: Episode?) {
    let step = try environment.step(action)
    episodeReturn += step.reward
    episodeLength += 1
    guard step.isLast else {
      observation = step.observation
      return (step, nil)
    }
    let episode = Episode(episodeReturn: episodeReturn, length: episodeLength)
    episodeReturn = 0
    episodeLength = 0
    observation = try environment.reset(seed: nil).observation
    return (step, episode)
  }

  func archive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["state"] = try .environmentState(environment.saveState())
    archive["observation"] = .floats(observation)
    archive["episode_return"] = .double(episodeReturn)
    archive["episode_length"] = .int(episodeLength)
    return archive
  }

  func load(_ archive: BinaryArchive) throws {
    let state = try archive.environmentState("state")
    try environment.restoreState(state)
    observation = try archive.floats("observation", count: observation.count)
    episodeReturn = try archive.double("episode_return")
    episodeLength = try archive.int("episode_length")
  }
}
