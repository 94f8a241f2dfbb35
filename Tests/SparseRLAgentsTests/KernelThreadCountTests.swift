import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// SAC and TD3 update their twin critics side by side on the kernel threads (`TwinCritics`): with two threads
/// an agent must train exactly as with one (same saved state, bit for bit, and the same metrics), RLx2's
/// sparse multi-step variant included. The thread count is process-wide; this suite restores 1.
@Suite(.serialized) struct KernelThreadCountTests {
  /// Trains `make()` for `steps` steps with each thread count and expects every saved state and every metric to
  /// equal the one-thread run's.
  func expectSameTraining<A: Agent>(steps: Int, _ make: () throws -> A) throws {
    defer { KernelThreads.setCount(1) }
    var runs: [(state: BinaryArchive, metrics: RecordingMetricsSink)] = []
    for threads in [1, 2] {
      #expect(KernelThreads.setCount(threads) == threads)
      let agent = try make()
      let metrics = RecordingMetricsSink()
      while agent.environmentSteps < steps { try agent.trainStep(metrics: metrics) }
      runs.append((try agent.saveState(), metrics))
    }
    #expect(differences(runs[1].state, runs[0].state) == [])
    #expect(runs[1].metrics.records == runs[0].metrics.records)
  }

  /// 32-wide networks at batch 64: above nothing's split threshold, so only the twin-critic tasks differ.
  func widen<Algorithm>(_ config: OffPolicyConfig<Algorithm>) -> OffPolicyConfig<Algorithm> {
    var config = config
    config.actor = NetworkArchitecture(hiddenSizes: [32, 32])
    config.critic = NetworkArchitecture(hiddenSizes: [32, 32])
    config.batchSize = 64
    return config
  }

  @Test func sacTrainsExactlyAsWithOneThread() throws {
    var config = widen(smallSACConfig()).variant(
      .rlx2, actorSparsity: 0.8, criticSparsity: 0.8, observationWidth: 3, actionWidth: 1)
    config.actorSparsity.updateInterval = 20
    config.criticSparsity.updateInterval = 20
    config.nStepDelay = 40
    try expectSameTraining(steps: 160) {
      try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 5, totalSteps: 160)
    }
  }

  @Test func td3TrainsExactlyAsWithOneThread() throws {
    var config = widen(smallTD3Config()).variant(
      .rlx2, actorSparsity: 0.8, criticSparsity: 0.8, observationWidth: 3, actionWidth: 1)
    config.actorSparsity.updateInterval = 20
    config.criticSparsity.updateInterval = 20
    config.nStepDelay = 40
    try expectSameTraining(steps: 160) {
      try TD3Agent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 5, totalSteps: 160)
    }
  }
}
