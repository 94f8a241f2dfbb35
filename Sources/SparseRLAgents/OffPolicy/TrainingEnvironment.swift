import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// The training environment of a single-environment agent (DQN, SAC, TD3): the observation to act on, the
/// reset after each episode, and the exact save/restore of both (the environment's state travels as the JSON
/// bytes of its `EnvironmentState`).
///
/// Finished episodes are reported from the `EpisodeStatistics` wrapper's info (the one source of episode
/// statistics of every agent; `EnvironmentRegistry.make` adds the wrapper). The first episode starts with
/// `reset(seed:)`; later episodes continue the environment's own generator, as Gymnasium does.
final class TrainingEnvironment {
  let environment: any Environment
  /// The observation the next action is chosen for.
  private(set) var observation: [Float]

  init(_ environment: any Environment, seed: UInt64) throws {
    self.environment = environment
    observation = try environment.reset(seed: seed).observation
  }

  /// A finished episode, as the `EpisodeStatistics` wrapper reported it.
  struct Episode {
    var episodeReturn: Double
    var length: Double

    /// The `episode` metrics.
    var metrics: [String: Double] { ["return": episodeReturn, "length": length] }
  }

  /// Steps with `action`; returns the step and, when the episode ended, its statistics (nil if the environment
  /// has no `EpisodeStatistics` wrapper). After the last step of an episode the environment is reset and
  /// `observation` is the first observation of the next one.
  func step(_ action: Action) throws -> (step: Step, finished: Episode?) {
    let step = try environment.step(action)
    guard step.isLast else {
      observation = step.observation
      return (step, nil)
    }
    observation = try environment.reset(seed: nil).observation
    guard let episodeReturn = step.info[EpisodeStatistics.returnKey],
      let length = step.info[EpisodeStatistics.lengthKey]
    else { return (step, nil) }
    return (step, Episode(episodeReturn: episodeReturn, length: length))
  }

  func archive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["state"] = try .environmentState(environment.saveState())
    archive["observation"] = .floats(observation)
    return archive
  }

  /// Restores what `archive()` saved; nothing changes when an entry is missing or malformed.
  func load(_ archive: BinaryArchive) throws {
    let state = try archive.environmentState("state")
    let restored = try archive.floats("observation", count: observation.count)
    try environment.restoreState(state)
    observation = restored
  }
}
