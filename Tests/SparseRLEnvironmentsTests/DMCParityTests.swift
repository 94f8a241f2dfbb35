import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// Compares the Swift DeepMind Control tasks with dm_control 1.0.50's Python ones on the same MuJoCo library.
@Suite("DeepMind Control parity with dm_control")
struct DMCParityTests {
  struct Request: Encodable {
    var domain: String
    var task: String
    var state: [Double]
    var actions: [[Double]]
    var resets: Int
    var seed: Int
  }

  struct Answer: Decodable {
    var start_observation: [Double]
    var observations: [[Double]]
    var rewards: [Double]
    var step_types: [Int]
    var reset_states: [[Double]]
    var mujoco_version: String
    var n_sub_steps: Int
    var step_limit: Double
    var observation_size: Int
    var action_low: [Double]
    var action_high: [Double]
  }

  static let ids = DMC.specs.map(\.id)
  static let resets = 500

  /// Relative difference, with a floor far below any physical quantity so that exact zeros compare.
  static func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b), 1e-30)
  }

  /// The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical distribution
  /// functions of `a` and `b`.
  static func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> Double {
    let x = a.sorted()
    let y = b.sorted()
    var i = 0
    var j = 0
    var gap = 0.0
    while i < x.count && j < y.count {
      let value = min(x[i], y[j])
      while i < x.count && x[i] <= value { i += 1 }
      while j < y.count && y[j] <= value { j += 1 }
      gap = max(gap, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
    }
    return gap
  }

  @Test(.enabled(if: MuJoCoTestGate.runsWithReference), arguments: ids)
  func fullEpisodeAndResetDistributionMatchDmControl(id: String) throws {
    let spec = try #require(DMC.specs.first { $0.id == id })
    let environment = try DMC.make(id)
    let task = environment.task
    _ = try environment.reset(seed: 7)
    var start = environment.physicsState
    if task.domain == "hopper" {
      // Random actions never make the hopper hop. Starting upright (the model's reference pose: zero joint
      // positions after the root's x) with a forward push (root x velocity) earns rewards for a while, so that
      // the reward is compared too. Integration state layout: time, qpos, qvel, ...
      let nq = environment.physics.simulation.nq
      for i in 2...nq { start[i] = 0 }
      start[1 + nq] = 3
      environment.setPhysicsState(start)
    }
    let startObservation = environment.observationValues
    guard case .box(let box) = environment.actionSpace else {
      Issue.record("\(id): action space is not a box")
      return
    }
    let steps = try #require(spec.maxEpisodeSteps)
    var generator = RandomGenerator(seed: 23)
    let actions: [[Float]] = (0..<steps).map { _ in
      (0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) }
    }
    let answer = try PythonReference.call(
      script: "dm_control_suite.py",
      request: Request(
        domain: task.domain, task: task.task, state: start,
        actions: actions.map { $0.map(Double.init) }, resets: Self.resets, seed: 11),
      as: Answer.self)

    #expect(answer.mujoco_version == environment.mujocoVersion)
    #expect(answer.n_sub_steps == environment.physicsStepsPerControlStep)
    #expect(answer.step_limit == environment.controlStepLimit)
    #expect(Double(steps) == answer.step_limit)
    #expect(answer.observation_size == environment.observationSpace.flatCount)
    #expect(answer.action_low.map(Float.init) == box.low)
    #expect(answer.action_high.map(Float.init) == box.high)
    // dm_control: every step MID (1) but the last, LAST (2) at the time limit; never a termination.
    #expect(answer.step_types == Array(repeating: 1, count: steps - 1) + [2])

    var worst = (observation: 0.0, reward: 0.0)
    func compare(_ swift: [Double], _ python: [Double], _ what: String) {
      #expect(swift.count == python.count, "\(id) \(what): sizes \(swift.count) vs \(python.count)")
      for (s, p) in zip(swift, python) {
        worst.observation = max(worst.observation, Self.relativeError(s, p))
      }
    }
    compare(startObservation, answer.start_observation, "start")
    for t in 0..<steps {
      let step = try environment.step(.continuous(actions[t]))
      #expect(!step.terminated && !step.truncated)
      compare(environment.observationValues, answer.observations[t], "step \(t)")
      #expect(step.observation == environment.observation)
      worst.reward = max(worst.reward, Self.relativeError(step.reward, answer.rewards[t]))
    }
    #expect(answer.rewards.contains { $0 > 0 }, "\(id): the trajectory never earns a reward")
    print("\(id): worst relative errors \(worst); mean reward \(answer.rewards.reduce(0, +) / Double(steps))")
    #expect(worst.observation <= 1e-6, "\(id): observations differ by \(worst.observation) (relative)")
    #expect(worst.reward <= 1e-6, "\(id): rewards differ by \(worst.reward) (relative)")

    // Initial states: a two-sample KS test on every coordinate of qpos, qvel and act that varies,
    // Bonferroni-corrected to a 1e-3 family-wise level.
    let physics = environment.physics
    let swiftStates = try (0..<Self.resets).map { seed in
      _ = try environment.reset(seed: 1000 + UInt64(seed))
      return Array(physics.qpos) + Array(physics.qvel) + Array(physics.act)
    }
    let pythonStates = answer.reset_states
    try #require(pythonStates.count == Self.resets && pythonStates[0].count == swiftStates[0].count)
    let varying = (0..<swiftStates[0].count).filter { d in
      Set(pythonStates.map { $0[d] }).count > 1 || Set(swiftStates.map { $0[d] }).count > 1
    }
    let alpha = 1e-3 / Double(max(varying.count, 1))
    let n = Double(Self.resets)
    let critical = (-Foundation.log(alpha / 2) / 2).squareRoot() * (2 / n).squareRoot()
    var largest = 0.0
    for d in varying {
      let statistic = Self.kolmogorovSmirnov(swiftStates.map { $0[d] }, pythonStates.map { $0[d] })
      largest = max(largest, statistic)
      #expect(statistic <= critical, "\(id) initial state coordinate \(d): KS \(statistic) > \(critical)")
    }
    // Coordinates that stay constant must have the same constant.
    for d in 0..<swiftStates[0].count where !varying.contains(d) {
      #expect(
        Self.relativeError(swiftStates[0][d], pythonStates[0][d]) <= 1e-12,
        "\(id) constant initial coordinate \(d): \(swiftStates[0][d]) vs \(pythonStates[0][d])")
    }
    print("\(id): \(varying.count) varying initial coordinates, largest KS \(largest) (critical \(critical))")
  }
}
