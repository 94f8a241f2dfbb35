import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// DDPG at test size: actor and critic 2x16 ReLU, batch 8, 20 random steps, a 400-slot buffer, diagnostics off.
func smallDDPGConfig() -> DDPGConfig {
  var config = DDPGConfig()
  config.actor = NetworkArchitecture(hiddenSizes: [16, 16])
  config.critic = NetworkArchitecture(hiddenSizes: [16, 16])
  config.batchSize = 8
  config.warmupSteps = 20
  config.replay = ReplaySettings(capacity: 400, minCapacity: 50)
  config.logInterval = 10
  config.diagnostics.interval = 0
  return config
}

private func pendulumDDPG(_ config: DDPGConfig = smallDDPGConfig(), seed: UInt64 = 4) throws -> DDPGAgent {
  try DDPGAgent(config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: seed, totalSteps: 300)
}

@Suite struct DDPGTests {
  /// DDPG has one critic (and its target and optimizer) and saves only it.
  @Test func ddpgHasASingleCritic() throws {
    let agent = try pendulumDDPG()
    #expect(agent.critics.online.count == 1 && agent.critics.targets.count == 1)
    #expect(agent.networks.map(\.role) == ["actor", "critic1"])
    let archive = try agent.algorithmArchive().archive("critics")
    #expect(archive.names == ["critic1", "critic1_optimizer", "critic1_target"])
  }

  /// The actor loss `-mean Q(s, tanh(actor(s)))` through DDPG's critic and its gradient with respect to the
  /// actor's raw output, against float64 central differences of the formula on the critic's weights.
  @Test func ddpgActorGradientMatchesFiniteDifferences() throws {
    let agent = try pendulumDDPG()
    try trainAgent(agent, steps: 40)  // trained critic and actor, not their initial weights
    let batch = agent.core.buffer.oldestTransitions(6)
    let observations = batch.observations
    let output = agent.actor.model.forward(observations)
    let result = agent.policy.loss(observations, critics: agent.critics)
    let critic = ActorLossReference.Critic(agent.critics.online[0])
    let loss = { (x: [Double]) in
      ActorLossReference.td3(
        output: x, observations: observations.scalars.map(Double.init), actions: 1, batch: 6, critic: critic)
    }
    let x = output.scalars.map(Double.init)
    #expect(abs(Double(result.loss) - loss(x)) < 1e-4)
    let reference = ActorLossReference.gradient(x, loss)
    #expect(result.outputGradient.count == reference.count)
    for (a, r) in zip(result.outputGradient.scalars, reference) {
      #expect(abs(Double(a) - r) <= 2e-4 + 2e-3 * abs(r), "DDPG actor gradient \(a) vs \(r)")
    }
  }

  /// The critic regresses onto `r + gamma^n Q'(s', tanh(pi'(s')))`: the target actor and the target critic, no
  /// smoothing noise, no minimum (checked after the targets have moved away from the online networks).
  @Test func ddpgTargetUsesTheTargetActorAndTargetCritic() throws {
    var config = smallDDPGConfig()
    config.tau = 0.5
    let agent = try pendulumDDPG(config)
    try trainAgent(agent, steps: 40)
    let batch = agent.core.buffer.sample(batchSize: 8, steps: 1, gamma: 0.99, using: &agent.core.replayRandom)
    let nextActions = tanhActions(agent.policy.target.forward(batch.nextObservations))
    let onlineActions = tanhActions(agent.actor.model.forward(batch.nextObservations))
    let inputs = TwinCritics.inputs(observations: batch.nextObservations, actions: nextActions)
    let targetQ = agent.critics.targets[0].forward(inputs).scalars
    let onlineQ = agent.critics.online[0].model.forward(inputs).scalars
    #expect(zip(nextActions.scalars, onlineActions.scalars).contains { abs($0 - $1) > 1e-3 })
    #expect(zip(targetQ, onlineQ).contains { abs($0 - $1) > 1e-3 })
    let expected = (0..<8).map { batch.rewards[$0] + batch.bootstrapDiscounts[$0] * targetQ[$0] }
    try agent.update(batch, index: agent.core.updates + 1)
    for (y, e) in zip(agent.lastTargets, expected) { #expect(abs(y - e) <= 1e-5 * max(1, abs(e))) }
  }

  /// Every update moves the actor and both targets (no policy delay).
  @Test func ddpgUpdatesTheActorEveryStep() throws {
    let agent = try pendulumDDPG()
    try trainAgent(agent, steps: 30)
    #expect(agent.core.updates == 11)
    #expect(agent.policy.optimizer.stepCount == 11 && agent.critics.optimizers[0].stepCount == 11)
  }

  /// A DDPG run resumes bit for bit from its checkpoint.
  @Test func ddpgResumesExactly() throws {
    _ = try continueFromSavedState(before: 40, after: 30) { seed in try pendulumDDPG(seed: seed) }
  }
}

/// The diagnostics and ReDo of the off-policy agents, through the core's one call after each update.
@Suite struct OffPolicyDiagnosticsTests {
  /// The L2 norm of all of a network's parameters.
  func parameterNorm(_ network: SparseNetwork) -> Double {
    network.model.parameters.flatMap(\.value).reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
  }

  /// Trains `agent` for `steps` steps and checks that the diagnostics rows appear at every `interval`-th update
  /// (step = warm-up + k interval / updates-per-step - 1), carry every declared name of every network, and measure
  /// the right network (the last row's parameter norms are those of the networks after that step).
  func checkRows(_ agent: some OffPolicyAgent, steps: Int, interval: Int, warmup: Int, ratio: Int) throws {
    let sink = RecordingMetricsSink()
    while agent.environmentSteps < steps { try agent.trainStep(metrics: sink) }
    let rows = sink.records.filter { $0.group == .train && $0.values.keys.contains { $0.hasSuffix("/srank") } }
    let expectedSteps = (1...(agent.core.updates / interval)).map { warmup + ($0 * interval - 1) / ratio }
    #expect(rows.map(\.step) == expectedSteps)
    let names = TrainingDiagnostics.metricNames(
      settings: agent.core.settings.diagnostics, roles: agent.networks.map(\.role))
    #expect(Set(names).isSubset(of: Set(agent.metricNames[.train] ?? [])))
    for row in rows { #expect(Set(row.values.keys) == Set(names)) }
    #expect(names.contains("actor/dormant_0.1") && names.contains("critic1/grad_norm"))
    if let last = rows.last, last.step == agent.environmentSteps {
      for (role, network) in agent.networks {
        let recorded = try #require(last.values["\(role)/param_norm"])
        #expect(abs(recorded - parameterNorm(network)) < 1e-6 * max(1, recorded), "\(role)")
      }
    }
  }

  @Test func sacRecordsDiagnosticsAtTheInterval() throws {
    var config = smallSimBaConfig()
    config.diagnostics.interval = 10
    config.diagnostics.perSampleGradients = 4
    let agent = try SACAgent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 2, totalSteps: 200)
    // 2 updates per step from step 20: update 10k ends step 20 + (10k - 1) / 2; 49 steps = 60 updates.
    try checkRows(agent, steps: 49, interval: 10, warmup: 20, ratio: 2)
    #expect(agent.networks.map(\.role) == ["actor", "critic1", "critic2"])
  }

  @Test func td3RecordsDiagnosticsAtTheInterval() throws {
    var config = smallTD3Config()
    config.diagnostics.interval = 7
    config.diagnostics.perSampleGradients = 4
    let agent = try TD3Agent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 2, totalSteps: 200)
    try checkRows(agent, steps: 47, interval: 7, warmup: 20, ratio: 1)
  }

  @Test func ddpgRecordsDiagnosticsAtTheInterval() throws {
    var config = smallDDPGConfig()
    config.diagnostics.interval = 5
    config.diagnostics.perSampleGradients = 3
    let agent = try pendulumDDPG(config)
    try checkRows(agent, steps: 44, interval: 5, warmup: 20, ratio: 1)
    #expect(!(agent.metricNames[.train] ?? []).contains { $0.hasPrefix("critic2/") })
  }

  /// Measuring does not change training: SimBa-SAC with the diagnostics every 5 updates ends in the same state
  /// (networks, optimizers, generators, buffer) as without them.
  @Test func diagnosticsLeaveTrainingUnchanged() throws {
    func agent(interval: Int) throws -> SACAgent {
      var config = smallSimBaConfig()
      config.diagnostics.interval = interval
      config.diagnostics.perSampleGradients = 3
      let agent = try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 8, totalSteps: 200)
      try trainAgent(agent, steps: 40)
      return agent
    }
    #expect(try differences(agent(interval: 5).saveState(), agent(interval: 0).saveState()) == [])
  }

  /// Diagnostics off: no diagnostics names and no rows.
  @Test func diagnosticsOffRecordsNothing() throws {
    let agent = try pendulumDDPG()
    let sink = RecordingMetricsSink()
    while agent.environmentSteps < 40 { try agent.trainStep(metrics: sink) }
    #expect(!sink.records.contains { $0.values.keys.contains { $0.contains("/") } })
    #expect(!(agent.metricNames[.train] ?? []).contains { $0.contains("/") })
  }

  /// ReDo through the core: until its first due update the run equals one without it; at that update the
  /// critics' and the actor's dormant units are recycled (outgoing weights zeroed), after it the runs differ.
  @Test func redoRecyclesTheNetworksWhenDue() throws {
    func agent(redo: Int) throws -> TD3Agent {
      var config = smallTD3Config()
      config.diagnostics.interval = 0
      config.redo.interval = redo
      config.redo.threshold = 0.9
      return try TD3Agent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 5, totalSteps: 200)
    }
    let recycling = try agent(redo: 15)
    let plain = try agent(redo: 0)
    try trainAgent(recycling, steps: 33)  // 14 updates
    try trainAgent(plain, steps: 33)
    #expect(try differences(recycling.saveState(), plain.saveState()) == [])
    try trainAgent(recycling, steps: 34)  // update 15: ReDo
    try trainAgent(plain, steps: 34)
    for ((role, network), (_, reference)) in zip(recycling.networks, plain.networks) {
      let changed = zip(network.model.parameters, reference.model.parameters).contains { $0.value != $1.value }
      #expect(changed, "\(role)")
      // The output layer consumes the last hidden layer and is not recycled itself: the outgoing weights of
      // that layer's recycled units stay zero.
      let output = network.model.maskableLayers.last!.layer.weight.denseValue()
      let zeroColumns = (0..<output.columns).filter { c in (0..<output.rows).allSatisfy { output[$0, c] == 0 } }
      #expect(!zeroColumns.isEmpty, "\(role)")
      let before = reference.model.maskableLayers.last!.layer.weight.denseValue()
      #expect(zeroColumns.contains { c in (0..<before.rows).contains { before[$0, c] != 0 } }, "\(role)")
    }
  }
}
