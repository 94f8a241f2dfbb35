import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// DQN learns CartPole-v1 (greedy mean return >= 475 over 20 evaluation episodes on a separate environment).
///
/// Budget: the paper's settings (2x512, 100k steps) are too slow for CI, so the tests use a 2x128 (dense) or
/// 2x256 (90% sparse) MLP, batch 64, target update every 250 steps, ε 1 -> 0.01 over 10% of the budget, and
/// stop as soon as an evaluation (every 2,500 steps) reaches the threshold, within at most 60k (dense) or 80k
/// (sparse) steps. Seeds 1-5 reached it after 20k-35k (dense) and 32.5k-47.5k (RigL 90%) steps: about 5 s and
/// 10 s in release on one core.
@Suite(.serialized) struct DQNLearningTests {
  static func config(hidden: Int, sparsity: NetworkSparsity) -> DQNConfig {
    var config = DQNConfig()
    config.network = NetworkArchitecture(hiddenSizes: [hidden, hidden])
    config.sparsity = sparsity
    config.batchSize = 64
    config.bufferSize = 50_000
    config.learningStarts = 1000
    config.targetUpdateInterval = 250
    config.explorationFraction = 0.1
    config.weightDecay = 0
    return config
  }

  @Test func denseDQNSolvesCartPole() throws {
    let config = Self.config(hidden: 128, sparsity: NetworkSparsity())
    let budget = 60_000
    let agent = try DQNAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 1, totalSteps: budget)
    let start = Date()
    let result = try trainUntil(
      agent, id: "CartPole-v1", threshold: 475, maxSteps: budget, interval: 2500, episodes: 20)
    print("dense DQN CartPole: \(result) in \(Date().timeIntervalSince(start)) s")
    #expect(result.best >= 475)
  }

  @Test func rigLDQNAt90PercentSparsitySolvesCartPole() throws {
    var sparsity = DQNConfig.defaultSparsity
    sparsity.method = .rigl
    sparsity.sparsity = 0.9
    let config = Self.config(hidden: 256, sparsity: sparsity)
    let budget = 80_000
    let agent = try DQNAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 1, totalSteps: budget)
    #expect(abs(agent.q.currentSparsity - 0.9) < 0.01)
    let start = Date()
    let result = try trainUntil(
      agent, id: "CartPole-v1", threshold: 475, maxSteps: budget, interval: 2500, episodes: 20)
    print(
      "RigL 90% DQN CartPole: \(result) in \(Date().timeIntervalSince(start)) s, topology updates \(agent.q.topologyUpdates)"
    )
    #expect(agent.q.topologyUpdates > 0)
    #expect(abs(agent.q.currentSparsity - 0.9) < 0.01)
    #expect(result.best >= 475)
  }
}
