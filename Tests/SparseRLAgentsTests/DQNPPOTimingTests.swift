import Foundation
import SparseRLEnvironments
import Testing

@testable import SparseRLAgents

/// Seconds per `trainStep` of a configured agent, after `warmUp` steps (excluded from the timing).
func secondsPerTrainStep(_ agent: any Agent, warmUp: Int, steps: Int) throws -> Double {
  let sink = DiscardingMetricsSink()
  for _ in 0..<warmUp { try agent.trainStep(metrics: sink) }
  let start = Date()
  for _ in 0..<steps { try agent.trainStep(metrics: sink) }
  return Date().timeIntervalSince(start) / Double(steps)
}

/// Timing of DQN (the paper's classic-control Q-network 2x512, batch 128, one update per step) and PPO (2x64
/// MuJoCo settings on Pendulum, one rollout of 2048 steps and its 10 epochs) on CartPole. Prints only; enable
/// with `SPARSERL_TIMING=1` (release build).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SPARSERL_TIMING"] != nil))
struct DQNPPOTimingTests {
  @Test(arguments: [0.0, 0.9]) func dqnTrainStep(sparsity: Double) throws {
    var config = DQNConfig()
    config.learningStarts = 200
    if sparsity > 0 { config.sparsity.method = .rigl }
    config.sparsity.sparsity = sparsity
    let agent = try DQNAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 0, totalSteps: 100_000)
    let seconds = try secondsPerTrainStep(agent, warmUp: 300, steps: 500)
    print("TIMING DQN 2x512 batch 128 sparsity \(sparsity): \(seconds * 1e3) ms per step")
  }

  @Test(arguments: [0.0, 0.9]) func ppoRollout(sparsity: Double) throws {
    var config = PPOConfig()
    if sparsity > 0 {
      config.actorSparsity.method = .rigl
      config.criticSparsity.method = .rigl
    }
    config.actorSparsity.sparsity = sparsity
    config.criticSparsity.sparsity = sparsity
    let agent = try PPOAgent(
      config: config, environment: EnvironmentRegistry.make("Pendulum-v1"), seed: 0, totalSteps: 1_000_000)
    let seconds = try secondsPerTrainStep(agent, warmUp: 0, steps: 2048)
    print("TIMING PPO 2x64 Pendulum sparsity \(sparsity): \(seconds * 2048) s per 2048-step rollout and update")
  }
}
