import SparseRLNumerics
import Testing

@testable import SparseRLEnvironments

@Suite struct RegistryTests {
  @Test func listsTheClassicControlIdsWithTheirLimits() throws {
    let ids = EnvironmentRegistry.ids
    for id in [
      "CartPole-v0", "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1",
      "Acrobot-v1",
    ] {
      #expect(ids.contains(id))
    }
    #expect(Set(ids).count == ids.count, "ids are unique")
    #expect(try EnvironmentRegistry.spec("CartPole-v1").maxEpisodeSteps == 500)
    #expect(try EnvironmentRegistry.spec("CartPole-v0").maxEpisodeSteps == 200)
    #expect(try EnvironmentRegistry.spec("MountainCarContinuous-v0").maxEpisodeSteps == 999)
    #expect(try EnvironmentRegistry.spec("Acrobot-v1").rewardThreshold == -100)
  }

  @Test func makeWrapsInTimeLimitAndEpisodeStatistics() throws {
    let environment = try EnvironmentRegistry.make("CartPole-v1")
    let statistics = try #require(environment as? EpisodeStatistics)
    let limit = try #require(statistics.inner as? TimeLimit)
    #expect(limit.maxEpisodeSteps == 500)
    #expect(limit.inner is CartPole)
    #expect(environment.unwrapped is CartPole)
    #expect(environment.find(TimeLimit.self) === limit)
    #expect(
      try EnvironmentRegistry.make("Pendulum-v1", recordEpisodeStatistics: false) is TimeLimit)
  }

  @Test func unknownIdsGetTheClosestSuggestions() {
    #expect(
      throws: EnvironmentError.unknownEnvironment(
        id: "CartPole-v2", suggestions: ["CartPole-v0", "CartPole-v1"])
    ) {
      try EnvironmentRegistry.make("CartPole-v2")
    }
    #expect(
      throws: EnvironmentError.unknownEnvironment(id: "pendulum", suggestions: ["Pendulum-v1"])
    ) {
      try EnvironmentRegistry.make("pendulum")
    }
    #expect(throws: EnvironmentError.unknownEnvironment(id: "Qbert", suggestions: [])) {
      try EnvironmentRegistry.make("Qbert")
    }
    #expect(
      EnvironmentRegistry.suggestions(for: "CartPol-v1", among: EnvironmentRegistry.ids) == [
        "CartPole-v1", "CartPole-v0",
      ])
    let message = EnvironmentError.unknownEnvironment(id: "Acrobot", suggestions: ["Acrobot-v1"])
      .description
    #expect(message == "unknown environment id 'Acrobot'; did you mean 'Acrobot-v1'?")
  }

  @Test func editDistanceMatchesKnownValues() {
    #expect(editDistance("kitten", "sitting") == 3)
    #expect(editDistance("", "abc") == 3)
    #expect(editDistance("CartPole", "cartpole") == 0)
    #expect(editDistance("flaw", "lawn") == 2)
  }
}

@Suite struct InvalidActionTests {
  @Test func everyClassicEnvironmentRejectsActionsOutsideItsSpace() throws {
    var generator = RandomGenerator(seed: 1)
    for spec in ClassicControl.specs {
      let environment = try EnvironmentRegistry.make(spec.id)
      let valid = environment.actionSpace.sample(using: &generator)
      #expect(throws: EnvironmentError.needsReset(environment: spec.id)) {
        try spec.make().step(valid)
      }
      _ = try environment.reset(seed: 0)
      let invalid: [Action]
      switch environment.actionSpace {
      case .discrete(let discrete):
        invalid = [.discrete(-1), .discrete(discrete.count), .continuous([0])]
      case .box(let box):
        invalid = [
          .continuous(box.high.map { $0 + 0.01 }), .continuous(box.low.map { $0 - 0.01 }),
          .continuous(Array(repeating: .nan, count: box.count)),
          .continuous(Array(repeating: 0, count: box.count + 1)),
          .discrete(0),
        ]
      }
      for action in invalid {
        #expect(throws: EnvironmentError.self, "\(spec.id) accepted \(action)") {
          try environment.step(action)
        }
      }
      // A rejected action leaves the environment usable.
      _ = try environment.step(environment.actionSpace.sample(using: &generator))
    }
  }

  @Test func theErrorNamesEnvironmentActionAndSpace() throws {
    let environment = CartPole()
    _ = try environment.reset(seed: 0)
    do {
      _ = try environment.step(.discrete(2))
      Issue.record("no error")
    } catch let error as EnvironmentError {
      #expect(error.description == "CartPole-v1: action 2 is outside the action space Discrete(2)")
    }
  }

}
