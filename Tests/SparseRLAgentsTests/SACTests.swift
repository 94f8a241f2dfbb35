import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// Adds one episode with observations [t] (t = 0, 1, ...), rewards `rewards`, ending as given.
private func addEpisode(_ buffer: ReplayBuffer, rewards: [Float], terminated: Bool, truncated: Bool) {
  for (t, reward) in rewards.enumerated() {
    let last = t == rewards.count - 1
    buffer.add(
      observation: [Float(t)], action: [0], reward: reward, nextObservation: [Float(t + 1)],
      terminated: last && terminated, truncated: last && truncated)
  }
}

func smallSACConfig() -> SACConfig {
  var config = SACConfig()
  config.actor = NetworkArchitecture(hiddenSizes: [16, 16])
  config.critic = NetworkArchitecture(hiddenSizes: [16, 16])
  config.batchSize = 8
  config.warmupSteps = 20
  config.replay = ReplaySettings(capacity: 400, minCapacity: 50)
  config.logInterval = 10
  return config
}

@Suite struct SACTests {
  @Test func threeStepTargetWithATerminalHasEntropyOnlyAtTheIntermediateState() {
    let buffer = ReplayBuffer(capacity: 16, observationWidth: 1, actionWidth: 1)
    addEpisode(buffer, rewards: [1, 2], terminated: true, truncated: false)  // s0 -> s1 -> s2 (terminal)
    let batch = buffer.window(slots: [0], steps: 3, gamma: 0.9, includeIntermediate: true)
    #expect(batch.intermediateObservations[0].scalars == [1])  // s1
    #expect(batch.intermediateDiscounts.map { $0[0] } == [0.9, 0])
    let alpha: Float = 0.5
    let y = SACTarget.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ1: [100], targetQ2: [90],
      nextLogProbabilities: [7], intermediateDiscounts: batch.intermediateDiscounts,
      intermediateLogProbabilities: [[-1.2], [55]], alpha: alpha)
    // 1 + 0.9 * 2 - 0.9 * 0.5 * (-1.2); no bootstrap, no term for s2 (terminal).
    #expect(abs(y[0] - 3.34) < 1e-5)
  }

  @Test func threeStepTargetWithATruncationBootstrapsTheSoftValue() {
    let buffer = ReplayBuffer(capacity: 16, observationWidth: 1, actionWidth: 1)
    addEpisode(buffer, rewards: [1, 2], terminated: false, truncated: true)  // s0 -> s1 -> s2 (time limit)
    addEpisode(buffer, rewards: [5, 5, 5], terminated: false, truncated: false)
    let batch = buffer.window(slots: [0, 1], steps: 3, gamma: 0.9, includeIntermediate: true)
    #expect(batch.nextObservations.row(0) == [2, 2])  // both windows stop at the final observation s2
    let y = SACTarget.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ1: [5, 5], targetQ2: [4, 4],
      nextLogProbabilities: [0.4, 0.4], intermediateDiscounts: batch.intermediateDiscounts,
      intermediateLogProbabilities: [[-1.2, 9], [9, 9]], alpha: 0.5)
    // From s0: 1 + 0.9 * 2 - 0.9 * 0.5 * (-1.2) + 0.81 * (min(5, 4) - 0.5 * 0.4) = 6.418.
    #expect(abs(y[0] - 6.418) < 1e-5)
    // From s1: 2 + 0.9 * (4 - 0.2) = 5.42, no intermediate state.
    #expect(abs(y[1] - 5.42) < 1e-5)
  }

  @Test func temperatureLossGradientMatchesHandAndFiniteDifference() {
    let logProbabilities: [Float] = [-1, -3]
    let logAlpha = Float(Foundation.log(2.0))
    let (loss, gradient) = EntropyTemperature.loss(
      logAlpha: logAlpha, logProbabilities: logProbabilities, targetEntropy: -1)
    // mean(log pi + target) = mean(-2, -4) = -3: loss = 3 log alpha, gradient 3.
    #expect(abs(loss - 3 * logAlpha) < 1e-6)
    #expect(abs(gradient - 3) < 1e-6)
    let h: Float = 1e-2
    let plus = EntropyTemperature.loss(logAlpha: logAlpha + h, logProbabilities: logProbabilities, targetEntropy: -1)
    let minus = EntropyTemperature.loss(logAlpha: logAlpha - h, logProbabilities: logProbabilities, targetEntropy: -1)
    #expect(abs((plus.loss - minus.loss) / (2 * h) - gradient) < 1e-3)
    // Entropy 2 above the target -1: alpha shrinks; entropy -2 below it: alpha grows (Adam's first step is lr).
    let temperature = EntropyTemperature(initial: 1, targetEntropy: -1, learningRate: 0.1, isLearned: true)
    temperature.update(logProbabilities: logProbabilities)
    #expect(abs(temperature.alpha - Foundation.exp(-0.1)) < 1e-5)
    let fresh = EntropyTemperature(initial: 1, targetEntropy: -1, learningRate: 0.1, isLearned: true)
    fresh.update(logProbabilities: [2, 2])
    #expect(abs(fresh.alpha - Foundation.exp(0.1)) < 1e-5)
  }

  @Test func savedStateContinuesExactly() throws {
    var config = smallSACConfig().variant(
      .rlx2, actorSparsity: 0.5, criticSparsity: 0.5, observationWidth: 3, actionWidth: 1)
    config.actorSparsity.updateInterval = 7
    config.criticSparsity.updateInterval = 7
    config.nStepDelay = 30
    config.replay.checkInterval = 25
    config.replay.distanceThreshold = 0
    config.replay.minCapacity = 10
    let run = try continueFromSavedState(before: 90, after: 60) { seed in
      try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: seed, totalSteps: 200)
    }
    let (original, restored) = (run.original, run.restored)
    #expect(original.actor.topologyUpdates > 0 && original.core.capacityRule.shrinks > 0)
    #expect(run.originalMetrics.train("n_step").last?.value == 3)
    #expect(original.temperature.alpha == restored.temperature.alpha)
    let observation: [Float] = [0.3, -0.2, 1]
    #expect(original.evaluationAction(for: observation) == restored.evaluationAction(for: observation))
  }

  @Test func actorOutputsMeanAndLogStdAndActsInsideTheBox() throws {
    let agent = try SACAgent(
      config: smallSACConfig(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 5, totalSteps: 100)
    #expect(agent.actor.model.outputFeatures(forInput: 3) == 2)
    guard case .continuous(let action) = agent.evaluationAction(for: [1, 0, 0]) else {
      Issue.record("expected a continuous action")
      return
    }
    #expect(action.count == 1 && abs(action[0]) <= 2)
    let sink = RecordingMetricsSink()
    for _ in 0..<40 { try agent.trainStep(metrics: sink) }
    #expect(agent.core.updates == 21)
    let alpha = sink.train("alpha")
    #expect(alpha.count == 3 && alpha.allSatisfy { $0.value > 0 && $0.value != 1 })
  }

  /// `weight_decay` reaches the actor's and both critics' optimizers (TD3 and SAC alike); the default is 0.
  @Test func weightDecayReachesEveryOptimizer() throws {
    var sac = SACConfig()
    #expect(sac.weightDecay == 0)
    sac.weightDecay = 1e-4
    sac.replay = ReplaySettings(capacity: 1000, minCapacity: 0)
    let sacAgent = try SACAgent(
      config: sac, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 0, totalSteps: 100)
    #expect(([sacAgent.actorOptimizer] + sacAgent.critics.optimizers).allSatisfy { ($0 as? Adam)?.weightDecay == 1e-4 })
    var td3 = TD3Config()
    td3.weightDecay = 1e-6
    td3.replay = ReplaySettings(capacity: 1000, minCapacity: 0)
    let td3Agent = try TD3Agent(
      config: td3, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 0, totalSteps: 100)
    #expect(
      ([td3Agent.policy.optimizer] + td3Agent.critics.optimizers).allSatisfy { ($0 as? Adam)?.weightDecay == 1e-6 })
    var negative = SACConfig()
    negative.weightDecay = -1
    var issues: [ConfigIssue] = []
    negative.validate(path: "sac", issues: &issues)
    #expect(issues.map(\.key) == ["sac.weight_decay"])
  }
}
