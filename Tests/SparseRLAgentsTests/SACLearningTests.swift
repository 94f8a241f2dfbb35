import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// Mean return of `episodes` deterministic-policy episodes on a separate Pendulum-v1 (fixed reset seeds).
func evaluatePendulum(_ agent: any Agent, episodes: Int = 5) throws -> Double {
  let environment = try EnvironmentRegistry.make("Pendulum-v1")
  var total = 0.0
  for episode in 0..<episodes {
    var observation = try environment.reset(seed: UInt64(10_000 + episode)).observation
    while true {
      let step = try environment.step(agent.evaluationAction(for: observation))
      total += step.reward
      if step.isLast { break }
      observation = step.observation
    }
  }
  return total / Double(episodes)
}

/// Trains `agent` for `steps` environment steps.
func trainAgent(_ agent: any Agent, steps: Int) throws {
  let sink = DiscardingMetricsSink()
  while agent.environmentSteps < steps { try agent.trainStep(metrics: sink) }
}

/// Learning tests: release build only (`swift test -c release -Xswiftc -enable-testing`). Fixed seeds, small
/// budgets; Pendulum-v1 episodes are 200 steps and a solved swing-up scores about -150.
@Suite(.serialized) struct SACLearningTests {
  /// Dense SAC, 2x64 networks, learning rate 1e-3, batch 128, 1,000 warm-up steps; budget 8,000 steps.
  @Test func denseSACSwingsUpPendulum() throws {
    var config = SACConfig()
    config.actor = NetworkArchitecture(hiddenSizes: [64, 64])
    config.critic = NetworkArchitecture(hiddenSizes: [64, 64])
    config.actorLearningRate = 1e-3
    config.criticLearningRate = 1e-3
    config.temperatureLearningRate = 1e-3
    config.batchSize = 128
    config.warmupSteps = 1000
    config.replay = ReplaySettings(capacity: 10_000, minCapacity: 2000)
    let steps = 8000
    let agent = try SACAgent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: steps)
    try trainAgent(agent, steps: steps)
    let score = try evaluatePendulum(agent)
    print("dense SAC Pendulum-v1 mean return \(score)")
    #expect(score >= -200)
  }

  /// RLx2 SAC at actor 90% / critic 85% on the published 2x256 networks, shortened schedules for the budget:
  /// ΔT = 1,000 updates, 3-step targets after 2,000 updates, buffer checks every 1,000 steps (min 2,000);
  /// learning rate 1e-3, batch 128, 1,000 warm-up steps; budget 10,000 steps.
  @Test func rlx2SACSwingsUpPendulum() throws {
    var config = SACConfig()
    config.actorLearningRate = 1e-3
    config.criticLearningRate = 1e-3
    config.temperatureLearningRate = 1e-3
    config.batchSize = 128
    config.warmupSteps = 1000
    config.replay = ReplaySettings(capacity: 10_000, minCapacity: 2000)
    config = config.variant(.rlx2, actorSparsity: 0.9, criticSparsity: 0.85, observationWidth: 3, actionWidth: 1)
    config.actorSparsity.updateInterval = 1000
    config.criticSparsity.updateInterval = 1000
    config.nStepDelay = 2000
    config.replay.checkInterval = 1000
    let steps = 10_000
    let agent = try SACAgent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: steps)
    try trainAgent(agent, steps: steps)
    let score = try evaluatePendulum(agent)
    print("RLx2 SAC Pendulum-v1 mean return \(score), actor topology updates \(agent.actor.topologyUpdates)")
    #expect(abs(agent.actor.currentSparsity - 0.9) < 0.01 && abs(agent.critics.online[0].currentSparsity - 0.85) < 0.01)
    #expect(agent.actor.topologyUpdates > 0)
    #expect(score >= -200)
  }
}
