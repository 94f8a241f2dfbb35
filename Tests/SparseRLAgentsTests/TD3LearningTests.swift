import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// Learning tests: release build only (`swift test -c release -Xswiftc -enable-testing`). Fixed seeds, small
/// budgets; Pendulum-v1 episodes are 200 steps and a solved swing-up scores about -150.
@Suite(.serialized) struct TD3LearningTests {
  /// Dense TD3, 2x64 networks, learning rate 1e-3, batch 128, 1,000 warm-up steps; budget 15,000 steps.
  @Test func denseTD3SwingsUpPendulum() throws {
    var config = TD3Config()
    config.actor = NetworkArchitecture(hiddenSizes: [64, 64])
    config.critic = NetworkArchitecture(hiddenSizes: [64, 64])
    config.actorLearningRate = 1e-3
    config.criticLearningRate = 1e-3
    config.batchSize = 128
    config.warmupSteps = 1000
    config.replay = ReplaySettings(capacity: 10_000, minCapacity: 2000)
    let steps = 15_000
    let agent = try TD3Agent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: steps)
    try trainAgent(agent, steps: steps)
    let score = try evaluatePendulum(agent)
    print("dense TD3 Pendulum-v1 mean return \(score)")
    #expect(score >= -200)
  }

  /// RLx2 TD3 at actor 90% / critic 85% on the published 2x256 networks, shortened schedules for the budget:
  /// ΔT = 1,000 updates, 3-step targets after 2,000 updates, buffer checks every 1,000 steps (min 2,000);
  /// learning rate 1e-3, batch 128, 1,000 warm-up steps; budget 15,000 steps.
  @Test func rlx2TD3SwingsUpPendulum() throws {
    var config = TD3Config()
    config.actorLearningRate = 1e-3
    config.criticLearningRate = 1e-3
    config.batchSize = 128
    config.warmupSteps = 1000
    config.replay = ReplaySettings(capacity: 10_000, minCapacity: 2000)
    config = config.variant(.rlx2, actorSparsity: 0.9, criticSparsity: 0.85, observationWidth: 3, actionWidth: 1)
    config.actorSparsity.updateInterval = 1000
    config.criticSparsity.updateInterval = 1000
    config.nStepDelay = 2000
    config.replay.checkInterval = 1000
    let steps = 15_000
    let agent = try TD3Agent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: steps)
    try trainAgent(agent, steps: steps)
    let score = try evaluatePendulum(agent)
    print("RLx2 TD3 Pendulum-v1 mean return \(score), actor topology updates \(agent.actor.topologyUpdates)")
    #expect(abs(agent.actor.currentSparsity - 0.9) < 0.01 && abs(agent.critics.online[0].currentSparsity - 0.85) < 0.01)
    #expect(agent.actor.topologyUpdates > 0)
    #expect(score >= -200)
  }
}
