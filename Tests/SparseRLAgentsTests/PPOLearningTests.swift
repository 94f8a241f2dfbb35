import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// PPO learns CartPole-v1 (greedy mean return >= 475 over 10 evaluation episodes on a separate environment).
///
/// Budget: CleanRL's CartPole settings (4 environments x 128 steps, 4 epochs of 4 minibatches, learning rate
/// 2.5e-4 annealed, entropy 0.01, no observation or reward normalisation), stopping as soon as an evaluation
/// (every 10,240 steps) reaches the threshold, within at most 200k steps. Seeds 1-5 reached it after 20k-31k
/// steps, under a second in release.
@Suite(.serialized) struct PPOLearningTests {
  @Test func ppoSolvesCartPole() throws {
    var config = PPOConfig()
    config.numEnvs = 4
    config.numSteps = 128
    config.learningRate = 2.5e-4
    config.updateEpochs = 4
    config.minibatchSize = 128
    config.entropyCoefficient = 0.01
    config.normalizeObservations = false
    config.normalizeRewards = false
    let budget = 200_000
    let agent = try PPOAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 1, totalSteps: budget)
    let start = Date()
    let result = try trainUntil(agent, id: "CartPole-v1", threshold: 475, maxSteps: budget, interval: 10_240)
    print("PPO CartPole: \(result) in \(Date().timeIntervalSince(start)) s")
    #expect(result.best >= 475)
  }
}
