import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// SAC on DeepMind Control cheetah-run (action repeat 2, 500-step episodes). Release build; opt in with
/// `SPARSERL_DMC_LEARNING=1` (about 7 minutes on the shared 2-core development machine) and needs `scripts/setup-mujoco.sh`.
@Suite(.serialized) struct DMCLearningTests {
  static var enabled: Bool { ProcessInfo.processInfo.environment["SPARSERL_DMC_LEARNING"] == "1" }

  /// Dense SAC 2x256, learning rates 1e-3, batch 256, 2,000 warm-up steps; 15,000 agent steps (30,000
  /// control steps). Measured: return 0.06 before, 121 after (seed 1); the test asks for at least 60.
  @Test(.enabled(if: enabled)) func sacMakesProgressOnCheetahRun() throws {
    let id = "dmc/cheetah-run?action_repeat=2"
    var config = SACConfig()
    config.actorLearningRate = 1e-3
    config.criticLearningRate = 1e-3
    config.warmupSteps = 2000
    config.replay = ReplaySettings(capacity: 100_000, minCapacity: 50_000)
    let steps = 15_000
    let agent = try SACAgent(
      config: config, environment: try EnvironmentRegistry.make(id), seed: 1, totalSteps: steps)
    let seeds: [UInt64?] = [900, 901]
    let before = try greedyMeanReturn(agent, id: id, resetSeeds: seeds)
    try trainAgent(agent, steps: steps)
    let after = try greedyMeanReturn(agent, id: id, resetSeeds: seeds)
    print("SAC dmc/cheetah-run (action repeat 2): return \(before) before, \(after) after \(steps) steps")
    #expect(after >= 60 && after >= before + 40)
  }
}
