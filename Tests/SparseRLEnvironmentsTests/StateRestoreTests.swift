import Foundation
import SparseRLNumerics
import Testing

@testable import SparseRLEnvironments

/// save -> run -> restore -> run again must give identical trajectories, for every environment and wrapper.
@Suite struct StateRestoreTests {
  struct Record: Equatable {
    var observation: [Float]
    var reward: Double
    var terminated: Bool
    var truncated: Bool
    var info: Info
  }

  /// Runs `steps` steps with actions from `generator`, resetting (unseeded) at episode ends.
  static func run(_ environment: any Environment, steps: Int, generator: inout RandomGenerator)
    throws -> [Record]
  {
    var records: [Record] = []
    for _ in 0..<steps {
      let step = try environment.step(environment.actionSpace.sample(using: &generator))
      records.append(
        Record(
          observation: step.observation, reward: step.reward, terminated: step.terminated,
          truncated: step.truncated, info: step.info))
      if step.isLast {
        let reset = try environment.reset()
        records.append(
          Record(
            observation: reset.observation, reward: 0, terminated: false, truncated: false,
            info: reset.info))
      }
    }
    return records
  }

  static func checkRoundTrip(_ make: () throws -> any Environment, label: String) throws {
    let environment = try make()
    var generator = RandomGenerator(seed: 21)
    _ = try environment.reset(seed: 5)
    _ = try run(environment, steps: 137, generator: &generator)
    let saved = environment.saveState()
    var actions = generator
    let first = try run(environment, steps: 400, generator: &actions)
    try environment.restoreState(saved)
    actions = generator
    let second = try run(environment, steps: 400, generator: &actions)
    #expect(first == second, "\(label): trajectory after restore differs")
    // Into a fresh instance, through JSON (as a checkpoint would).
    let decoded = try JSONDecoder().decode(EnvironmentState.self, from: JSONEncoder().encode(saved))
    #expect(decoded == saved)
    let fresh = try make()
    try fresh.restoreState(decoded)
    actions = generator
    #expect(
      try run(fresh, steps: 400, generator: &actions) == first, "\(label): fresh instance differs")
  }

  @Test func registeredEnvironmentsRestoreExactly() throws {
    for id in ClassicControl.specs.map(\.id) {
      try Self.checkRoundTrip({ try EnvironmentRegistry.make(id) }, label: id)
    }
  }

  @Test func everyWrapperRestoresExactly() throws {
    try Self.checkRoundTrip(
      {
        ObservationNoise(
          ObservationNormalization(
            RewardScaling(ActionRescaling(try EnvironmentRegistry.make("Pendulum-v1")))),
          standardDeviation: 0.1, seed: 3)
      }, label: "noise(normalization(scaling(rescaling(Pendulum))))")
    try Self.checkRoundTrip(
      { ActionClipping(TimeLimit(MountainCarContinuous(), maxEpisodeSteps: 60)) },
      label: "clipping(timeLimit(MountainCarContinuous))")
  }

  @Test func vectorEnvironmentRestoresExactly() throws {
    let vector = try VectorEnvironment(id: "CartPole-v0", count: 3)
    _ = try vector.reset(seed: 2)
    var generator = RandomGenerator(seed: 4)
    func run(_ steps: Int, _ generator: inout RandomGenerator) throws -> [[Float]] {
      try (0..<steps).flatMap { _ in
        try vector.step((0..<3).map { _ in vector.actionSpace.sample(using: &generator) })
          .observations
      }
    }
    _ = try run(50, &generator)
    let saved = vector.saveState()
    var actions = generator
    let first = try run(100, &actions)
    try vector.restoreState(saved)
    actions = generator
    #expect(try run(100, &actions) == first)
  }

  @Test func mismatchedStatesAreRejected() throws {
    let environment = try EnvironmentRegistry.make("CartPole-v1")
    let pendulumState = try EnvironmentRegistry.make("Pendulum-v1").saveState()
    // Same wrapper structure, but the bare state has 2 reals instead of 4.
    #expect(throws: EnvironmentError.self) { try environment.restoreState(pendulumState) }
    #expect(throws: EnvironmentError.self) { try environment.restoreState(EnvironmentState()) }
  }
}
