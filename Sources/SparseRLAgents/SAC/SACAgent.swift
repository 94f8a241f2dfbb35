import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// SAC (Haarnoja et al. 2018) with automatic temperature on sparse networks, with RLx2's topology evolution,
/// delayed multi-step soft target and dynamic-capacity buffer as configuration options (`SACConfig`).
///
/// One `trainStep` takes one environment step (uniformly random actions during warm-up, then a sample of the
/// tanh-Gaussian policy), stores the transition (with the noise-free `tanh(mean)` when the buffer is dynamic),
/// checks the buffer capacity when due, and makes one update of the critics, the actor (through the minimum of
/// both critics), the temperature and the target critics. Where things live: the critic target in
/// `SACTarget`, the temperature in `EntropyTemperature`, the policy math in `TanhGaussian`, the critics in
/// `TwinCritics`.
public final class SACAgent: Agent {
  /// The configuration the agent was built from.
  public let config: SACConfig
  /// Total environment steps of the run (sets the topology schedules' T_end).
  public let totalSteps: Int
  let training: TrainingEnvironment
  let box: ActionBox
  let actor: SparseNetwork
  let actorOptimizer: Adam
  let policy: TanhGaussian
  let critics: TwinCritics
  let temperature: EntropyTemperature
  let buffer: ReplayBuffer
  let multiStep: MultiStepSchedule
  var capacityRule: DynamicReplayCapacity
  /// Warm-up actions and exploration samples.
  var actionRandom: RandomGenerator
  /// Minibatch sampling.
  var replayRandom: RandomGenerator
  /// Actions sampled inside updates (targets and actor loss).
  var updateRandom: RandomGenerator
  public private(set) var environmentSteps = 0
  /// Updates so far.
  public private(set) var updates = 0
  /// n of the last update's target.
  var lastSteps = 1
  var statistics = UpdateStatistics()
  let observationWidth: Int

  /// An agent training on `environment` (vector observations, box actions) for `totalSteps` steps.
  public init(config: SACConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    if !issues.isEmpty { throw ConfigError(issues: issues) }
    self.config = config
    self.totalSteps = totalSteps
    box = try ActionBox(environment.actionSpace, agent: "SAC")
    guard case .box(let observationBox) = environment.observationSpace, observationBox.shape.count == 1 else {
      throw AgentError.incompatibleEnvironment("SAC needs vector observations, got \(environment.observationSpace)")
    }
    observationWidth = observationBox.count
    var random = RandomGenerator(seed: seed)
    let totalUpdates = max(1, totalSteps - config.warmupSteps)
    var actorStream = random.stream("actor")
    let actorModel = try config.actor.build(
      inputShape: [observationWidth], outputs: 2 * box.count, random: &actorStream)
    actor = try SparseNetwork(
      model: actorModel, sparsity: config.actorSparsity, totalUpdates: totalUpdates,
      random: actorStream.stream("topology"))
    actorOptimizer = Adam(
      parameters: actor.model.parameters, learningRate: Float(config.actorLearningRate),
      weightDecay: Float(config.weightDecay))
    policy = TanhGaussian(minLogStd: Float(config.minLogStd), maxLogStd: Float(config.maxLogStd))
    critics = try TwinCritics(
      architecture: config.critic, sparsity: config.criticSparsity, observationWidth: observationWidth,
      actionWidth: box.count, totalUpdates: totalUpdates, learningRate: Float(config.criticLearningRate),
      weightDecay: Float(config.weightDecay),
      random: &random)
    temperature = EntropyTemperature(
      initial: Float(config.initialTemperature), targetEntropy: -Float(config.targetEntropyScale) * Float(box.count),
      learningRate: Float(config.temperatureLearningRate), isLearned: config.learnTemperature)
    buffer = ReplayBuffer(
      capacity: config.replay.capacity, observationWidth: observationWidth,
      observationEncoding: .init(observationBox.elementType), actionWidth: box.count,
      storesPolicyActions: config.replay.dynamicCapacity)
    multiStep = MultiStepSchedule(steps: config.nStep, delay: config.nStepDelay)
    capacityRule = DynamicReplayCapacity(settings: config.replay, batchSize: config.batchSize)
    actionRandom = random.stream("actions")
    replayRandom = random.stream("replay")
    updateRandom = random.stream("update")
    training = try TrainingEnvironment(environment, seed: seed)
  }

  public var networks: [(role: String, network: SparseNetwork)] {
    [("actor", actor), ("critic1", critics.online[0]), ("critic2", critics.online[1])]
  }

  /// `train`: losses, mean Q, alpha, entropy, buffer size and capacity, n in use, sparsities, topology updates,
  /// and `policy_distance` (the last measured D; present once the dynamic buffer has been checked).
  public var metricNames: [MetricGroup: [String]] {
    [
      .train: [
        "critic_loss", "actor_loss", "q_mean", "alpha", "alpha_loss", "entropy", "buffer_size", "buffer_capacity",
        "n_step", "actor_sparsity", "critic_sparsity", "actor_topology_updates", "critic_topology_updates",
        "buffer_shrinks", "policy_distance",
      ],
      .episode: ["return", "length"],
    ]
  }

  /// The actor's mean and raw log std (`[actions x batch]` each) for observations `[width x batch]`.
  func distribution(_ observations: Matrix) -> (mean: Matrix, rawLogStd: Matrix) {
    let output = actor.model.forward(observations)
    let half = box.count * output.columns
    return (
      Matrix(rows: box.count, columns: output.columns, scalars: Array(output.scalars[0..<half])),
      Matrix(rows: box.count, columns: output.columns, scalars: Array(output.scalars[half...]))
    )
  }

  /// The noise-free policy's normalised actions `tanh(mean(s))`.
  func deterministicActions(_ observations: Matrix) -> Matrix { policy.mode(mean: distribution(observations).mean) }

  public func evaluationAction(for observation: [Float]) -> Action {
    let action = deterministicActions(Matrix(rows: observation.count, columns: 1, scalars: observation))
    return .continuous(box.environmentAction(action.scalars))
  }

  public func trainStep(metrics: any MetricsSink) throws {
    let observation = training.observation
    var action: [Float]
    var policyAction: [Float]? = nil
    if environmentSteps < config.warmupSteps {
      action = (0..<box.count).map { _ in actionRandom.uniform(-1, 1) }
      if config.replay.dynamicCapacity {
        policyAction = deterministicActions(Matrix(rows: observationWidth, columns: 1, scalars: observation)).scalars
      }
    } else {
      let (mean, raw) = distribution(Matrix(rows: observationWidth, columns: 1, scalars: observation))
      action = policy.sample(mean: mean, rawLogStd: raw, using: &actionRandom).actions.scalars
      if config.replay.dynamicCapacity { policyAction = policy.mode(mean: mean).scalars }
    }
    let (step, episode) = try training.step(.continuous(box.environmentAction(action)))
    buffer.add(
      observation: observation, action: action, reward: Float(step.reward), nextObservation: step.observation,
      terminated: step.terminated, truncated: step.truncated, policyAction: policyAction)
    environmentSteps += 1
    if let episode {
      metrics.record(
        group: .episode, step: environmentSteps,
        values: ["return": episode.episodeReturn, "length": Double(episode.length)])
    }
    if capacityRule.isCheckStep(environmentSteps) {
      capacityRule.check(buffer: buffer, policy: deterministicActions)
    }
    if environmentSteps >= max(config.warmupSteps, 1) { try update() }
    if environmentSteps % config.logInterval == 0 && statistics.criticUpdates > 0 { report(metrics) }
  }

  /// Samples `a ~ pi(.|s)` for observations `[width x batch]` and returns the actions and log-probabilities.
  func sampleActions(_ observations: Matrix) -> TanhGaussian.Sample {
    let (mean, raw) = distribution(observations)
    return policy.sample(mean: mean, rawLogStd: raw, using: &updateRandom)
  }

  /// One update of the critics, the actor, the temperature and the target critics.
  func update() throws {
    let steps = multiStep.steps(forUpdate: updates)
    lastSteps = steps
    let alpha = temperature.alpha
    let batch = buffer.sample(
      batchSize: config.batchSize, steps: steps, gamma: Float(config.gamma), includeIntermediate: steps > 1,
      using: &replayRandom)
    let next = sampleActions(batch.nextObservations)
    let (q1, q2) = critics.targetValues(observations: batch.nextObservations, actions: next.actions)
    let intermediateLogProbabilities = batch.intermediateObservations.map { sampleActions($0).logProbabilities }
    let y = SACTarget.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ1: q1, targetQ2: q2,
      nextLogProbabilities: next.logProbabilities, intermediateDiscounts: batch.intermediateDiscounts,
      intermediateLogProbabilities: intermediateLogProbabilities, alpha: alpha)
    let (criticLoss, qMean) = critics.update(observations: batch.observations, actions: batch.actions, targets: y)
    try requireFinite(criticLoss, "SAC critic loss", step: environmentSteps)
    updates += 1

    // Actor: minimise mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)) with a reparameterised sample.
    actor.model.zeroGradients()
    let (mean, raw) = distribution(batch.observations)
    let sample = policy.sample(mean: mean, rawLogStd: raw, using: &updateRandom)
    let inputs = TwinCritics.inputs(observations: batch.observations, actions: sample.actions)
    let qa = critics.q(0, inputs: inputs)
    let qb = critics.q(1, inputs: inputs)
    let n = Float(qa.count)
    var gradientA = [Float](repeating: 0, count: qa.count)
    var gradientB = [Float](repeating: 0, count: qa.count)
    var actorLoss: Float = 0
    for b in 0..<qa.count {
      actorLoss += alpha * sample.logProbabilities[b] - min(qa[b], qb[b])
      if qa[b] <= qb[b] { gradientA[b] = -1 / n } else { gradientB[b] = -1 / n }
    }
    actorLoss /= n
    try requireFinite(actorLoss, "SAC actor loss", step: environmentSteps)
    var actionGradient = critics.actionGradient(0, outputGradient: gradientA)
    let second = critics.actionGradient(1, outputGradient: gradientB)
    for k in 0..<actionGradient.count { actionGradient.scalars[k] += second.scalars[k] }
    let (meanGradient, rawGradient) = policy.backward(
      sample, actionGradient: actionGradient,
      logProbabilityGradient: [Float](repeating: alpha / n, count: qa.count))
    _ = actor.model.backward(
      Matrix(
        rows: 2 * box.count, columns: meanGradient.columns, scalars: meanGradient.scalars + rawGradient.scalars),
      accumulateParameterGradients: true)
    if actor.afterBackward() { actorOptimizer.step() }
    let temperatureLoss = temperature.update(logProbabilities: sample.logProbabilities)
    let entropy = -sample.logProbabilities.reduce(0, +) / n
    statistics.addCritic(loss: criticLoss, qMean: qMean)
    statistics.addActor(loss: actorLoss, entropy: entropy, temperatureLoss: temperatureLoss)
    critics.updateTargets(tau: Float(config.tau))
  }

  func report(_ metrics: any MetricsSink) {
    var values: [String: Double] = [
      "critic_loss": statistics.meanCriticLoss, "actor_loss": statistics.meanActorLoss, "q_mean": statistics.meanQ,
      "alpha": Double(temperature.alpha), "alpha_loss": statistics.meanTemperatureLoss,
      "entropy": statistics.meanEntropy, "buffer_size": Double(buffer.count),
      "buffer_capacity": Double(buffer.capacity), "n_step": Double(lastSteps),
      "actor_sparsity": actor.currentSparsity, "critic_sparsity": critics.online[0].currentSparsity,
      "actor_topology_updates": Double(actor.topologyUpdates),
      "critic_topology_updates": Double(critics.online[0].topologyUpdates + critics.online[1].topologyUpdates),
      "buffer_shrinks": Double(capacityRule.shrinks),
    ]
    if let distance = capacityRule.lastDistance { values["policy_distance"] = distance }
    metrics.record(group: .train, step: environmentSteps, values: values)
    statistics = UpdateStatistics()
  }

  public func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["kind"] = .string("SAC")
    archive["environment_steps"] = .int(environmentSteps)
    archive["updates"] = .int(updates)
    archive["last_steps"] = .int(lastSteps)
    archive["actor"] = .archive(try actor.archive())
    archive["actor_optimizer"] = .archive(actorOptimizer.archive())
    archive["critics"] = .archive(try critics.archive())
    archive["temperature"] = .archive(temperature.archive())
    archive["buffer"] = .archive(buffer.archive())
    archive["environment"] = .archive(try training.archive())
    archive["action_random"] = .generator(actionRandom)
    archive["replay_random"] = .generator(replayRandom)
    archive["update_random"] = .generator(updateRandom)
    archive["statistics"] = statistics.archiveValue
    archive["capacity_rule"] = capacityRule.archiveValue
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let kind = try archive.string("kind")
    guard kind == "SAC" else { throw AgentError.invalidState("saved by a \(kind) agent, restoring into SAC") }
    try actor.load(archive.archive("actor"))
    try actorOptimizer.load(from: archive.archive("actor_optimizer"))
    try critics.load(archive.archive("critics"))
    try temperature.load(archive.archive("temperature"))
    try buffer.load(archive.archive("buffer"))
    try training.load(archive.archive("environment"))
    actionRandom = try archive.generator("action_random")
    replayRandom = try archive.generator("replay_random")
    updateRandom = try archive.generator("update_random")
    statistics = try UpdateStatistics(archive, "statistics")
    try capacityRule.load(archive, "capacity_rule")
    environmentSteps = try archive.int("environment_steps")
    updates = try archive.int("updates")
    lastSteps = try archive.int("last_steps")
  }
}
