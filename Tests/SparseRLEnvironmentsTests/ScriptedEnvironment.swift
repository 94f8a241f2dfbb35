import SparseRLNumerics

@testable import SparseRLEnvironments

/// A test environment that replays given observations and rewards and records the actions it receives.
/// Step `t` of an episode (counted from 1) returns `observations[t % count]`; episodes terminate after
/// `episodeLength` steps.
final class ScriptedEnvironment: Environment {
  let id = "Scripted"
  let observationSpace: Space
  let actionSpace: Space
  let observations: [[Float]]
  let rewards: [Double]
  let episodeLength: Int
  private(set) var receivedActions: [Action] = []
  private var index = 0
  private var episodeStep = 0

  init(
    observations: [[Float]], rewards: [Double] = [0], episodeLength: Int = .max,
    actionSpace: Space = .discrete(DiscreteSpace(2))
  ) {
    let dimension = observations[0].count
    observationSpace = .box(BoxSpace(low: -.infinity, high: .infinity, shape: [dimension]))
    self.actionSpace = actionSpace
    self.observations = observations
    self.rewards = rewards
    self.episodeLength = episodeLength
  }

  func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    episodeStep = 0
    defer { index += 1 }
    return (observations[index % observations.count], Info())
  }

  func step(_ action: Action) throws -> Step {
    try actionSpace.validate(action, environment: id)
    receivedActions.append(action)
    episodeStep += 1
    defer { index += 1 }
    return Step(
      observation: observations[index % observations.count], reward: rewards[index % rewards.count],
      terminated: episodeStep == episodeLength, truncated: false)
  }

  func saveState() -> EnvironmentState { EnvironmentState(integers: [index, episodeStep]) }

  func restoreState(_ state: EnvironmentState) throws {
    index = state.integers[0]
    episodeStep = state.integers[1]
  }
}
