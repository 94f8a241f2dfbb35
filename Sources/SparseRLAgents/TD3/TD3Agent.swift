import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// TD3 (Fujimoto et al. 2018) on sparse networks, with RLx2's topology evolution, delayed multi-step target and
/// dynamic-capacity buffer as configuration options (`TD3Config`).
///
/// One `trainStep` takes one environment step (uniformly random actions during warm-up, then
/// `clip(pi(s) + N(0, 0.1^2), -1, 1)`), stores the transition (with the noise-free `pi(s)` when the buffer is
/// dynamic), checks the buffer capacity when due, and then makes one critic update; every `policy_delay`-th
/// update also updates the actor (through critic 1) and all targets. Where things live: the critic target in
/// `TD3Target`, the critics in `TwinCritics`, the n-step schedule in `MultiStepSchedule`, the buffer rule in
/// `DynamicReplayCapacity`.
public final class TD3Agent: Agent {
  /// The configuration the agent was built from.
  public let config: TD3Config
  /// Total environment steps of the run (sets the topology schedules' T_end).
  public let totalSteps: Int
  let training: TrainingEnvironment
  let box: ActionBox
  let actor: SparseNetwork
  let actorTarget: any Layer
  let actorOptimizer: Adam
  let critics: TwinCritics
  let buffer: ReplayBuffer
  let multiStep: MultiStepSchedule
  var capacityRule: DynamicReplayCapacity
  /// Exploration noise and warm-up actions.
  var actionRandom: RandomGenerator
  /// Minibatch sampling.
  var replayRandom: RandomGenerator
  /// Target policy smoothing noise.
  var smoothingRandom: RandomGenerator
  public private(set) var environmentSteps = 0
  /// Critic updates so far.
  public private(set) var updates = 0
  /// n of the last update's target.
  var lastSteps = 1
  var statistics = UpdateStatistics()
  let observationWidth: Int

  /// An agent training on `environment` (vector observations, box actions) for `totalSteps` steps.
  public init(config: TD3Config, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    if !issues.isEmpty { throw ConfigError(issues: issues) }
    self.config = config
    self.totalSteps = totalSteps
    box = try ActionBox(environment.actionSpace, agent: "TD3")
    guard case .box(let observationBox) = environment.observationSpace, observationBox.shape.count == 1 else {
      throw AgentError.incompatibleEnvironment(
        "TD3 needs vector observations, got \(environment.observationSpace)")
    }
    observationWidth = observationBox.count
    var random = RandomGenerator(seed: seed)
    let criticUpdates = max(1, totalSteps - config.warmupSteps)
    var actorStream = random.stream("actor")
    let actorModel = try config.actor.build(inputShape: [observationWidth], outputs: box.count, random: &actorStream)
    actor = try SparseNetwork(
      model: actorModel, sparsity: config.actorSparsity, totalUpdates: max(1, criticUpdates / config.policyDelay),
      random: actorStream.stream("topology"))
    actorTarget = actor.model.copy()
    actorOptimizer = Adam(
      parameters: actor.model.parameters, learningRate: Float(config.actorLearningRate),
      weightDecay: Float(config.weightDecay))
    critics = try TwinCritics(
      architecture: config.critic, sparsity: config.criticSparsity, observationWidth: observationWidth,
      actionWidth: box.count, totalUpdates: criticUpdates, learningRate: Float(config.criticLearningRate),
      weightDecay: Float(config.weightDecay),
      random: &random)
    buffer = ReplayBuffer(
      capacity: config.replay.capacity, observationWidth: observationWidth,
      observationEncoding: .init(observationBox.elementType), actionWidth: box.count,
      storesPolicyActions: config.replay.dynamicCapacity)
    multiStep = MultiStepSchedule(steps: config.nStep, delay: config.nStepDelay)
    capacityRule = DynamicReplayCapacity(settings: config.replay, batchSize: config.batchSize)
    actionRandom = random.stream("actions")
    replayRandom = random.stream("replay")
    smoothingRandom = random.stream("smoothing")
    training = try TrainingEnvironment(environment, seed: seed)
  }

  public var networks: [(role: String, network: SparseNetwork)] {
    [("actor", actor), ("critic1", critics.online[0]), ("critic2", critics.online[1])]
  }

  /// `train`: losses, mean Q, buffer size and capacity, n in use, sparsities, topology updates, and
  /// `policy_distance` (the last measured D; present once the dynamic buffer has been checked).
  public var metricNames: [MetricGroup: [String]] {
    [
      .train: [
        "critic_loss", "actor_loss", "q_mean", "buffer_size", "buffer_capacity", "n_step", "actor_sparsity",
        "critic_sparsity", "actor_topology_updates", "critic_topology_updates", "buffer_shrinks", "policy_distance",
      ],
      .episode: ["return", "length"],
    ]
  }

  /// The deterministic policy's normalised actions `tanh(actor(s))` for observations `[width x batch]`.
  func policyActions(_ observations: Matrix) -> Matrix { tanhActions(actor.model.forward(observations)) }

  public func evaluationAction(for observation: [Float]) -> Action {
    let action = policyActions(Matrix(rows: observation.count, columns: 1, scalars: observation))
    return .continuous(box.environmentAction(action.scalars))
  }

  public func trainStep(metrics: any MetricsSink) throws {
    let observation = training.observation
    var policyAction: [Float]? = nil
    if config.replay.dynamicCapacity || environmentSteps >= config.warmupSteps {
      policyAction = policyActions(Matrix(rows: observationWidth, columns: 1, scalars: observation)).scalars
    }
    var action = [Float](repeating: 0, count: box.count)
    if environmentSteps < config.warmupSteps {
      for i in 0..<action.count { action[i] = actionRandom.uniform(-1, 1) }
    } else {
      let sigma = Float(config.explorationNoise)
      for i in 0..<action.count {
        action[i] = min(max(policyAction![i] + actionRandom.normal(mean: 0, standardDeviation: sigma), -1), 1)
      }
    }
    let (step, episode) = try training.step(.continuous(box.environmentAction(action)))
    buffer.add(
      observation: observation, action: action, reward: Float(step.reward), nextObservation: step.observation,
      terminated: step.terminated, truncated: step.truncated,
      policyAction: config.replay.dynamicCapacity ? policyAction : nil)
    environmentSteps += 1
    if let episode {
      metrics.record(
        group: .episode, step: environmentSteps,
        values: ["return": episode.episodeReturn, "length": Double(episode.length)])
    }
    if capacityRule.isCheckStep(environmentSteps) {
      capacityRule.check(buffer: buffer, policy: policyActions)
    }
    if environmentSteps >= max(config.warmupSteps, 1) { try update() }
    if environmentSteps % config.logInterval == 0 && statistics.criticUpdates > 0 { report(metrics) }
  }

  /// One critic update, and every `policy_delay`-th time the actor and target updates.
  func update() throws {
    let steps = multiStep.steps(forUpdate: updates)
    lastSteps = steps
    let gamma = Float(config.gamma)
    let batch = buffer.sample(batchSize: config.batchSize, steps: steps, gamma: gamma, using: &replayRandom)
    let targetActions = tanhActions(actorTarget.forward(batch.nextObservations))
    let noise = TD3Target.smoothingNoise(
      rows: targetActions.rows, columns: targetActions.columns, standardDeviation: Float(config.targetPolicyNoise),
      clip: Float(config.targetNoiseClip), using: &smoothingRandom)
    let (q1, q2) = critics.targetValues(
      observations: batch.nextObservations, actions: TD3Target.smoothedActions(targetActions, noise: noise))
    let y = TD3Target.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ1: q1, targetQ2: q2)
    let (criticLoss, qMean) = critics.update(observations: batch.observations, actions: batch.actions, targets: y)
    try requireFinite(criticLoss, "TD3 critic loss", step: environmentSteps)
    updates += 1
    statistics.addCritic(loss: criticLoss, qMean: qMean)
    guard updates % config.policyDelay == 0 else { return }

    // Actor: maximise Q1(s, pi(s)); the gradient flows through critic 1 without touching its parameters.
    actor.model.zeroGradients()
    let actions = policyActions(batch.observations)
    let q = critics.q(0, inputs: TwinCritics.inputs(observations: batch.observations, actions: actions))
    let n = Float(q.count)
    let actorLoss = -q.reduce(0, +) / n
    try requireFinite(actorLoss, "TD3 actor loss", step: environmentSteps)
    var gradient = critics.actionGradient(0, outputGradient: [Float](repeating: -1 / n, count: q.count))
    for k in 0..<gradient.count {
      let a = actions.scalars[k]
      gradient.scalars[k] *= 1 - a * a
    }
    _ = actor.model.backward(gradient, accumulateParameterGradients: true)
    if actor.afterBackward() { actorOptimizer.step() }
    statistics.addActor(loss: actorLoss)
    let tau = Float(config.tau)
    TargetUpdate.polyak(target: actorTarget, online: actor.model, tau: tau)
    critics.updateTargets(tau: tau)
  }

  func report(_ metrics: any MetricsSink) {
    var values: [String: Double] = [
      "critic_loss": statistics.meanCriticLoss, "q_mean": statistics.meanQ,
      "buffer_size": Double(buffer.count), "buffer_capacity": Double(buffer.capacity),
      "n_step": Double(lastSteps),
      "actor_sparsity": actor.currentSparsity, "critic_sparsity": critics.online[0].currentSparsity,
      "actor_topology_updates": Double(actor.topologyUpdates),
      "critic_topology_updates": Double(critics.online[0].topologyUpdates + critics.online[1].topologyUpdates),
      "buffer_shrinks": Double(capacityRule.shrinks),
    ]
    if statistics.actorUpdates > 0 { values["actor_loss"] = statistics.meanActorLoss }
    if let distance = capacityRule.lastDistance { values["policy_distance"] = distance }
    metrics.record(group: .train, step: environmentSteps, values: values)
    statistics = UpdateStatistics()
  }

  public func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["kind"] = .string("TD3")
    archive["environment_steps"] = .int(environmentSteps)
    archive["updates"] = .int(updates)
    archive["last_steps"] = .int(lastSteps)
    archive["actor"] = .archive(try actor.archive())
    archive["actor_target"] = .archive(NetworkArchive.archive(of: actorTarget))
    archive["actor_optimizer"] = .archive(actorOptimizer.archive())
    archive["critics"] = .archive(try critics.archive())
    archive["buffer"] = .archive(buffer.archive())
    archive["environment"] = .archive(try training.archive())
    archive["action_random"] = .generator(actionRandom)
    archive["replay_random"] = .generator(replayRandom)
    archive["smoothing_random"] = .generator(smoothingRandom)
    archive["statistics"] = statistics.archiveValue
    archive["capacity_rule"] = capacityRule.archiveValue
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let kind = try archive.string("kind")
    guard kind == "TD3" else { throw AgentError.invalidState("saved by a \(kind) agent, restoring into TD3") }
    try actor.load(archive.archive("actor"))
    try NetworkArchive.load(archive.archive("actor_target"), into: actorTarget)
    try actorOptimizer.load(from: archive.archive("actor_optimizer"))
    try critics.load(archive.archive("critics"))
    try buffer.load(archive.archive("buffer"))
    try training.load(archive.archive("environment"))
    actionRandom = try archive.generator("action_random")
    replayRandom = try archive.generator("replay_random")
    smoothingRandom = try archive.generator("smoothing_random")
    statistics = try UpdateStatistics(archive, "statistics")
    try capacityRule.load(archive, "capacity_rule")
    environmentSteps = try archive.int("environment_steps")
    updates = try archive.int("updates")
    lastSteps = try archive.int("last_steps")
  }
}
