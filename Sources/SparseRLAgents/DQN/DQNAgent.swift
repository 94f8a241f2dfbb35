import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// Deep Q-learning (Mnih et al. 2015) on a sparse Q-network, with the usual options: double DQN, n-step
/// returns, MSE or Huber loss, hard or Polyak target updates, ε-greedy exploration after a random warm-up.
///
/// One `trainStep` takes one environment step, stores the transition, and, after `learning_starts` steps,
/// does one gradient update every `train_frequency` steps and updates the target network every
/// `target_update_interval` steps. The target network is a copy of the online network that follows its mask
/// (`TargetUpdate`). The TD target is in `DQNTarget`; the loss in `ValueLoss`.
///
/// Random streams (all saved in checkpoints): `q.init` (initial weights), `q.topology` (masks and their
/// updates), `exploration` (ε-greedy and warm-up actions), `replay` (minibatch sampling); the training
/// environment is reset with `seed` once, when the agent is built.
public final class DQNAgent: Agent {
  /// The settings.
  public let config: DQNConfig
  /// The online Q-network with its sparse-training method.
  public let q: SparseNetwork
  /// The target network (same layout as `q`, updated from it).
  public let target: any Layer
  /// The optimizer of `q`.
  public let optimizer: any Optimizer
  /// The replay buffer.
  public let replay: ReplayBuffer
  /// The training environment.
  public var environment: any Environment { training.environment }
  let training: TrainingEnvironment
  public private(set) var environmentSteps = 0
  /// Gradient updates done so far.
  public private(set) var updates = 0

  private let totalSteps: Int
  private let actionCount: Int
  private let actionStart: Int
  private let observationWidth: Int
  private let parameters: [Parameter]
  private let epsilonSchedule: LinearSchedule
  private var exploration: RandomGenerator
  private var sampling: RandomGenerator
  /// Draws the incoming weights of recycled units (ReDo).
  private var recycling: RandomGenerator
  /// Sums since the last report of the train group.
  private var lossSum = 0.0
  private var qSum = 0.0
  private var updatesSinceReport = 0
  /// The minibatch storage, sampled into again by every update.
  private var batch: TransitionBatch
  /// The per-update arrays, rewritten by every update: the TD targets, the taken actions' indices, the loss's
  /// buffers, and the observations scaled by `observation_scale` (acting, minibatch, next observations).
  private var tdTargets: [Float] = []
  private var takenActions: [Int] = []
  private var tdLoss = DQNLoss()
  private var scaledColumn = Matrix(rows: 0, columns: 0)
  private var scaledObservations = Matrix(rows: 0, columns: 0)
  private var scaledNextObservations = Matrix(rows: 0, columns: 0)

  /// A DQN agent for `environment` (box observations, discrete actions) that will train for `totalSteps`
  /// environment steps (the horizon of the ε and topology schedules). Resets `environment` with `seed`.
  /// Throws `AgentError.incompatibleEnvironment` for other spaces, `ConfigError` for invalid settings, and the
  /// sparsity allocation's error when the target sparsity cannot be met.
  public init(config: DQNConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    guard issues.isEmpty else { throw ConfigError(issues: issues) }
    guard case .discrete(let actions) = environment.actionSpace else {
      throw AgentError.incompatibleEnvironment(
        "DQN needs a discrete action space; \(environment.id) has \(environment.actionSpace)")
    }
    guard case .box(let observations) = environment.observationSpace else {
      throw AgentError.incompatibleEnvironment(
        "DQN needs a box observation space; \(environment.id) has \(environment.observationSpace)")
    }
    self.config = config
    self.totalSteps = totalSteps
    actionCount = actions.count
    actionStart = actions.start
    observationWidth = observations.count
    let root = RandomGenerator(seed: seed)
    var initialization = root.stream("q.init")
    let model = try config.network.build(
      inputShape: observations.shape, outputs: actions.count, random: &initialization)
    let updateBudget = max(1, (totalSteps - config.learningStarts) / config.trainFrequency)
    q = try SparseNetwork(
      model: model, sparsity: config.sparsity, totalUpdates: updateBudget, random: root.stream("q.topology"))
    target = model.copy()
    parameters = model.parameters
    optimizer = makeAdam(
      for: q, learningRate: Float(config.learningRate), epsilon: Float(config.adamEpsilon),
      weightDecay: Float(config.weightDecay), kind: config.weightDecayKind)
    replay = ReplayBuffer(
      capacity: config.bufferSize, observationWidth: observations.count,
      observationEncoding: ObservationStorage.Encoding(observations),
      framesPerObservation: observations.shape.first ?? 1, actionWidth: 1)
    batch = TransitionBatch(observationWidth: observations.count, actionWidth: 1, batch: 0, intermediateCount: 0)
    epsilonSchedule = config.epsilonSchedule(totalSteps: totalSteps)
    exploration = root.stream("exploration")
    sampling = root.stream("replay")
    training = try TrainingEnvironment(environment, seed: seed)
    recycling = root.stream("q.redo")
  }

  public var networks: [(role: String, network: SparseNetwork)] { [("q", q)] }

  public var metricNames: [MetricGroup: [String]] {
    [
      .train: ["loss", "q_mean", "epsilon", "buffer_size", "sparsity", "topology_updates", "updates"]
        + TrainingDiagnostics.metricNames(settings: config.diagnostics, roles: ["q"]),
      .episode: ["return", "length"],
    ]
  }

  /// ε at environment step `step`: 1 during the warm-up, then the linear schedule.
  public func epsilon(atStep step: Int) -> Double {
    step < config.learningStarts ? 1 : epsilonSchedule.value(at: step - config.learningStarts)
  }

  /// The greedy action index (0-based) of one observation.
  func greedyActionIndex(_ observation: [Float]) -> Int {
    let column = Matrix(rows: observationWidth, columns: 1, scalars: observation)
    let values = q.model.forward(scaled(column, into: &scaledColumn))
    return DQNTarget.greedyAction(values, column: 0)
  }

  /// Observations as the Q-network sees them (`observation_scale`): `observations` itself at scale 1, else the
  /// scaled copy in `storage`.
  private func scaled(_ observations: Matrix, into storage: inout Matrix) -> Matrix {
    guard config.observationScale != 1 else { return observations }
    let scale = Float(config.observationScale)
    storage.prepare(rows: observations.rows, columns: observations.columns)
    for i in observations.scalars.indices { storage.scalars[i] = observations.scalars[i] * scale }
    return storage
  }

  public func evaluationAction(for observation: [Float]) -> Action {
    .discrete(actionStart + greedyActionIndex(observation))
  }

  public func trainStep(metrics: any MetricsSink) throws {
    let epsilon = epsilon(atStep: environmentSteps)
    let explore = environmentSteps < config.learningStarts || exploration.nextDouble() < epsilon
    let observation = training.observation
    let action = explore ? exploration.integer(below: actionCount) : greedyActionIndex(observation)
    let (step, episode) = try training.step(.discrete(actionStart + action))
    replay.add(
      observation: observation, action: action, reward: Float(clipped(step.reward)), nextObservation: step.observation,
      terminated: step.terminated, truncated: step.truncated)
    environmentSteps += 1
    if let episode { metrics.record(group: .episode, step: environmentSteps, values: episode.metrics) }
    let stepsAfterWarmUp = environmentSteps - config.learningStarts
    if stepsAfterWarmUp > 0 {
      if stepsAfterWarmUp % config.trainFrequency == 0 { try update(metrics: metrics) }
      if stepsAfterWarmUp % config.targetUpdateInterval == 0 { updateTarget() }
    }
    if environmentSteps % config.logInterval == 0 && updatesSinceReport > 0 {
      let count = Double(updatesSinceReport)
      metrics.record(
        group: .train, step: environmentSteps,
        values: [
          "loss": lossSum / count, "q_mean": qSum / count, "epsilon": epsilon, "buffer_size": Double(replay.count),
          "sparsity": q.currentSparsity, "topology_updates": Double(q.topologyUpdates), "updates": Double(updates),
        ])
      (lossSum, qSum, updatesSinceReport) = (0, 0, 0)
    }
  }

  /// A reward as stored for training (`reward_clipping`).
  private func clipped(_ reward: Double) -> Double {
    config.rewardClipping > 0 ? min(max(reward, -config.rewardClipping), config.rewardClipping) : reward
  }

  /// One gradient update of the online network on a replay minibatch.
  private func update(metrics: any MetricsSink) throws {
    replay.sample(
      into: &self.batch, batchSize: config.batchSize, steps: config.nSteps, gamma: Float(config.gamma),
      using: &sampling)
    let batch = self.batch
    // The online network's forward on the next observations (double DQN) must come before its forward on the
    // observations, whose intermediate values the backward pass uses.
    let targets = temporalDifferenceTargets(batch)
    let actions = takenActionIndices(batch)
    let values = q.model.forward(scaled(batch.observations, into: &scaledObservations))
    let (loss, outputGradient, meanQ) = tdLoss.evaluate(
      values: values, actions: actions, targets: targets, loss: config.loss)
    guard loss.isFinite else { throw AgentError.nonFiniteValue(what: "DQN TD loss", step: environmentSteps) }
    optimizer.zeroGradients()
    _ = q.model.backward(outputGradient, accumulateParameterGradients: true)
    let takeStep = q.afterBackward()
    if config.maxGradientNorm > 0 {
      GradientClipping.clipGlobalNorm(parameters, maxNorm: Float(config.maxGradientNorm))
    }
    if takeStep { optimizer.step() }
    updates += 1
    lossSum += Double(loss)
    qSum += Double(meanQ)
    updatesSinceReport += 1
    if config.redo.isDue(afterUpdates: updates) {
      ReDo.recycle(q.model, inputs: batch.observations, threshold: config.redo.threshold, random: &recycling)
    }
    try TrainingDiagnostics.recordIfDue(
      settings: config.diagnostics, updates: updates, step: environmentSteps, metrics: metrics
    ) {
      [
        DiagnosedNetwork(role: "q", model: q.model, inputs: batch.observations) { samples in
          let values = self.q.model.forward(batch.observations.selectingColumns(samples))
          let (_, gradient, _) = DQNLoss.evaluate(
            values: values, actions: samples.map { actions[$0] }, targets: samples.map { targets[$0] },
            loss: self.config.loss)
          self.q.model.zeroGradients()
          _ = self.q.model.backward(gradient, accumulateParameterGradients: true)
        }
      ]
    }
  }

  /// The TD targets of `batch` (in storage the next update rewrites).
  private func temporalDifferenceTargets(_ batch: TransitionBatch) -> [Float] {
    let nextObservations = scaled(batch.nextObservations, into: &scaledNextObservations)
    let nextTargetQ = target.forward(nextObservations)
    let nextOnlineQ = config.doubleDQN ? q.model.forward(nextObservations) : nil
    DQNTarget.targets(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, nextTargetQ: nextTargetQ,
      nextOnlineQ: nextOnlineQ, into: &tdTargets)
    return tdTargets
  }

  /// The taken action of each sample of `batch` as an index (in storage the next update rewrites).
  private func takenActionIndices(_ batch: TransitionBatch) -> [Int] {
    if takenActions.count != batch.count { takenActions = [Int](repeating: 0, count: batch.count) }
    for b in 0..<batch.count { takenActions[b] = Int(batch.actions[0, b]) }
    return takenActions
  }

  private func updateTarget() {
    if config.tau == 1 {
      TargetUpdate.hardCopy(target: target, online: q.model)
    } else {
      TargetUpdate.polyak(target: target, online: q.model, tau: Float(config.tau))
    }
  }

  public func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["agent"] = .string("dqn")
    archive["q"] = .archive(try q.archive())
    archive["target"] = .archive(NetworkArchive.archive(of: target))
    archive["optimizer"] = .archive(optimizer.archive())
    archive["replay"] = .archive(replay.archive())
    archive["exploration"] = .generator(exploration)
    archive["sampling"] = .generator(sampling)
    archive["recycling"] = .generator(recycling)
    archive["environment"] = .archive(try training.archive())
    archive["environment_steps"] = .int(environmentSteps)
    archive["updates"] = .int(updates)
    archive["loss_sum"] = .double(lossSum)
    archive["q_sum"] = .double(qSum)
    archive["updates_since_report"] = .int(updatesSinceReport)
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let kind = try archive.string("agent")
    guard kind == "dqn" else { throw AgentError.invalidState("saved by a \(kind) agent, restoring into dqn") }
    let restoredExploration = try archive.generator("exploration")
    let restoredSampling = try archive.generator("sampling")
    let environmentState = try archive.archive("environment")
    let restoredRecycling = try archive.generator("recycling")
    try q.load(archive.archive("q"))
    try NetworkArchive.load(archive.archive("target"), into: target)
    try optimizer.load(from: archive.archive("optimizer"))
    try replay.load(archive.archive("replay"))
    try training.load(environmentState)
    (exploration, sampling) = (restoredExploration, restoredSampling)
    environmentSteps = try archive.int("environment_steps")
    recycling = restoredRecycling
    updates = try archive.int("updates")
    lossSum = try archive.double("loss_sum")
    qSum = try archive.double("q_sum")
    updatesSinceReport = try archive.int("updates_since_report")
  }
}
