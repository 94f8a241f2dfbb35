import SparseRLNumerics
import Testing

@testable import SparseRLEnvironments

@Suite struct TimeLimitTests {
  @Test func truncatesAtTheLimitWithoutTerminating() throws {
    let environment = TimeLimit(CartPole(), maxEpisodeSteps: 3)
    _ = try environment.reset(seed: 1)
    let bare = try #require(environment.unwrapped as? CartPole)
    try bare.setPhysicalState([0, 0, 0, 0])
    var flags: [(Bool, Bool)] = []
    for action in [1, 0, 1] {
      let step = try environment.step(.discrete(action))
      flags.append((step.terminated, step.truncated))
    }
    #expect(flags.map(\.0) == [false, false, false])
    #expect(flags.map(\.1) == [false, false, true])
    #expect(throws: EnvironmentError.needsReset(environment: "CartPole-v1")) {
      try environment.step(.discrete(0))
    }
    _ = try environment.reset()
    #expect(environment.elapsedSteps == 0)
    #expect(try environment.step(.discrete(0)).truncated == false)
  }

  @Test func terminationBeforeTheLimitIsNotTruncation() throws {
    let environment = TimeLimit(CartPole(), maxEpisodeSteps: 100)
    _ = try environment.reset(seed: 1)
    try #require(environment.unwrapped as? CartPole).setPhysicalState([0, 0, 0.2, 2])
    let step = try environment.step(.discrete(0))
    #expect(step.terminated && !step.truncated)
    #expect(throws: EnvironmentError.self) { try environment.step(.discrete(0)) }
  }

  @Test func terminationOnTheLastAllowedStepReportsBoth() throws {
    let environment = TimeLimit(CartPole(), maxEpisodeSteps: 1)
    _ = try environment.reset(seed: 1)
    try #require(environment.unwrapped as? CartPole).setPhysicalState([0, 0, 0.2, 2])
    let step = try environment.step(.discrete(0))
    #expect(step.terminated && step.truncated)
  }
}

@Suite struct EpisodeStatisticsTests {
  @Test func reportsReturnAndLengthOnlyAtTheEnd() throws {
    let environment = EpisodeStatistics(
      ScriptedEnvironment(observations: [[0]], rewards: [1.5, -0.25, 2], episodeLength: 5))
    for _ in 0..<2 {
      _ = try environment.reset()
      var total = 0.0
      var last = Step(observation: [], reward: 0, terminated: false, truncated: false)
      for t in 1...5 {
        last = try environment.step(.discrete(0))
        total += last.reward
        if t < 5 { #expect(last.info[EpisodeStatistics.returnKey] == nil) }
      }
      #expect(last.terminated)
      #expect(last.info[EpisodeStatistics.returnKey] == total)
      #expect(last.info[EpisodeStatistics.lengthKey] == 5)
    }
  }

  @Test func seesTruncationFromTheRegistry() throws {
    let environment = try EnvironmentRegistry.make("Pendulum-v1")
    _ = try environment.reset(seed: 3)
    var generator = RandomGenerator(seed: 3)
    var total = 0.0
    var step = Step(observation: [], reward: 0, terminated: false, truncated: false)
    var length = 0
    repeat {
      step = try environment.step(environment.actionSpace.sample(using: &generator))
      total += step.reward
      length += 1
    } while !step.isLast
    #expect(length == 200 && step.truncated && !step.terminated)
    #expect(step.info[EpisodeStatistics.lengthKey] == 200)
    #expect(abs(step.info[EpisodeStatistics.returnKey]! - total) <= 1e-9 * abs(total))
  }
}

/// The statistics a running mean/variance with a prior (mean 0, variance 1, pseudo-count c0) must reach
/// after the samples `x`, computed directly from sums.
func expectedStatistics(_ x: [Double], priorCount c0: Double = 1e-4) -> (
  mean: Double, variance: Double
) {
  let n = Double(x.count)
  let m = x.reduce(0, +) / n
  let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / n
  let total = n + c0
  return (n * m / total, (c0 * 1 + n * v + m * m * c0 * n / total) / total)
}

@Suite struct ObservationNormalizationTests {
  @Test func statisticsMatchADirectComputationAndFreezeStopsUpdates() throws {
    var generator = RandomGenerator(seed: 5)
    let raw = (0..<300).map { _ in
      [Float(generator.normal() * 3 + 7), Float(generator.uniform(-1.0, 1.0))]
    }
    let environment = ObservationNormalization(ScriptedEnvironment(observations: raw), clip: 10)
    var outputs = [try environment.reset().observation]
    for _ in 1..<200 { outputs.append(try environment.step(.discrete(0)).observation) }
    for element in 0..<2 {
      let expected = expectedStatistics(raw[0..<200].map { Double($0[element]) })
      #expect(
        abs(environment.statistics.mean[element] - expected.mean) <= 1e-9
          * max(1, abs(expected.mean)))
      #expect(
        abs(environment.statistics.variance[element] - expected.variance) <= 1e-9
          * expected.variance)
      let z = (Double(raw[199][element]) - expected.mean) / (expected.variance + 1e-8).squareRoot()
      #expect(abs(Double(outputs[199][element]) - z) <= 1e-5 * max(1, abs(z)))
    }
    // The very first observation is normalised with the prior mixed with itself (count 1 + 1e-4).
    let first = expectedStatistics([Double(raw[0][0])])
    let z0 = (Double(raw[0][0]) - first.mean) / (first.variance + 1e-8).squareRoot()
    #expect(abs(Double(outputs[0][0]) - z0) <= 1e-5 * max(1, abs(z0)))
    environment.isFrozen = true
    let frozen = environment.statistics
    let next = try environment.step(.discrete(0)).observation
    #expect(environment.statistics == frozen)
    #expect(next == environment.normalize(raw[200]))
    #expect(environment.observationSpace == .box(BoxSpace(low: -10, high: 10, shape: [2])))
  }

  @Test func clipBoundsTheNormalisedValues() throws {
    let environment = ObservationNormalization(
      ScriptedEnvironment(observations: [[0]] + Array(repeating: [1], count: 50) + [[1000]]),
      clip: 5)
    _ = try environment.reset()
    for _ in 0..<50 { _ = try environment.step(.discrete(0)) }
    #expect(try environment.step(.discrete(0)).observation == [5])
  }
}

@Suite struct RewardScalingTests {
  @Test func dividesByTheStandardDeviationOfTheDiscountedReturn() throws {
    var generator = RandomGenerator(seed: 9)
    let rewards = (0..<37).map { _ in generator.uniform(-2.0, 5.0) }
    let gamma = 0.9
    let environment = RewardScaling(
      ScriptedEnvironment(observations: [[0]], rewards: rewards, episodeLength: 10), gamma: gamma)
    var returns: [Double] = []
    var g = 0.0
    var index = 1  // the reset consumes script index 0
    _ = try environment.reset()
    for t in 0..<25 {
      if t == 10 || t == 20 {
        _ = try environment.reset()
        index += 1
      }
      let reward = rewards[index % rewards.count]
      index += 1
      g = gamma * g + reward
      returns.append(g)
      let step = try environment.step(.discrete(0))
      let expected = expectedStatistics(returns)
      #expect(
        abs(step.reward - reward / (expected.variance + 1e-8).squareRoot()) <= 1e-9
          * abs(step.reward) + 1e-12)
      if step.isLast { g = 0 }
    }
    #expect(abs(environment.statistics.mean[0] - expectedStatistics(returns).mean) <= 1e-9)
  }
}

@Suite struct ObservationNoiseTests {
  @Test func noiseHasTheRequestedMeanAndStandardDeviation() throws {
    let sigma: Float = 0.3
    let environment = ObservationNoise(
      ScriptedEnvironment(observations: [[1, -2, 0, 5]]), standardDeviation: sigma, seed: 11)
    _ = try environment.reset()
    var noise: [Double] = []
    for _ in 0..<5000 {
      let observation = try environment.step(.discrete(0)).observation
      noise += zip(observation, [1, -2, 0, 5] as [Float]).map { Double($0 - $1) }
    }
    let n = Double(noise.count)
    let mean = noise.reduce(0, +) / n
    let std = (noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
    #expect(abs(mean) <= 5 * Double(sigma) / n.squareRoot())
    #expect(abs(std - Double(sigma)) <= 0.03 * Double(sigma))
  }

  @Test func seededResetsRepeatTheNoise() throws {
    let environment = ObservationNoise(
      ScriptedEnvironment(observations: [[0, 0]]), standardDeviation: 1)
    let first = try environment.reset(seed: 4).observation
    let second = try environment.reset(seed: 4).observation
    let third = try environment.reset().observation
    #expect(first == second)
    #expect(first != third)
  }
}

@Suite struct ActionMappingTests {
  static let box = Space.box(BoxSpace(low: [0, -3], high: [10, 1]))

  @Test func rescalingMapsTheUnitBoxOntoTheBounds() throws {
    let inner = ScriptedEnvironment(observations: [[0]], actionSpace: Self.box)
    let environment = ActionRescaling(inner)
    _ = try environment.reset()
    for action: [Float] in [[-1, -1], [1, 1], [0, 0], [0.5, -0.5]] {
      _ = try environment.step(.continuous(action))
    }
    #expect(
      inner.receivedActions == [
        .continuous([0, -3]), .continuous([10, 1]), .continuous([5, -1]), .continuous([7.5, -2]),
      ])
    #expect(environment.actionSpace == .box(BoxSpace(low: -1, high: 1, shape: [2])))
    #expect(throws: EnvironmentError.self) { try environment.step(.continuous([1.01, 0])) }
    #expect(throws: EnvironmentError.self) { try environment.step(.continuous([.nan, 0])) }
  }

  @Test func clippingClampsIntoTheBoxButRejectsNaN() throws {
    let inner = ScriptedEnvironment(observations: [[0]], actionSpace: Self.box)
    let environment = ActionClipping(inner)
    _ = try environment.reset()
    _ = try environment.step(.continuous([-4, 7]))
    _ = try environment.step(.continuous([3, -.infinity]))
    #expect(inner.receivedActions == [.continuous([0, 1]), .continuous([3, -3])])
    #expect(throws: EnvironmentError.self) { try environment.step(.continuous([.nan, 0])) }
    #expect(throws: EnvironmentError.self) { try environment.step(.continuous([0])) }
  }
}
