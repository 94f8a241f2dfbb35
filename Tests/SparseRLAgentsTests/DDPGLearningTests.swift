import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// DDPG's learning test: release build only (`swift test -c release -Xswiftc -enable-testing`), fixed seed, small
/// budget; Pendulum-v1 episodes are 200 steps and a solved swing-up scores about -150.
@Suite(.serialized) struct DDPGLearningTests {
  /// Dense DDPG, 2x64 networks, learning rate 1e-3, batch 128, 1,000 warm-up steps (the TD3 test's settings);
  /// budget 15,000 steps.
  @Test func denseDDPGSwingsUpPendulum() throws {
    let config = pendulumLearningConfig(DDPGConfig(), rlx2: false)
    let steps = 15_000
    let agent = try DDPGAgent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: steps)
    try trainAgent(agent, steps: steps)
    let score = try evaluatePendulum(agent)
    print("dense DDPG Pendulum-v1 mean return \(score)")
    #expect(score >= -200)
  }
}
