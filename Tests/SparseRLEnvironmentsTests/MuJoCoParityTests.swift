import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// When the MuJoCo tests run: whenever the runtime loads, and always when references are required
/// (`SPARSERL_REQUIRE_REFERENCES=1`), so that a missing runtime fails there with its setup message.
enum MuJoCoTestGate {
  static var runs: Bool { MuJoCo.isAvailable() || PythonReference.isRequired }
  static var runsWithReference: Bool { PythonReference.isAvailable && runs }
}

/// Compares the Swift environments with Gymnasium 1.4.0's Python ones on the same MuJoCo library version.
@Suite("MuJoCo parity with Gymnasium")
struct MuJoCoParityTests {
  struct Start: Codable {
    var qpos: [Double]
    var qvel: [Double]
  }

  struct Request: Encodable {
    var id: String
    var starts: [Start]
    var actions: [[Double]]
    var reset_seeds: Int
  }

  struct Answer: Decodable {
    var start_observations: [[Double]]
    var observations: [[Double]]
    var rewards: [Double]
    var terminated: [Bool]
    var truncated: [Bool]
    var infos: [[String: Double]]
    var reset_mean: [Double]
    var reset_std: [Double]
    var mujoco_version: String
    var observation_shape: [Int]
    var action_low: [Double]
    var action_high: [Double]
    var max_episode_steps: Int
    var reward_threshold: Double?
  }

  static let ids = MuJoCo.specs.map(\.id)
  static let steps = 1000
  static let resetSeeds = 2000

  /// Relative difference, with a floor far below any physical quantity so that exact zeros compare.
  static func relativeError(_ a: Double, _ b: Double) -> Double {
    abs(a - b) / max(abs(a), abs(b), 1e-30)
  }

  @Test(.enabled(if: MuJoCoTestGate.runsWithReference), arguments: ids)
  func trajectoryAndResetDistributionMatchGymnasium(id: String) throws {
    let spec = try #require(MuJoCo.specs.first { $0.id == id })
    let maxEpisodeSteps = try #require(spec.maxEpisodeSteps)
    let environment = try MuJoCo.make(id)

    // Start states from the Swift environment's own resets; actions uniform in the action box.
    var starts: [Start] = []
    for seed in 0..<Self.steps {
      _ = try environment.reset(seed: UInt64(50_000 + seed))
      starts.append(Start(qpos: environment.qpos, qvel: environment.qvel))
    }
    guard case .box(let box) = environment.actionSpace else {
      Issue.record("\(id): action space is not a box")
      return
    }
    var generator = RandomGenerator(seed: 17)
    let actions: [[Float]] = (0..<Self.steps).map { _ in
      (0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) }
    }

    let answer = try PythonReference.call(
      script: "mujoco_v5.py",
      request: Request(
        id: id, starts: starts, actions: actions.map { $0.map(Double.init) },
        reset_seeds: Self.resetSeeds),
      as: Answer.self)
    #expect(answer.mujoco_version == environment.mujocoVersion)
    #expect(answer.max_episode_steps == maxEpisodeSteps)
    #expect(answer.reward_threshold == spec.rewardThreshold)
    #expect(
      answer.action_low == box.low.map(Double.init)
        && answer.action_high == box.high.map(Double.init))
    guard case .box(let observationBox) = environment.observationSpace else {
      Issue.record("\(id): observation space is not a box")
      return
    }
    #expect(answer.observation_shape == observationBox.shape)
    try #require(answer.observations.count == Self.steps)

    // Replay on the Swift side with the same starts and a step counter as the time limit.
    var worst = (observation: 0.0, reward: 0.0, info: 0.0)
    var nextStart = 0
    var episodeSteps = 0
    func restart() throws -> [Float] {
      _ = try environment.reset(seed: 0)
      environment.setState(qpos: starts[nextStart].qpos, qvel: starts[nextStart].qvel)
      nextStart += 1
      episodeSteps = 0
      return environment.observation
    }
    func compare(_ swift: [Float], _ python: [Double], _ what: String) {
      #expect(
        swift.count == python.count,
        "\(id) \(what): observation sizes \(swift.count) vs \(python.count)")
      for (s, p) in zip(swift, python) {
        worst.observation = max(worst.observation, Self.relativeError(Double(s), p))
      }
    }
    compare(try restart(), answer.start_observations[0], "first start")
    var restarts = 1
    for t in 0..<Self.steps {
      let step = try environment.step(.continuous(actions[t]))
      episodeSteps += 1
      let truncated = episodeSteps == maxEpisodeSteps
      compare(step.observation, answer.observations[t], "step \(t)")
      worst.reward = max(worst.reward, Self.relativeError(step.reward, answer.rewards[t]))
      try #require(
        step.terminated == answer.terminated[t] && truncated == answer.truncated[t],
        "\(id) step \(t): terminated/truncated \(step.terminated)/\(truncated) vs \(answer.terminated[t])/\(answer.truncated[t])"
      )
      for (key, value) in answer.infos[t] {
        let mine = try #require(step.info[key], "\(id) step \(t): info has no \(key)")
        worst.info = max(worst.info, Self.relativeError(mine, value))
      }
      if step.terminated || truncated {
        compare(try restart(), answer.start_observations[restarts], "start \(restarts)")
        restarts += 1
      }
    }
    #expect(restarts == answer.start_observations.count)
    print("\(id): \(restarts - 1) restarts; worst relative errors \(worst)")
    #expect(
      worst.observation <= 1e-6, "\(id): observations differ by \(worst.observation) (relative)")
    #expect(worst.reward <= 1e-6, "\(id): rewards differ by \(worst.reward) (relative)")
    #expect(worst.info <= 1e-6, "\(id): info values differ by \(worst.info) (relative)")

    // Reset distribution: per-dimension mean and standard deviation over many seeds on both sides.
    let firsts = try (0..<Self.resetSeeds).map {
      try environment.reset(seed: UInt64($0) &+ 1 << 40).observation
    }
    let n = Double(Self.resetSeeds)
    for d in 0..<answer.reset_mean.count {
      let values = firsts.map { Double($0[d]) }
      let mean = values.reduce(0, +) / n
      let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
      let pythonStd = answer.reset_std[d]
      let meanTolerance =
        5 * ((std * std + pythonStd * pythonStd) / n).squareRoot() + 1e-7 * abs(mean) + 1e-12
      let stdTolerance = 5 * max(std, pythonStd) * (2 / n).squareRoot() + 1e-12
      #expect(
        abs(mean - answer.reset_mean[d]) <= meanTolerance,
        "\(id) reset dim \(d): mean \(mean) vs \(answer.reset_mean[d])")
      #expect(
        abs(std - pythonStd) <= stdTolerance, "\(id) reset dim \(d): std \(std) vs \(pythonStd)")
    }
  }
}
