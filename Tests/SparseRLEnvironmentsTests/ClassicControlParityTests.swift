import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// Compares the Swift classic-control environments with Gymnasium 1.4.0 (Tests/References/classic_control.py).
@Suite struct ClassicControlParityTests {
  static let ids = [
    "CartPole-v0", "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1",
    "Acrobot-v1",
  ]
  static let steps = 500
  /// Restarts for environments whose episodes rarely end under the test's actions, so that more states are seen.
  static let restartEvery = ["Acrobot-v1": 100]

  struct Case: Codable {
    var id: String
    var states: [[Double]]
    var actions: [[Double]]
    /// Also restart (reset, then set the next state) after this many steps of an episode; 0: never.
    var restartEvery: Int
  }

  struct Trajectory: Codable {
    var observations: [[Double]]
    var rewards: [Double]
    var terminated: [Bool]
    var truncated: [Bool]
  }

  struct TrajectoryRequest: Encodable {
    let mode = "trajectories"
    var cases: [Case]
  }

  struct TrajectoryAnswer: Decodable { var cases: [Trajectory] }

  /// States that cover the dynamics beyond the start distribution: even-numbered episodes start from the
  /// environment's own reset, odd ones from a broad box (near goals, walls and thresholds).
  static func startStates(_ id: String, count: Int, generator: inout RandomGenerator) throws
    -> [[Double]]
  {
    let environment = try #require(
      try EnvironmentRegistry.spec(id).make() as? any ClassicControlEnvironment)
    _ = try environment.reset(seed: generator.next())
    var states: [[Double]] = []
    for index in 0..<count {
      if index.isMultiple(of: 2) {
        _ = try environment.reset()
        states.append(environment.physicalState)
        continue
      }
      let pi = Double.pi
      let broad: [(Double, Double)] =
        switch id {
        case "CartPole-v0", "CartPole-v1": [(-2.3, 2.3), (-2, 2), (-0.2, 0.2), (-2, 2)]
        case "MountainCar-v0", "MountainCarContinuous-v0": [(-1.2, 0.6), (-0.07, 0.07)]
        case "Pendulum-v1": [(-3 * pi, 3 * pi), (-8, 8)]
        default: [(-pi, pi), (-pi, pi), (-2 * pi, 2 * pi), (-4 * pi, 4 * pi)]
        }
      states.append(broad.map { generator.uniform($0.0, $0.1) })
    }
    return states
  }

  /// The action for `observation`: a simple controller that makes long episodes (balancing the pole,
  /// pumping energy into the mountain car) mixed with random actions, or purely random actions (Acrobot,
  /// Pendulum). One in eight continuous actions sits exactly on a bound.
  static func action(
    _ id: String, observation: [Float], space: Space, generator: inout RandomGenerator
  ) -> [Double] {
    let explore = generator.integer(below: 5) == 0
    switch (id, space) {
    case ("CartPole-v0", _), ("CartPole-v1", _):
      if explore { return [Double(generator.integer(below: 2))] }
      return [observation[2] + 0.5 * observation[3] > 0 ? 1 : 0]
    case ("MountainCar-v0", _):
      if explore { return [Double(generator.integer(below: 3))] }
      return [observation[1] >= 0 ? 2 : 0]
    case (_, .box(let box)):
      if generator.integer(below: 8) == 0 {
        return box.low.indices.map {
          Double(generator.integer(below: 2) == 0 ? box.low[$0] : box.high[$0])
        }
      }
      var values = box.sample(using: &generator).map(Double.init)
      if id == "MountainCarContinuous-v0" && !explore {
        values[0] = observation[1] >= 0 ? abs(values[0]) : -abs(values[0])
      }
      return values
    case (_, .discrete(let discrete)):
      return [Double(discrete.sample(using: &generator))]
    }
  }

  /// Runs the Swift environment through the protocol of the Python reference, choosing actions online;
  /// returns the trajectory and the case (with the actions taken) to replay in Gymnasium.
  static func run(
    _ id: String, states: [[Double]], restartEvery: Int, generator: inout RandomGenerator
  ) throws -> (Case, Trajectory) {
    let environment = try EnvironmentRegistry.make(id, recordEpisodeStatistics: false)
    let bare = try #require(environment.unwrapped as? any ClassicControlEnvironment)
    var nextState = 0
    var episodeSteps = 0
    var observation: [Float] = []
    func start() throws {
      _ = try environment.reset(seed: 0)
      try bare.setPhysicalState(states[nextState])
      observation = bare.currentObservation
      nextState += 1
      episodeSteps = 0
    }
    try start()
    var actions: [[Double]] = []
    var result = Trajectory(observations: [], rewards: [], terminated: [], truncated: [])
    for _ in 0..<steps {
      let action = Self.action(
        id, observation: observation, space: environment.actionSpace, generator: &generator)
      actions.append(action)
      let step: Step
      switch environment.actionSpace {
      case .discrete: step = try environment.step(.discrete(Int(action[0])))
      case .box: step = try environment.step(.continuous(action.map { Float($0) }))
      }
      observation = step.observation
      result.observations.append(step.observation.map(Double.init))
      result.rewards.append(step.reward)
      result.terminated.append(step.terminated)
      result.truncated.append(step.truncated)
      episodeSteps += 1
      if step.isLast || episodeSteps == restartEvery { try start() }
    }
    return (Case(id: id, states: states, actions: actions, restartEvery: restartEvery), result)
  }

  /// |a - b| <= 1e-5 * max(|b|, 1e-3): relative, with a floor for values that cross zero.
  static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-5 * max(abs(b), 1e-3) }

  @Test(.enabled(if: PythonReference.isAvailable))
  func trajectoriesMatchGymnasium() throws {
    var generator = RandomGenerator(seed: 2024)
    var cases: [Case] = []
    var trajectories: [Trajectory] = []
    for id in Self.ids {
      let states = try Self.startStates(id, count: Self.steps + 1, generator: &generator)
      let (testCase, trajectory) = try Self.run(
        id, states: states, restartEvery: Self.restartEvery[id] ?? 0, generator: &generator)
      cases.append(testCase)
      trajectories.append(trajectory)
    }
    let reference = try PythonReference.call(
      script: "classic_control.py", request: TrajectoryRequest(cases: cases),
      as: TrajectoryAnswer.self)
    try #require(reference.cases.count == cases.count)
    for ((testCase, actual), expected) in zip(zip(cases, trajectories), reference.cases) {
      var worst = 0.0
      var terminations = 0
      var truncations = 0
      for t in 0..<Self.steps {
        let context = "\(testCase.id) step \(t)"
        try #require(
          actual.terminated[t] == expected.terminated[t]
            && actual.truncated[t] == expected.truncated[t],
          "\(context): terminated/truncated \(actual.terminated[t])/\(actual.truncated[t]), gymnasium \(expected.terminated[t])/\(expected.truncated[t])"
        )
        try #require(
          Self.close(actual.rewards[t], expected.rewards[t]),
          "\(context): reward \(actual.rewards[t]) vs \(expected.rewards[t])")
        for (a, b) in zip(actual.observations[t], expected.observations[t]) {
          try #require(
            Self.close(a, b),
            "\(context): observation \(actual.observations[t]) vs \(expected.observations[t])")
          worst = max(worst, abs(a - b) / max(abs(b), 1e-3))
        }
        if actual.terminated[t] { terminations += 1 }
        if actual.truncated[t] { truncations += 1 }
      }
      print(
        "parity \(testCase.id): \(Self.steps) steps, \(terminations) terminations, \(truncations) truncations, worst relative difference \(worst)"
      )
    }
  }
}
