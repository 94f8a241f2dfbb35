import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// Every parameter value of every network, target and optimizer slot of an agent, for bitwise comparison.
func agentParameterValues(_ layers: [any Layer]) -> [[Float]] {
  layers.flatMap { layer in
    layer.parameters.flatMap { p in [p.value] + p.optimizerState.keys.sorted().map { p.optimizerState[$0]! } }
  }
}

/// A small TD3 on Pendulum for fast unit tests.
func smallTD3Config() -> TD3Config {
  var config = TD3Config()
  config.actor = NetworkArchitecture(hiddenSizes: [16, 16])
  config.critic = NetworkArchitecture(hiddenSizes: [16, 16])
  config.batchSize = 8
  config.warmupSteps = 20
  config.replay = ReplaySettings(capacity: 400, minCapacity: 50)
  config.logInterval = 10
  return config
}

@Suite struct TD3Tests {
  @Test func smoothedTargetActionsAddNoiseAndClipToTheBox() {
    let target = Matrix([[0.9, -0.2], [0.1, -0.95]])
    let noise = Matrix([[0.3, -0.5], [-0.25, -0.1]])
    let smoothed = TD3Target.smoothedActions(target, noise: noise)
    // 0.9 + 0.3 = 1.2 -> 1; -0.2 - 0.5 = -0.7; 0.1 - 0.25 = -0.15; -0.95 - 0.1 = -1.05 -> -1.
    #expect(smoothed.scalars.map { ($0 * 1000).rounded() / 1000 } == [1, -0.7, -0.15, -1])
  }

  @Test func smoothingNoiseIsGaussianClippedToItsBound() {
    var generator = RandomGenerator(seed: 7)
    var reference = generator
    let noise = TD3Target.smoothingNoise(rows: 3, columns: 200, standardDeviation: 0.2, clip: 0.5, using: &generator)
    // Independent reference: the same normals, scaled and clipped by hand.
    let expected: [Float] = (0..<600).map { _ in
      let v = 0.2 * Float(reference.normal())
      return v > 0.5 ? 0.5 : (v < -0.5 ? -0.5 : v)
    }
    #expect(noise.scalars == expected)
    let wide = TD3Target.smoothingNoise(rows: 1, columns: 500, standardDeviation: 10, clip: 0.5, using: &generator)
    #expect(wide.scalars.allSatisfy { abs($0) <= 0.5 })
    #expect(wide.scalars.filter { abs($0) == 0.5 }.count > 450)  // P(|N(0, 10)| < 0.5) is about 4%
  }

  @Test func targetBootstrapsTheMinimumOfTheTwinCritics() {
    let y = TD3Target.values(
      rewards: [1, 0.5, -2], bootstrapDiscounts: [0.99, 0, 0.9801], targetQ1: [10, 3, -1], targetQ2: [8, 4, 2])
    // 1 + 0.99 * 8; terminal: 0.5; two-step window: -2 + 0.9801 * (-1).
    #expect(abs(y[0] - 8.92) < 1e-5)
    #expect(y[1] == 0.5)
    #expect(abs(y[2] - (-2.9801)) < 1e-5)
  }

  @Test func multiStepTargetSwitchesAfterTheDelay() throws {
    var config = smallTD3Config()
    config.nStep = 3
    config.nStepDelay = 5
    config.logInterval = 1
    let agent = try TD3Agent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: 100)
    let sink = RecordingMetricsSink()
    for _ in 0..<30 { try agent.trainStep(metrics: sink) }
    // Updates start at step 20 (update 0); updates 0...4 use one step, update 5 (step 25) is the first 3-step one.
    let n = sink.train("n_step")
    #expect(n.first?.step == 20)
    #expect(n.filter { $0.value == 1 }.map(\.step) == Array(20...24))
    #expect(n.filter { $0.value == 3 }.map(\.step) == Array(25...30))
    #expect(MultiStepSchedule(steps: 3, delay: 2).steps(forUpdate: 1) == 1)
    #expect(MultiStepSchedule(steps: 3, delay: 2).steps(forUpdate: 2) == 3)
  }

  /// The agent's actor loss is `-mean Q1(s, tanh(actor(s)))` through critic 1 of its trained twin critics (which
  /// differ by then), against float64 central differences of the formula on critic 1's weights; its value is
  /// not critic 2's.
  @Test func agentActorFollowsCritic1() throws {
    let agent = try TD3Agent(
      config: smallTD3Config(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 3, totalSteps: 300)
    try trainAgent(agent, steps: 40)
    let observations = agent.core.buffer.oldestTransitions(6).observations
    let output = agent.actor.model.forward(observations)
    let result = agent.policy.loss(observations, critics: agent.critics)
    let x = output.scalars.map(Double.init)
    func reference(_ critic: Int) -> ([Double]) -> Double {
      let weights = ActorLossReference.Critic(agent.critics.online[critic])
      return { x in
        ActorLossReference.td3(
          output: x, observations: observations.scalars.map(Double.init), actions: 1, batch: 6, critic: weights)
      }
    }
    #expect(abs(Double(result.loss) - reference(0)(x)) < 1e-4)
    #expect(abs(reference(0)(x) - reference(1)(x)) > 1e-2, "the two critics must differ for this test to tell")
    for (a, r) in zip(result.outputGradient.scalars, ActorLossReference.gradient(x, reference(0))) {
      #expect(abs(Double(a) - r) <= 2e-4 + 2e-3 * abs(r), "TD3 actor gradient \(a) vs \(r)")
    }
  }

  @Test func actorAndTargetsUpdateEveryPolicyDelayUpdates() throws {
    let agent = try TD3Agent(
      config: smallTD3Config(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 2, totalSteps: 100)
    let sink = RecordingMetricsSink()
    for _ in 0..<19 { try agent.trainStep(metrics: sink) }
    #expect(agent.core.updates == 0)
    let actorBefore = agentParameterValues([agent.actor.model])
    let targetBefore = agentParameterValues([agent.policy.target])
    let targetValuesBefore = agent.policy.target.parameters.map(\.value)
    try agent.trainStep(metrics: sink)  // step 20, update 1: critics only
    #expect(agent.core.updates == 1)
    let unchanged = agentParameterValues([agent.actor.model]) == actorBefore
    let targetUnchanged = agentParameterValues([agent.policy.target]) == targetBefore
    #expect(unchanged && targetUnchanged)
    try agent.trainStep(metrics: sink)  // update 2: actor and targets
    let changed = agentParameterValues([agent.actor.model]) != actorBefore
    let targetChanged = agentParameterValues([agent.policy.target]) != targetBefore
    #expect(changed && targetChanged)
    // The actor target moved towards the updated actor by tau: target = (1 - tau) target + tau actor.
    let tau = Float(agent.config.tau)
    var largestDeviation: Float = 0
    for (target, (actor, before)) in zip(
      agent.policy.target.parameters, zip(agent.actor.model.parameters, targetValuesBefore))
    {
      for k in 0..<target.value.count {
        largestDeviation = max(largestDeviation, abs(target.value[k] - ((1 - tau) * before[k] + tau * actor.value[k])))
      }
    }
    #expect(largestDeviation <= 1e-6, "actor target off its Polyak update by \(largestDeviation)")
  }

  @Test func savedStateContinuesExactly() throws {
    var config = smallTD3Config().variant(
      .rlx2, actorSparsity: 0.5, criticSparsity: 0.5, observationWidth: 3, actionWidth: 1)
    config.actorSparsity.updateInterval = 7
    config.criticSparsity.updateInterval = 7
    config.nStepDelay = 30
    config.replay.checkInterval = 25
    config.replay.distanceThreshold = 0  // shrink at every check
    config.replay.minCapacity = 10
    let run = try continueFromSavedState(before: 90, after: 60) { seed in
      try TD3Agent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: seed, totalSteps: 200)
    }
    let (original, restored, saved) = (run.original, run.restored, run.saved)
    #expect(original.actor.topologyUpdates > 0 && original.core.capacityRule.shrinks > 0)
    let observation: [Float] = [0.3, -0.2, 1]
    #expect(original.evaluationAction(for: observation) == restored.evaluationAction(for: observation))
    #expect(throws: AgentError.self) {
      try SACAgent(
        config: SACConfig(), environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: 10
      ).restoreState(saved)
    }
  }

  @Test func rejectsDiscreteActionsAndBadConfigs() throws {
    #expect(throws: AgentError.self) {
      try TD3Agent(
        config: TD3Config(), environment: try EnvironmentRegistry.make("CartPole-v1"), seed: 1, totalSteps: 10)
    }
    var config = TD3Config()
    config.policyDelay = 0
    config.tau = 2
    #expect(throws: ConfigError.self) {
      try TD3Agent(config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: 10)
    }
  }
}
