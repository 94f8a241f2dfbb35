import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import SparseRLPolicy
import Testing

@testable import SparseRLAgents

/// The SimBa-SAC recipe (`SACConfig.simba`) at test size: SimBa actor 16 x 1 block and critics 32 x 2 blocks,
/// batch 8, 20 random steps, a 400-slot buffer, diagnostics off.
func smallSimBaConfig() -> SACConfig {
  var config = SACConfig.simba(actorWidth: 16, actorBlocks: 1, criticWidth: 32, criticBlocks: 2)
  config.batchSize = 8
  config.warmupSteps = 20
  config.replay = ReplaySettings(capacity: 400, minCapacity: 50)
  config.logInterval = 10
  config.diagnostics.interval = 0
  return config
}

/// A sparse network with a 50% static mask and decoupled weight decay, for the masked AdamW checks.
private func maskedNetwork() throws -> SparseNetwork {
  var random = RandomGenerator(seed: 5)
  let model = Sequential([
    Linear(inFeatures: 6, outFeatures: 8, random: &random), ReLU(),
    Linear(inFeatures: 8, outFeatures: 3, random: &random),
  ])
  var sparsity = NetworkSparsity(method: .static, sparsity: 0.5)
  sparsity.distribution = .uniform
  return try SparseNetwork(model: model, sparsity: sparsity, totalUpdates: 10, random: random.stream("topology"))
}

@Suite struct SimBaSACTests {
  /// One AdamW step on a masked network: every stored weight becomes `p (1 - lr lambda) - lr g / (|g| + eps)`
  /// (Adam's first bias-corrected step) in float64, and the dense view is exactly 0 off the mask.
  @Test func decoupledDecayOnAMaskedNetworkIsAdamWOnTheActiveWeightsOnly() throws {
    let network = try maskedNetwork()
    let (lr, lambda, epsilon) = (0.01, 0.5, 1e-8)
    let optimizer = makeAdam(
      for: network, learningRate: Float(lr), weightDecay: Float(lambda), kind: .decoupled)
    let parameters = network.model.parameters
    var expected: [[Double]] = []
    for (index, parameter) in parameters.enumerated() {
      for k in 0..<parameter.value.count { parameter.gradient[k] = Float((k + index) % 5) * 0.1 - 0.2 }
      expected.append(
        (0..<parameter.value.count).map { k in
          let (p, g) = (Double(parameter.value[k]), Double(parameter.gradient[k]))
          return p * (1 - lr * lambda) - lr * g / (abs(g) + epsilon)
        })
    }
    optimizer.step()
    for (parameter, reference) in zip(parameters, expected) {
      for (value, target) in zip(parameter.value, reference) { #expect(abs(Double(value) - target) < 1e-6) }
    }
    for entry in network.model.maskableLayers {
      let weight = entry.layer.weight
      let pattern = try #require(weight.pattern)
      #expect(weight.value.count == pattern.nonzeroCount)
      let dense = weight.denseValue()
      for (k, isActive) in pattern.mask.enumerated() where !isActive { #expect(dense.scalars[k] == 0) }
    }
  }

  /// SimBa-SAC with 90% static actor and critics and AdamW at a large decay: after 60 updates every masked weight
  /// is still exactly 0, the masks have not moved, and the decay acted (the weights differ from a run without it).
  @Test func adamWKeepsMaskedWeightsAtZeroThroughTraining() throws {
    func train(decay: Double) throws -> SACAgent {
      var config = smallSimBaConfig()
      config.weightDecay = decay
      config.actorSparsity = NetworkSparsity(method: .static, sparsity: 0.9)
      config.criticSparsity = NetworkSparsity(method: .static, sparsity: 0.9)
      let agent = try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 2, totalSteps: 200)
      try trainAgent(agent, steps: 50)
      return agent
    }
    let decayed = try train(decay: 0.5)
    let plain = try train(decay: 0)
    #expect(decayed.core.updates == 62)
    for ((_, network), (_, reference)) in zip(decayed.networks, plain.networks) {
      for (entry, referenceEntry) in zip(network.model.maskableLayers, reference.model.maskableLayers) {
        let weight = entry.layer.weight
        guard let pattern = weight.pattern else { continue }
        #expect(pattern == referenceEntry.layer.weight.pattern)
        let dense = weight.denseValue()
        let zeros = dense.scalars.filter { $0 == 0 }.count
        #expect(dense.count - zeros == pattern.nonzeroCount, "no stored weight is 0, every other one is")
        #expect(weight.value != referenceEntry.layer.weight.value)
      }
    }
  }

  /// `updates_per_step: 2` does two full updates (critics, actor, temperature) per environment step after the
  /// warm-up: twice the updates, optimizer steps and temperature steps of `updates_per_step: 1`.
  @Test func updatesPerStepTwoDoesTwiceTheUpdates() throws {
    func counts(_ ratio: Int) throws -> (updates: Int, actorSteps: Int, criticSteps: Int, temperatureSteps: Int) {
      var config = smallSACConfig()
      config.updatesPerStep = ratio
      config.diagnostics.interval = 0
      let agent = try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: 200)
      try trainAgent(agent, steps: 45)
      return (
        agent.core.updates, agent.actorOptimizer.stepCount, agent.critics.optimizers[0].stepCount,
        agent.temperature.optimizer.stepCount
      )
    }
    let one = try counts(1)
    let two = try counts(2)
    // Updates start with step 20 (the last random one): steps 20...45.
    #expect(one == (26, 26, 26, 26))
    #expect(two == (52, 52, 52, 52))
  }

  /// The horizon of the topology schedules counts every update: (total - warm-up) x `updates_per_step`.
  @Test func theUpdateHorizonScalesWithTheRatio() throws {
    var config = smallSACConfig()
    config.updatesPerStep = 3
    let agent = try SACAgent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: 120)
    #expect(agent.core.totalUpdates == 300)
  }

  /// The running statistics take exactly the observations the agent acted on in training (one per step, however
  /// many updates), match their directly computed mean and variance, and do not move during updates or
  /// evaluation; evaluation and the exported policy act on `(o - mean) / sqrt(var + 1e-8)`.
  @Test func observationStatisticsMoveOnlyWhileActing() throws {
    let agent = try SACAgent(
      config: smallSimBaConfig(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 3, totalSteps: 200)
    try trainAgent(agent, steps: 40)
    var statistics = try #require(agent.core.normalizer).statistics
    #expect(abs(statistics.count - (40 + 1e-4)) < 1e-9)
    // The buffer holds the raw observations acted on, in order.
    let acted = agent.core.buffer.oldestTransitions(40).observations
    for i in 0..<acted.rows {
      let values = (0..<40).map { Double(acted[i, $0]) }
      let mean = values.reduce(0, +) / 40
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 40
      #expect(abs(statistics.mean[i] - mean) < 1e-4 * max(1, abs(mean)))
      #expect(abs(statistics.variance[i] - variance) < 1e-3 * max(1, variance))
    }
    // Evaluation does not update them.
    let raw: [Float] = [0.3, -0.8, 2.5]
    let action = agent.evaluationAction(for: raw)
    _ = agent.evaluationAction(for: [1, 0, -7])
    #expect(try #require(agent.core.normalizer).statistics == statistics)
    let normalized = (0..<3).map { i in
      Float((Double(raw[i]) - statistics.mean[i]) / (statistics.variance[i] + 1e-8).squareRoot())
    }
    let expected = agent.core.box.environmentAction(
      agent.noiseFreeActions(Matrix(rows: 3, columns: 1, scalars: normalized)).scalars)
    #expect(action == .continuous(expected))
    guard case .continuous(let exported) = try agent.evaluationPolicy().action(for: raw) else {
      Issue.record("the policy gave a discrete action")
      return
    }
    for (a, b) in zip(exported, expected) { #expect(abs(a - b) < 1e-5) }
    // One more step adds one observation although it does two updates.
    let next = agent.core.training.observation
    try agent.trainStep(metrics: DiscardingMetricsSink())
    statistics.update(next)
    #expect(try #require(agent.core.normalizer).statistics == statistics)
  }

  /// The recipe's log sigma is the spec's `-10 + 12 * 0.5 * (1 + tanh(raw))`.
  @Test func logSigmaIsTheSpecsSquashing() throws {
    let agent = try SACAgent(
      config: smallSimBaConfig(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 3, totalSteps: 200)
    for raw: Float in [-30, -2, -0.5, 0, 0.25, 1, 3, 30] {
      let spec = -10 + 12 * 0.5 * (1 + Foundation.tanh(Double(raw)))
      #expect(abs(Double(agent.policy.logStd(raw)) - spec) < 1e-5)
    }
  }

  /// The recipe's networks are SimBa encoders of the given widths and blocks, and its optimizers are AdamW.
  @Test func theRecipeBuildsSimBaNetworksAndAdamW() throws {
    let agent = try SACAgent(
      config: SACConfig.simba(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 3, totalSteps: 200)
    func blocks(_ network: SparseNetwork) -> [ResidualBlock] {
      ((network.model as? Sequential)?.layers ?? []).compactMap { $0 as? ResidualBlock }
    }
    #expect(blocks(agent.actor).count == 1 && blocks(agent.actor)[0].features == 128)
    for critic in agent.critics.online {
      #expect(blocks(critic).count == 2 && blocks(critic).allSatisfy { $0.features == 512 })
    }
    #expect(agent.actorOptimizer is AdamW && agent.critics.optimizers.allSatisfy { $0 is AdamW })
    #expect(abs(agent.temperature.alpha - 0.01) < 1e-7)
    #expect(agent.temperature.targetEntropy == -0.5)
  }

  /// A SimBa-SAC run with ReDo, diagnostics and normalisation resumes bit for bit from its checkpoint.
  @Test func simbaSACResumesExactly() throws {
    _ = try continueFromSavedState(before: 45, after: 30) { seed in
      var config = smallSimBaConfig()
      config.diagnostics.interval = 20
      config.diagnostics.perSampleGradients = 4
      config.redo.interval = 25
      return try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: seed, totalSteps: 200)
    }
  }
}
