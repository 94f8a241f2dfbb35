import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// Learning tests: release build only (`swift test -c release -Xswiftc -enable-testing`). Fixed seeds, small
/// budgets; Pendulum-v1 episodes are 200 steps and a solved swing-up scores about -150.
@Suite(.serialized) struct TD3LearningTests {
  /// Dense TD3, 2x64 networks, learning rate 1e-3, batch 128, 1,000 warm-up steps; budget 15,000 steps.
  @Test func denseTD3SwingsUpPendulum() throws {
    let config = pendulumLearningConfig(TD3Config(), rlx2: false)
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
    let config = pendulumLearningConfig(TD3Config(), rlx2: true)
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
