import Foundation
import SparseRLNumerics
import Testing

@testable import SparseRLEnvironments

/// The DeepMind Control environments' own behaviour: registration, action repeat, state restore, errors.
@Suite("DeepMind Control environments")
struct DMCEnvironmentTests {
  static let ids = [
    "dmc/cheetah-run", "dmc/walker-walk", "dmc/walker-run", "dmc/hopper-hop", "dmc/quadruped-run",
    "dmc/humanoid-stand", "dmc/humanoid-walk", "dmc/humanoid-run", "dmc/dog-stand", "dmc/dog-walk",
    "dmc/dog-trot", "dmc/dog-run",
  ]

  @Test func registryHasTheTasksWithTheirTimeLimitsAndActionRepeatOptions() throws {
    for id in Self.ids {
      #expect(try EnvironmentRegistry.spec(id).maxEpisodeSteps == 1000, "\(id)")
      #expect(try EnvironmentRegistry.spec("\(id)?action_repeat=2").maxEpisodeSteps == 500)
      #expect(try EnvironmentRegistry.spec("\(id)?action_repeat=8").maxEpisodeSteps == 125)
    }
    #expect(EnvironmentRegistry.ids.filter { $0.hasPrefix("dmc/") } == Self.ids)
    for bad in ["dmc/cheetah-run?action_repeat=3", "dmc/cheetah-run?action_repeat=0", "dmc/cheetah-run?repeat=2"] {
      #expect(throws: EnvironmentError.self, "\(bad)") { try EnvironmentRegistry.spec(bad) }
    }
    #expect(throws: EnvironmentError.self) { try EnvironmentRegistry.spec("dmc/cheetah-walk") }
  }

  @Test func missingRuntimeThrowsUnavailableNamingTheSetupCommand() throws {
    let nowhere = MuJoCoInstallation(home: URL(fileURLWithPath: "/nonexistent-sparserl-mujoco"))
    do {
      _ = try DMC.make("dmc/cheetah-run", installation: nowhere)
      Issue.record("made an environment without a runtime")
    } catch let error as EnvironmentError {
      guard case .unavailable(let id, let reason) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(id == "dmc/cheetah-run" && reason.contains("scripts/setup-mujoco.sh"))
    }
  }

  @Test(.enabled(if: MuJoCoTestGate.runs))
  func actionRepeatSumsTheRewardsOfRepeatedControlSteps() throws {
    let single = try DMC.make("dmc/walker-run")
    let repeated = try DMC.make("dmc/walker-run", actionRepeat: 2)
    #expect(repeated.id == "dmc/walker-run?action_repeat=2")
    _ = try single.reset(seed: 3)
    _ = try repeated.reset(seed: 3)
    var generator = RandomGenerator(seed: 5)
    for _ in 0..<100 {
      let action = Action.continuous((0..<6).map { _ in generator.uniform(Float(-1), 1) })
      let first = try single.step(action)
      let second = try single.step(action)
      let both = try repeated.step(action)
      #expect(both.reward == first.reward + second.reward)
      #expect(both.observation == second.observation)
    }
  }

  @Test(.enabled(if: MuJoCoTestGate.runs), arguments: ["dmc/hopper-hop", "dmc/quadruped-run", "dmc/dog-run"])
  func savedStateContinuesExactly(id: String) throws {
    let environment = try DMC.make(id)
    guard case .box(let box) = environment.actionSpace else { return }
    var generator = RandomGenerator(seed: 9)
    let actions = (0..<60).map { _ in
      Action.continuous((0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) })
    }
    _ = try environment.reset(seed: 1)
    for action in actions[0..<20] { _ = try environment.step(action) }
    let saved = environment.saveState()
    let original = try actions[20...].map { try environment.step($0) }
    let restored = try DMC.make(id)
    try restored.restoreState(saved)
    for (action, expected) in zip(actions[20...], original) {
      let step = try restored.step(action)
      #expect(step.observation == expected.observation && step.reward == expected.reward, "\(id)")
    }
    #expect(throws: EnvironmentError.self) {
      try restored.restoreState(EnvironmentState(reals: [1, 2], integers: [1]))
    }
  }

  @Test(.enabled(if: MuJoCoTestGate.runs))
  func seededResetsRepeatAndSteppingNeedsAReset() throws {
    let environment = try DMC.make("dmc/humanoid-run")
    #expect(throws: EnvironmentError.self) { try environment.step(.continuous(Array(repeating: 0, count: 21))) }
    let first = try environment.reset(seed: 42).observation
    #expect(try environment.reset(seed: 42).observation == first)
    #expect(try environment.reset().observation != first)
    #expect(throws: EnvironmentError.self) { try environment.step(.continuous(Array(repeating: 2, count: 21))) }
    #expect(environment.observationSpace.flatCount == 67 && environment.actionSpace.flatCount == 21)
  }
}
