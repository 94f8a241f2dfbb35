import SparseRLNumerics
import Testing

@testable import SparseRLEnvironments

@Suite struct VectorEnvironmentTests {
  /// Sub-environment i must behave as a single environment reset with seed + i, reset again (unseeded)
  /// whenever its episode ends; the vector reports the true final observation beside the reset one.
  @Test func sameStepAutoresetReportsTheFinalObservation() throws {
    let count = 3
    let vector = try VectorEnvironment(id: "CartPole-v1", count: count)
    let singles = try (0..<count).map { _ in try EnvironmentRegistry.make("CartPole-v1") }
    let start = try vector.reset(seed: 100)
    for i in 0..<count {
      #expect(try singles[i].reset(seed: 100 + UInt64(i)).observation == start.observations[i])
    }
    var generator = RandomGenerator(seed: 8)
    var finished = 0
    for _ in 0..<200 {
      let actions = (0..<count).map { _ in vector.actionSpace.sample(using: &generator) }
      let step = try vector.step(actions)
      for i in 0..<count {
        let single = try singles[i].step(actions[i])
        #expect(step.rewards[i] == single.reward && step.terminated[i] == single.terminated)
        if single.isLast {
          finished += 1
          #expect(step.finalObservations[i] == single.observation)
          #expect(
            step.finalInfos[i]?[EpisodeStatistics.lengthKey]
              == single.info[EpisodeStatistics.lengthKey])
          #expect(step.observations[i] == (try singles[i].reset().observation))
        } else {
          #expect(step.finalObservations[i] == nil && step.finalInfos[i] == nil)
          #expect(step.observations[i] == single.observation)
        }
      }
    }
    #expect(finished > 3)
  }

  @Test func truncatedEpisodesReportTheirFinalObservation() throws {
    let vector = VectorEnvironment(count: 2) { TimeLimit(Pendulum(), maxEpisodeSteps: 4) }
    _ = try vector.reset(seed: 1)
    var step = try vector.step([.continuous([0]), .continuous([0])])
    for _ in 0..<3 { step = try vector.step([.continuous([1]), .continuous([-1])]) }
    #expect(step.truncated == [true, true] && step.terminated == [false, false])
    #expect(step.finalObservations.allSatisfy { $0 != nil })
    #expect(step.finalObservations[0] != step.observations[0])
  }

  @Test func rejectsTheWrongNumberOfActions() throws {
    let vector = try VectorEnvironment(id: "Acrobot-v1", count: 2)
    _ = try vector.reset(seed: 0)
    #expect(throws: EnvironmentError.self) { try vector.step([.discrete(0)]) }
    #expect(throws: EnvironmentError.self) { try vector.step([.discrete(0), .discrete(5)]) }
  }
}
