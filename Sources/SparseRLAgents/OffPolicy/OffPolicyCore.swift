import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// What SAC and TD3 (and any off-policy actor-critic agent) share: the training environment and its action
/// box, acting with a random warm-up, the replay buffer with RLx2's dynamic capacity and delayed multi-step
/// target, the update schedule, the `train` statistics, and the checkpoint of all of it.
///
/// One environment step (`OffPolicyAgent.trainStep`):
/// 1. act: a uniformly random normalised action during the first `warmup_steps` steps, then the algorithm's
///    exploratory action (with `normalize_observations`, the observation first updates the running statistics);
/// 2. store `(s, a, reward_scale * r, s', terminated, truncated)` (and, with the dynamic buffer, the stored
///    action of the policy distance);
/// 3. check the buffer's capacity when due;
/// 4. once the warm-up is over, `updates_per_step` updates, each: sample a minibatch of n-step windows (n from
///    the multi-step schedule), normalise its observations with the current statistics, hand it to the
///    algorithm, then recycle dormant units (ReDo) and record the diagnostics when they are due;
/// 5. report the `train` statistics every `log_interval` steps.
///
/// Random streams (saved in checkpoints): `actions` (warm-up and exploration), `replay` (minibatches), `redo`
/// (recycled weights); the algorithm derives its own from the same seed (`actor`, `critic1`, `critic2`, ...).
public final class OffPolicyCore {
  /// The shared settings.
  public let settings: OffPolicySettings
  /// The agent's name in messages and checkpoints (`SAC`, `TD3`).
  public let name: String
  /// Total environment steps of the run.
  public let totalSteps: Int
  let box: ActionBox
  let observationWidth: Int
  let training: TrainingEnvironment
  let buffer: ReplayBuffer
  let multiStep: MultiStepSchedule
  var capacityRule: DynamicReplayCapacity
  /// Warm-up actions and exploration noise.
  var actionRandom: RandomGenerator
  /// Minibatch sampling.
  var replayRandom: RandomGenerator
  /// Incoming weights of recycled units (ReDo).
  var recycleRandom: RandomGenerator
  /// The running observation statistics (nil unless `normalize_observations`).
  var normalizer: RunningObservationNormalizer?
  /// Environment steps so far.
  public internal(set) var environmentSteps = 0
  /// Critic updates so far.
  public internal(set) var updates = 0
  /// n of the last update's target.
  var lastSteps = 1
  var statistics = UpdateStatistics()
  /// The minibatch storage, sampled into again by every update (no per-update arrays).
  private var batch: TransitionBatch
  /// The environment's action of the step being taken, rewritten by every step.
  private var environmentAction: [Float] = []

  /// The core of an agent of `config` on `environment` (vector observations, box actions) for `totalSteps`
  /// steps. Throws `ConfigError` with every invalid setting of `config` (shared and the algorithm's).
  init<Algorithm>(
    config: OffPolicyConfig<Algorithm>, environment: any Environment, seed: UInt64, totalSteps: Int
  ) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    if !issues.isEmpty { throw ConfigError(issues: issues) }
    let settings = config.shared
    let name = Algorithm.kind.rawValue.uppercased()
    self.settings = settings
    self.name = name
    self.totalSteps = totalSteps
    box = try ActionBox(environment.actionSpace, agent: name)
    guard case .box(let observationBox) = environment.observationSpace, observationBox.shape.count == 1 else {
      throw AgentError.incompatibleEnvironment(
        "\(name) needs vector observations, got \(environment.observationSpace)")
    }
    observationWidth = observationBox.count
    buffer = ReplayBuffer(
      capacity: settings.replay.capacity, observationWidth: observationWidth,
      observationEncoding: .init(observationBox.elementType), actionWidth: box.count,
      storesPolicyActions: settings.replay.dynamicCapacity)
    multiStep = MultiStepSchedule(steps: settings.nStep, delay: settings.nStepDelay)
    capacityRule = DynamicReplayCapacity(settings: settings.replay, batchSize: settings.batchSize)
    let random = RandomGenerator(seed: seed)
    actionRandom = random.stream("actions")
    replayRandom = random.stream("replay")
    recycleRandom = random.stream("redo")
    normalizer = settings.normalizeObservations ? RunningObservationNormalizer(width: observationWidth) : nil
    batch = TransitionBatch(observationWidth: observationWidth, actionWidth: box.count, batch: 0, intermediateCount: 0)
    training = try TrainingEnvironment(environment, seed: seed)
  }

  /// Critic updates of the whole run (`updates_per_step` per environment step after the warm-up): the horizon
  /// of the critics' topology schedules.
  public var totalUpdates: Int { max(1, (totalSteps - settings.warmupSteps) * settings.updatesPerStep) }

  /// One observation as a `[width x 1]` matrix.
  func column(_ observation: [Float]) -> Matrix {
    Matrix(rows: observationWidth, columns: 1, scalars: observation)
  }

  /// Raw observations `[width x batch]` as the networks see them (normalised with the current statistics, which
  /// this does not update).
  func networkInput(_ observations: Matrix) -> Matrix { normalizer?.normalize(observations) ?? observations }

  /// Takes one environment step and the update that falls due (steps 1-5 above).
  func trainStep(_ agent: some OffPolicyAgent, metrics: any MetricsSink) throws {
    let observation = training.observation
    let (action, storedAction) = try Profiler.measure("act") { try act(agent, observation) }
    box.environmentAction(action, into: &environmentAction)
    let (step, episode) = try Profiler.measure("environment") { try training.step(.continuous(environmentAction)) }
    Profiler.measure("store") {
      buffer.add(
        observation: observation, action: action, reward: Float(settings.rewardScale * step.reward),
        nextObservation: step.observation, terminated: step.terminated, truncated: step.truncated,
        policyAction: storedAction)
    }
    environmentSteps += 1
    if let episode { metrics.record(group: .episode, step: environmentSteps, values: episode.metrics) }
    if capacityRule.isCheckStep(environmentSteps) {
      Profiler.measure("replay capacity check") {
        capacityRule.check(buffer: buffer) { agent.noiseFreeActions(self.networkInput($0)) }
      }
    }
    if environmentSteps >= max(settings.warmupSteps, 1) {
      for _ in 0..<settings.updatesPerStep { try update(agent, metrics: metrics) }
    }
    if environmentSteps % settings.logInterval == 0 && statistics.criticUpdates > 0 {
      Profiler.measure("report") { report(agent, metrics) }
    }
  }

  /// The action to take at `observation` and the action the dynamic buffer stores with it (nil without it).
  private func act(_ agent: some OffPolicyAgent, _ observation: [Float]) throws -> ([Float], [Float]?) {
    normalizer?.observe(observation)
    let dynamic = settings.replay.dynamicCapacity
    guard environmentSteps >= settings.warmupSteps else {
      let action: [Float] = (0..<box.count).map { _ in actionRandom.uniform(-1, 1) }
      guard dynamic else { return (action, nil) }
      switch settings.replay.warmupStoredAction {
      case .taken: return (action, action)
      case .noiseFree: return (action, agent.noiseFreeActions(networkInput(column(observation))).scalars)
      }
    }
    let (action, noiseFree) = agent.exploratoryAction(networkInput(column(observation)), using: &actionRandom)
    return (action, dynamic ? noiseFree : nil)
  }

  /// One update: a minibatch of n-step windows for the algorithm, then ReDo and the diagnostics when due.
  private func update(_ agent: some OffPolicyAgent, metrics: any MetricsSink) throws {
    let steps = multiStep.steps(forUpdate: updates)
    lastSteps = steps
    Profiler.measure("sample") {
      buffer.sample(
        into: &self.batch, batchSize: settings.batchSize, steps: steps, gamma: Float(settings.gamma),
        includeIntermediate: agent.usesIntermediateObservations && steps > 1, using: &replayRandom)
    }
    var batch = self.batch
    if normalizer != nil {
      Profiler.measure("normalize") {
        batch.observations = networkInput(batch.observations)
        batch.nextObservations = networkInput(batch.nextObservations)
        batch.intermediateObservations = batch.intermediateObservations.map(networkInput)
      }
    }
    updates += 1
    try Profiler.measure("update") { try agent.update(batch, index: updates) }
    if settings.redo.isDue(afterUpdates: updates) {
      Profiler.measure("ReDo") {
        for network in agent.diagnosedNetworks(batch) {
          ReDo.recycle(
            network.model, inputs: network.inputs, threshold: settings.redo.threshold, random: &recycleRandom)
        }
      }
    }
    try TrainingDiagnostics.recordIfDue(
      settings: settings.diagnostics, updates: updates, step: environmentSteps, metrics: metrics
    ) { agent.diagnosedNetworks(batch) }
  }

  /// The shared `train` metric names (the algorithm and the diagnostics add theirs).
  static let metricNames = [
    "critic_loss", "actor_loss", "q_mean", "buffer_size", "buffer_capacity", "n_step", "actor_sparsity",
    "critic_sparsity", "actor_topology_updates", "critic_topology_updates", "buffer_shrinks", "policy_distance",
  ]

  private func report(_ agent: some OffPolicyAgent, _ metrics: any MetricsSink) {
    let networks = agent.networks
    let critics = networks.filter { $0.role.hasPrefix("critic") }.map(\.network)
    let actor = networks.first { $0.role == "actor" }?.network
    var values: [String: Double] = [
      "critic_loss": statistics.meanCriticLoss, "q_mean": statistics.meanQ, "buffer_size": Double(buffer.count),
      "buffer_capacity": Double(buffer.capacity), "n_step": Double(lastSteps),
      "critic_sparsity": critics.first?.currentSparsity ?? 0,
      "critic_topology_updates": Double(critics.reduce(0) { $0 + $1.topologyUpdates }),
      "buffer_shrinks": Double(capacityRule.shrinks),
    ]
    if let actor {
      values["actor_sparsity"] = actor.currentSparsity
      values["actor_topology_updates"] = Double(actor.topologyUpdates)
    }
    if statistics.actorUpdates > 0 { values["actor_loss"] = statistics.meanActorLoss }
    if let distance = capacityRule.lastDistance { values["policy_distance"] = distance }
    values.merge(agent.algorithmMetrics()) { _, new in new }
    metrics.record(group: .train, step: environmentSteps, values: values)
    statistics = UpdateStatistics()
  }

  /// The shared state: counters, buffer, environment, generators, statistics, capacity rule.
  func archive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["kind"] = .string(name)
    archive["environment_steps"] = .int(environmentSteps)
    archive["updates"] = .int(updates)
    archive["last_steps"] = .int(lastSteps)
    archive["buffer"] = .archive(buffer.archive())
    archive["environment"] = .archive(try training.archive())
    archive["action_random"] = .generator(actionRandom)
    archive["replay_random"] = .generator(replayRandom)
    archive["redo_random"] = .generator(recycleRandom)
    if let normalizer { archive["observation_statistics"] = normalizer.archiveValue }
    archive["statistics"] = statistics.archiveValue
    archive["capacity_rule"] = capacityRule.archiveValue
    return archive
  }

  /// Restores what `archive()` saved; throws `AgentError.invalidState` for another agent's state.
  func load(_ archive: BinaryArchive) throws {
    let kind = try archive.string("kind")
    guard kind == name else { throw AgentError.invalidState("saved by a \(kind) agent, restoring into \(name)") }
    try buffer.load(archive.archive("buffer"))
    try training.load(archive.archive("environment"))
    actionRandom = try archive.generator("action_random")
    replayRandom = try archive.generator("replay_random")
    // Checkpoints written before ReDo and the normalisation existed have neither entry.
    if archive.contains("redo_random") { recycleRandom = try archive.generator("redo_random") }
    if normalizer != nil { try normalizer?.load(archive, "observation_statistics") }
    statistics = try UpdateStatistics(archive, "statistics")
    try capacityRule.load(archive, "capacity_rule")
    environmentSteps = try archive.int("environment_steps")
    updates = try archive.int("updates")
    lastSteps = try archive.int("last_steps")
  }
}

/// An off-policy actor-critic agent on `OffPolicyCore`: the core acts, stores, schedules and saves; the agent
/// supplies only what its algorithm defines (its policy's actions, its update, its own metrics and state).
/// `Agent` is implemented once for all of them below.
public protocol OffPolicyAgent: Agent {
  /// The algorithm's own settings.
  associatedtype Settings: OffPolicyAlgorithmSettings
  /// An agent of `config` training on `environment` for `totalSteps` steps.
  init(config: OffPolicyConfig<Settings>, environment: any Environment, seed: UInt64, totalSteps: Int) throws
  /// The shared machinery.
  var core: OffPolicyCore { get }
  /// The noise-free policy's normalised actions `[actions x batch]` for observations `[width x batch]`
  /// (evaluation, RLx2's policy distance).
  func noiseFreeActions(_ observations: Matrix) -> Matrix
  /// The exploratory action at one observation `[width x 1]` after the warm-up, and the noise-free action
  /// there (both normalised).
  func exploratoryAction(_ observation: Matrix, using random: inout RandomGenerator) -> (
    action: [Float], noiseFree: [Float]
  )
  /// Whether the update needs the windows' intermediate observations (SAC's n-step entropy terms).
  var usesIntermediateObservations: Bool { get }
  /// The algorithm's update on a minibatch (observations already as the networks see them); `index` counts
  /// updates from 1. Records into `core.statistics`.
  func update(_ batch: TransitionBatch, index: Int) throws
  /// The actor and the online critics on the last update's `batch`, with the losses of that update (its critic
  /// targets, a fresh reparameterisation noise for SAC's actor), for the diagnostics and ReDo. Roles are those of
  /// `networks`.
  func diagnosedNetworks(_ batch: TransitionBatch) -> [DiagnosedNetwork]
  /// The algorithm's own `train` metric names.
  var algorithmMetricNames: [String] { get }
  /// The algorithm's own `train` metrics (from `core.statistics`, the sums since the last report).
  func algorithmMetrics() -> [String: Double]
  /// The algorithm's own state (networks, optimizers, generators).
  func algorithmArchive() throws -> BinaryArchive
  /// Restores what `algorithmArchive()` saved.
  func loadAlgorithm(_ archive: BinaryArchive) throws
}

extension OffPolicyAgent {
  public var environmentSteps: Int { core.environmentSteps }

  public func trainStep(metrics: any MetricsSink) throws { try core.trainStep(self, metrics: metrics) }

  public func evaluationAction(for observation: [Float]) -> Action {
    .continuous(core.box.environmentAction(noiseFreeActions(core.networkInput(core.column(observation))).scalars))
  }

  /// `train`: the core's metrics (losses, mean Q, buffer size and capacity, n in use, sparsities, topology
  /// updates, `policy_distance` once the dynamic buffer has been checked), the algorithm's, and the
  /// diagnostics of every network (`actor/srank`, `critic1/dormant_0.1`, ...) when they are on.
  public var metricNames: [MetricGroup: [String]] {
    let diagnostics = TrainingDiagnostics.metricNames(settings: core.settings.diagnostics, roles: networks.map(\.role))
    return [.train: OffPolicyCore.metricNames + algorithmMetricNames + diagnostics, .episode: ["return", "length"]]
  }

  public func saveState() throws -> BinaryArchive {
    var archive = try core.archive()
    archive["algorithm"] = .archive(try algorithmArchive())
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let algorithm = try archive.archive("algorithm")
    try core.load(archive)
    try loadAlgorithm(algorithm)
  }
}
