import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// Observation [t], two actions, reward 1 per step; truncated after `limit` steps (never terminates).
private final class CountingEnvironment: Environment {
  let limit: Int
  private var t = 0
  init(limit: Int) { self.limit = limit }
  var id: String { "Counting" }
  var observationSpace: Space { .box(BoxSpace(low: 0, high: 100, shape: [1])) }
  var actionSpace: Space { .discrete(DiscreteSpace(2)) }
  func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    t = 0
    return ([0], Info())
  }
  func step(_ action: Action) throws -> Step {
    t += 1
    return Step(observation: [Float(t)], reward: 1, terminated: false, truncated: t == limit)
  }
  func saveState() -> EnvironmentState { EnvironmentState(integers: [t]) }
  func restoreState(_ state: EnvironmentState) throws { t = state.integers[0] }
}

@Suite struct PPOTests {
  @Test func clippedSurrogateGradientInsideAndOutsideTheClipRangeForBothAdvantageSigns() {
    let ratios: [Float] = [1.1, 1.5, 0.5, 0.5, 1.5]
    let advantages: [Float] = [2, 1, -1, 1, -1]
    let old: [Float] = [-1, -0.5, -2, -0.3, -1.2]
    let new = zip(ratios, old).map { Foundation.log($0) + $1 }
    let result = PPOLoss.clippedSurrogate(
      logProbabilities: new, oldLogProbabilities: old, advantages: advantages, clip: 0.2)
    // Terms max(-A r, -A clip(r)):
    // 0: inside the range, -2.2 (gradient -A r = -2.2);  1: r = 1.5, A > 0: clipped -1.2 wins (gradient 0);
    // 2: r = 0.5, A < 0: clipped 0.8 wins (0);            3: r = 0.5, A > 0: unclipped -0.5 wins (-0.5);
    // 4: r = 1.5, A < 0: unclipped 1.5 wins (1.5).
    #expect(abs(result.loss - (-2.2 - 1.2 + 0.8 - 0.5 + 1.5) / 5) < 1e-6)
    let expected: [Float] = [-2.2 / 5, 0, 0, -0.5 / 5, 1.5 / 5]
    for b in 0..<5 { #expect(abs(result.gradient[b] - expected[b]) < 1e-6, "sample \(b)") }
    #expect(result.clipFraction == 0.8)
    // Central differences in the new log-probabilities.
    for b in 0..<5 {
      var plus = new
      plus[b] += 1e-3
      var minus = new
      minus[b] -= 1e-3
      let f = { (x: [Float]) in
        Double(
          PPOLoss.clippedSurrogate(logProbabilities: x, oldLogProbabilities: old, advantages: advantages, clip: 0.2)
            .loss)
      }
      #expect(abs((f(plus) - f(minus)) / 2e-3 - Double(result.gradient[b])) < 2e-3, "sample \(b)")
    }
  }

  @Test func valueLossClipsAroundTheRolloutValues() {
    let values: [Float] = [1, 2, 0]
    let old: [Float] = [0.9, 1, 0.5]
    let returns: [Float] = [3, 1.5, -1]
    let clipped = PPOLoss.value(values: values, oldValues: old, returns: returns, clip: 0.2)
    // 0: moved 0.1 (inside): (1 - 3)^2 = 4, gradient (V - R) / 3.
    // 1: moved 1.0, clipped to 1.2: unclipped 0.25 > clipped 0.09: gradient 0.5 / 3.
    // 2: moved -0.5, clipped to 0.3: clipped 1.69 > unclipped 1: loss 1.69, gradient 0.
    #expect(abs(clipped.loss - 0.5 * (4 + 0.25 + 1.69) / 3) < 1e-6)
    let expected: [Float] = [-2.0 / 3, 0.5 / 3, 0]
    for b in 0..<3 { #expect(abs(clipped.gradient[b] - expected[b]) < 1e-6) }
    let plain = PPOLoss.value(values: values, oldValues: old, returns: returns, clip: nil)
    #expect(abs(plain.loss - 0.5 * (4 + 0.25 + 1) / 3) < 1e-6)
    let plainExpected: [Float] = [-2.0 / 3, 0.5 / 3, 1.0 / 3]
    for b in 0..<3 { #expect(abs(plain.gradient[b] - plainExpected[b]) < 1e-6) }
  }

  @Test func gaeAcrossATruncationAndATerminalInsideAVectorRollout() {
    var rollout = PPORollout(environments: 2, steps: 3, observationWidth: 1, actionWidth: 1)
    // Environment 0: rewards 1, 2, 3, values 0.5, 1, 2, truncated after step 1 with V(final) = 10.
    // Environment 1: rewards 1, 1, 1, values 1, 1, 1, terminated after step 0.
    let values: [[Float]] = [[0.5, 1], [1, 1], [2, 1]]
    let rewards: [[Float]] = [[1, 1], [2, 1], [3, 1]]
    for t in 0..<3 {
      rollout.recordActing(
        observations: Matrix(rows: 1, columns: 2), actions: Matrix(rows: 1, columns: 2), logProbabilities: [0, 0],
        values: values[t])
      rollout.recordOutcome(
        rewards: rewards[t], terminated: [false, t == 0], truncated: [t == 1, false], finalValues: [10, 99])
    }
    let (advantages, returns) = rollout.advantages(lastValues: [4, 2], gamma: 0.5, lambda: 0.5)
    // Env 0: A2 = 3 + 0.5 * 4 - 2 = 3; A1 = 2 + 0.5 * 10 - 1 = 6 (bootstrap from the final observation, no
    // carry-over across the episode boundary); A0 = (1 + 0.5 * 1 - 0.5) + 0.25 * 6 = 2.5.
    // Env 1: A2 = 1 + 0.5 * 2 - 1 = 1; A1 = (1 + 0.5 - 1) + 0.25 * 1 = 0.75; A0 = 1 - 1 = 0 (terminal).
    #expect(advantages == [2.5, 0, 6, 0.75, 3, 1])
    #expect(returns == [3, 1, 7, 1.75, 5, 2])
  }

  @Test func truncatedEpisodesStoreTheCriticValueOfTheirFinalObservation() throws {
    var config = PPOConfig()
    config.numEnvs = 2
    config.numSteps = 5
    config.minibatchSize = 5
    config.normalizeObservations = false
    config.normalizeRewards = false
    let agent = try PPOAgent(config: config, seed: 3, totalSteps: 100) { CountingEnvironment(limit: 3) }
    let sink = DiscardingMetricsSink()
    for _ in 0..<3 { try agent.trainStep(metrics: sink) }
    let finalValue = agent.critic.model.forward(Matrix([[3]]))[0, 0]
    // Step 2 (third step) truncated both environments; their next stored observation is the reset one.
    #expect(agent.rollout.truncated[4] && agent.rollout.truncated[5])
    // (Computed on a batch of one here and of two in the agent: equal up to the kernels' summation order.)
    #expect(
      abs(agent.rollout.finalValues[4] - finalValue) < 1e-5
        && agent.rollout.finalValues[5] == agent.rollout.finalValues[4])
    #expect(finalValue != 0)
    try agent.trainStep(metrics: sink)
    #expect(agent.rollout.observations[6] == 0 && agent.rollout.observations[7] == 0)
  }

  @Test func rejectsInvalidSettings() throws {
    var config = PPOConfig()
    config.minibatchSize = 4096
    config.clipCoefficient = 0
    #expect {
      try PPOAgent(config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 0, totalSteps: 10)
    } throws: { error in
      let issues = (error as? ConfigError)?.issues.map(\.key) ?? []
      return issues.contains("agent.minibatch_size") && issues.contains("agent.clip_coefficient")
    }
  }

  /// Trains into the middle of a rollout (after several updates with RigL topology changes), saves, restores
  /// into an agent built with another seed, continues in both: same metrics, same state. Discrete (categorical)
  /// and box (Gaussian, with observation and reward normalisation) action spaces.
  @Test(arguments: ["CartPole-v1", "Pendulum-v1"]) func saveAndRestoreContinueExactly(id: String) throws {
    var config = PPOConfig()
    config.numEnvs = 2
    config.numSteps = 16
    config.minibatchSize = 8
    config.updateEpochs = 2
    config.actorNetwork.hiddenSizes = [16, 16]
    config.criticNetwork.hiddenSizes = [16, 16]
    for keyPath in [\PPOConfig.actorSparsity, \PPOConfig.criticSparsity] {
      config[keyPath: keyPath].method = .rigl
      config[keyPath: keyPath].sparsity = 0.5
      config[keyPath: keyPath].updateInterval = 5
    }
    config.entropyCoefficient = 0.01
    // Saved after 4 updates and 6 steps of the fifth rollout.
    let run = try continueFromSavedState(
      before: 70, after: 60, atSave: { #expect($0.iterations == 4 && $0.rollout.filled == 6) }
    ) { seed in
      try PPOAgent(config: config, environment: EnvironmentRegistry.make(id), seed: seed, totalSteps: 400)
    }
    #expect(run.original.actor.topologyUpdates > 0 && run.original.critic.topologyUpdates > 0)
    #expect(run.originalMetrics.records.filter { $0.group == .train }.count == 4)
  }
}
