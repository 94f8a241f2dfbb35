import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// Proximal policy optimisation (Schulman et al. 2017) with separate, independently sparse actor and critic
/// networks, on a `VectorEnvironment` of `num_envs` copies with same-step autoreset.
///
/// One `trainStep` steps every sub-environment once and records the step in the `PPORollout`. When the rollout
/// holds `num_steps` steps per sub-environment, advantages are estimated (GAE, bootstrapping from the final
/// observation at truncations) and both networks are trained for `update_epochs` passes over shuffled
/// minibatches on `PPOLoss`'s clipped surrogate, value loss and entropy bonus. Each minibatch is one gradient
/// update of each network (the step count of its topology schedule).
///
/// Observation normalisation and reward scaling are the environment wrappers, applied around each
/// sub-environment (per-environment statistics, as CleanRL); `evaluationAction` normalises raw observations
/// with the statistics of sub-environment 0, frozen.
///
/// Random streams (saved in checkpoints): `actor.init`, `critic.init`, `actor.topology`, `critic.topology`,
/// `policy` (action sampling), `minibatches` (shuffling).
public final class PPOAgent: Agent {
  /// The settings.
  public let config: PPOConfig
  /// The policy network.
  public let actor: SparseNetwork
  /// The value network.
  public let critic: SparseNetwork
  /// The optimizers (the actor's includes the Gaussian log σ).
  public let actorOptimizer: any Optimizer
  /// The value network's optimizer.
  public let criticOptimizer: any Optimizer
  /// The training environments (wrapped with the normalisations the config asks for).
  public let environments: VectorEnvironment
  public private(set) var environmentSteps = 0
  /// Completed updates (one per rollout).
  public private(set) var iterations = 0
  /// The current rollout.
  public private(set) var rollout: PPORollout

  let head: PPOPolicyHead
  private let observationWidth: Int
  private let plannedIterations: Int
  private let allParameters: [Parameter]
  private var policyRandom: RandomGenerator
  private var minibatchRandom: RandomGenerator
  /// The observation normalisation of sub-environment 0, whose statistics evaluation uses (nil when off).
  let evaluationNormalization: ObservationNormalization?
  /// The observations the sub-environments are in, `[width x num_envs]`.
  private var observations: Matrix

  /// A PPO agent on `num_envs` environments made by `makeEnvironment` (box observations; discrete or box
  /// actions) for a run of `totalSteps` environment steps summed over sub-environments. Sub-environment i is
  /// reset with `seed + i`. Throws `ConfigError`, `AgentError.incompatibleEnvironment`, or the sparsity
  /// allocation's error.
  public init(
    config: PPOConfig, seed: UInt64, totalSteps: Int, makeEnvironment: () throws -> any Environment
  ) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    guard issues.isEmpty else { throw ConfigError(issues: issues) }
    let environments = try (0..<config.numEnvs).map { _ in
      PPOAgent.wrap(try makeEnvironment(), config: config)
    }
    let first = environments[0]
    guard case .box(let observationBox) = first.observationSpace else {
      throw AgentError.incompatibleEnvironment(
        "PPO needs a box observation space; \(first.id) has \(first.observationSpace)")
    }
    self.config = config
    self.environments = VectorEnvironment(environments)
    head = PPOPolicyHead(space: first.actionSpace, initialLogStd: Float(config.initialLogStd))
    observationWidth = observationBox.count
    plannedIterations = max(1, totalSteps / config.rolloutSize)
    let updatesPerIteration =
      config.updateEpochs * ((config.rolloutSize + config.minibatchSize - 1) / config.minibatchSize)
    let totalUpdates = plannedIterations * updatesPerIteration
    let root = RandomGenerator(seed: seed)
    var actorInit = root.stream("actor.init")
    var criticInit = root.stream("critic.init")
    actor = try SparseNetwork(
      model: config.actorNetwork.build(inputShape: observationBox.shape, outputs: head.outputs, random: &actorInit),
      sparsity: config.actorSparsity, totalUpdates: totalUpdates, random: root.stream("actor.topology"))
    critic = try SparseNetwork(
      model: config.criticNetwork.build(inputShape: observationBox.shape, outputs: 1, random: &criticInit),
      sparsity: config.criticSparsity, totalUpdates: totalUpdates, random: root.stream("critic.topology"))
    let actorParameters = actor.model.parameters + head.extraParameters
    let criticParameters = critic.model.parameters
    allParameters = actorParameters + criticParameters
    actorOptimizer = makeAdam(
      parameters: actorParameters, kernels: actor.model.maskableLayers.map(\.layer.weight),
      learningRate: Float(config.learningRate), epsilon: Float(config.adamEpsilon),
      weightDecay: Float(config.weightDecay), kind: config.weightDecayKind)
    criticOptimizer = makeAdam(
      for: critic, learningRate: Float(config.learningRate), epsilon: Float(config.adamEpsilon),
      weightDecay: Float(config.weightDecay), kind: config.weightDecayKind)
    rollout = PPORollout(
      environments: config.numEnvs, steps: config.numSteps, observationWidth: observationBox.count,
      actionWidth: head.actionWidth)
    policyRandom = root.stream("policy")
    evaluationNormalization = first.find(ObservationNormalization.self)
    minibatchRandom = root.stream("minibatches")
    let reset = try self.environments.reset(seed: seed)
    observations = PPOAgent.matrix(reset.observations, width: observationBox.count)
  }

  /// A PPO agent whose first sub-environment is `environment`; further copies (`num_envs > 1`) are built from
  /// the registry under `environment.id` (`EnvironmentRegistry.make`). Use the `makeEnvironment` initialiser
  /// for environments that are not registered or carry extra wrappers.
  public convenience init(config: PPOConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    var given: (any Environment)? = environment
    try self.init(config: config, seed: seed, totalSteps: totalSteps) {
      if let first = given {
        given = nil
        return first
      }
      return try EnvironmentRegistry.make(environment.id)
    }
  }

  private static func wrap(_ environment: any Environment, config: PPOConfig) -> any Environment {
    var wrapped = environment
    if config.normalizeObservations, case .box = environment.observationSpace {
      wrapped = ObservationNormalization(wrapped, clip: Float(config.observationClip))
    }
    if config.normalizeRewards { wrapped = RewardScaling(wrapped, gamma: config.gamma) }
    return wrapped
  }

  private static func matrix(_ columns: [[Float]], width: Int) -> Matrix {
    var result = Matrix(rows: width, columns: columns.count)
    for (b, column) in columns.enumerated() {
      for j in 0..<width { result[j, b] = column[j] }
    }
    return result
  }

  public var networks: [(role: String, network: SparseNetwork)] { [("actor", actor), ("critic", critic)] }

  public var metricNames: [MetricGroup: [String]] {
    [
      .train: [
        "policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "explained_variance", "learning_rate",
        "actor_sparsity", "critic_sparsity", "actor_topology_updates", "critic_topology_updates",
      ],
      .episode: ["return", "length"],
    ]
  }

  public func evaluationAction(for observation: [Float]) -> Action {
    let input = evaluationNormalization?.normalize(observation) ?? observation
    return head.deterministicAction(actor.model.forward(Matrix(rows: observationWidth, columns: 1, scalars: input)))
  }

  public func trainStep(metrics: any MetricsSink) throws {
    let output = actor.model.forward(observations)
    let (actions, logProbabilities) = head.sample(output, using: &policyRandom)
    let values = critic.model.forward(observations).scalars
    rollout.recordActing(
      observations: observations, actions: actions, logProbabilities: logProbabilities, values: values)
    let step = try environments.step((0..<environments.count).map { head.environmentAction(actions, column: $0) })
    environmentSteps += environments.count
    // Values of the final observations of truncated episodes, for the GAE bootstrap.
    var finalValues = [Float](repeating: 0, count: environments.count)
    let truncatedIndices = (0..<environments.count).filter { step.truncated[$0] }
    if !truncatedIndices.isEmpty {
      let finals = PPOAgent.matrix(truncatedIndices.map { step.finalObservations[$0]! }, width: observationWidth)
      let finalOutput = critic.model.forward(finals)
      for (k, e) in truncatedIndices.enumerated() { finalValues[e] = finalOutput[0, k] }
    }
    let clip = Float(config.rewardClip)
    let rewards = step.rewards.map { r in
      config.normalizeRewards ? min(max(Float(r), -clip), clip) : Float(r)
    }
    rollout.recordOutcome(
      rewards: rewards, terminated: step.terminated, truncated: step.truncated, finalValues: finalValues)
    for case let info? in step.finalInfos {
      if let episodeReturn = info[EpisodeStatistics.returnKey], let length = info[EpisodeStatistics.lengthKey] {
        metrics.record(group: .episode, step: environmentSteps, values: ["return": episodeReturn, "length": length])
      }
    }
    observations = PPOAgent.matrix(step.observations, width: observationWidth)
    if rollout.isFull { try update(metrics: metrics) }
  }

  /// The learning rate of the next update.
  var currentLearningRate: Float {
    guard config.annealLearningRate else { return Float(config.learningRate) }
    let fraction = max(0, 1 - Double(iterations) / Double(plannedIterations))
    return Float(config.learningRate * fraction)
  }

  /// Trains both networks on the full rollout, then clears it.
  private func update(metrics: any MetricsSink) throws {
    let lastValues = critic.model.forward(observations).scalars
    let (advantages, returns) = rollout.advantages(
      lastValues: lastValues, gamma: Float(config.gamma), lambda: Float(config.gaeLambda))
    let learningRate = currentLearningRate
    actorOptimizer.learningRate = learningRate
    criticOptimizer.learningRate = learningRate
    let n = rollout.count
    var order = Array(0..<n)
    var sums = (policy: 0.0, value: 0.0, entropy: 0.0, kl: 0.0, clipped: 0.0, count: 0.0)
    for _ in 0..<config.updateEpochs {
      for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, minibatchRandom.integer(below: i + 1)) }
      for start in stride(from: 0, to: n, by: config.minibatchSize) {
        let indices = Array(order[start..<min(start + config.minibatchSize, n)])
        let statistics = try trainMinibatch(indices, advantages: advantages, returns: returns)
        sums.policy += Double(statistics.policyLoss)
        sums.value += Double(statistics.valueLoss)
        sums.entropy += Double(statistics.entropy)
        sums.kl += Double(statistics.approximateKL)
        sums.clipped += Double(statistics.clipFraction)
        sums.count += 1
      }
    }
    let meanReturn = returns.reduce(0, +) / Float(n)
    let returnVariance = returns.reduce(0) { $0 + ($1 - meanReturn) * ($1 - meanReturn) } / Float(n)
    var residualVariance: Float = 0
    var residualMean: Float = 0
    for k in 0..<n { residualMean += (returns[k] - rollout.values[k]) / Float(n) }
    for k in 0..<n {
      let d = returns[k] - rollout.values[k] - residualMean
      residualVariance += d * d / Float(n)
    }
    let explainedVariance = returnVariance == 0 ? Double.nan : Double(1 - residualVariance / returnVariance)
    iterations += 1
    rollout.clear()
    metrics.record(
      group: .train, step: environmentSteps,
      values: [
        "policy_loss": sums.policy / sums.count, "value_loss": sums.value / sums.count,
        "entropy": sums.entropy / sums.count, "approx_kl": sums.kl / sums.count,
        "clip_fraction": sums.clipped / sums.count, "explained_variance": explainedVariance,
        "learning_rate": Double(learningRate), "actor_sparsity": actor.currentSparsity,
        "critic_sparsity": critic.currentSparsity, "actor_topology_updates": Double(actor.topologyUpdates),
        "critic_topology_updates": Double(critic.topologyUpdates),
      ])
  }

  private struct MinibatchStatistics {
    var policyLoss: Float
    var valueLoss: Float
    var entropy: Float
    var approximateKL: Float
    var clipFraction: Float
  }

  /// One gradient update of each network on the rollout samples `indices`.
  private func trainMinibatch(_ indices: [Int], advantages: [Float], returns: [Float]) throws -> MinibatchStatistics {
    let m = indices.count
    let width = observationWidth
    let actionWidth = rollout.actionWidth
    var input = Matrix(rows: width, columns: m)
    var actions = Matrix(rows: actionWidth, columns: m)
    var oldLogProbabilities = [Float](repeating: 0, count: m)
    var oldValues = [Float](repeating: 0, count: m)
    var batchAdvantages = [Float](repeating: 0, count: m)
    var batchReturns = [Float](repeating: 0, count: m)
    rollout.observations.withUnsafeBufferPointer { stored in
      input.scalars.withUnsafeMutableBufferPointer { destination in
        for (b, sample) in indices.enumerated() {
          for j in 0..<width { destination[j * m + b] = stored[sample * width + j] }
        }
      }
    }
    for (b, sample) in indices.enumerated() {
      for k in 0..<actionWidth { actions[k, b] = rollout.actions[sample * actionWidth + k] }
      oldLogProbabilities[b] = rollout.logProbabilities[sample]
      oldValues[b] = rollout.values[sample]
      batchAdvantages[b] = advantages[sample]
      batchReturns[b] = returns[sample]
    }
    if config.normalizeAdvantages && m > 1 {
      let mean = batchAdvantages.reduce(0, +) / Float(m)
      let variance = batchAdvantages.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(m - 1)
      let scale = 1 / (variance.squareRoot() + 1e-8)
      for b in 0..<m { batchAdvantages[b] = (batchAdvantages[b] - mean) * scale }
    }
    actorOptimizer.zeroGradients()
    criticOptimizer.zeroGradients()
    // Actor: clipped surrogate minus the entropy bonus.
    let output = actor.model.forward(input)
    let policy = head.evaluate(output, actions: actions)
    let surrogate = PPOLoss.clippedSurrogate(
      logProbabilities: policy.logProbabilities, oldLogProbabilities: oldLogProbabilities,
      advantages: batchAdvantages, clip: Float(config.clipCoefficient))
    let entropy = policy.entropies.reduce(0, +) / Float(m)
    let entropyGradient = [Float](repeating: -Float(config.entropyCoefficient) / Float(m), count: m)
    _ = actor.model.backward(
      policy.outputGradient(surrogate.gradient, entropyGradient), accumulateParameterGradients: true)
    // Critic: the (clipped) value loss, weighted.
    let values = critic.model.forward(input).scalars
    let valueLoss = PPOLoss.value(
      values: values, oldValues: oldValues, returns: batchReturns,
      clip: config.clipValueLoss ? Float(config.clipCoefficient) : nil)
    let coefficient = Float(config.valueCoefficient)
    _ = critic.model.backward(
      Matrix(rows: 1, columns: m, scalars: valueLoss.gradient.map { $0 * coefficient }),
      accumulateParameterGradients: true)
    guard surrogate.loss.isFinite, valueLoss.loss.isFinite, entropy.isFinite else {
      throw AgentError.nonFiniteValue(what: "PPO loss", step: environmentSteps)
    }
    let stepActor = actor.afterBackward()
    let stepCritic = critic.afterBackward()
    if config.maxGradientNorm > 0 {
      GradientClipping.clipGlobalNorm(allParameters, maxNorm: Float(config.maxGradientNorm))
    }
    if stepActor { actorOptimizer.step() }
    if stepCritic { criticOptimizer.step() }
    return MinibatchStatistics(
      policyLoss: surrogate.loss, valueLoss: valueLoss.loss, entropy: entropy,
      approximateKL: surrogate.approximateKL, clipFraction: surrogate.clipFraction)
  }

  public func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["agent"] = .string("ppo")
    archive["actor"] = .archive(try actor.archive())
    archive["critic"] = .archive(try critic.archive())
    var extra = BinaryArchive()
    for parameter in head.extraParameters {
      var entry = BinaryArchive()
      entry["value"] = .floats(parameter.value)
      for (key, slot) in parameter.optimizerState { entry["state." + key] = .floats(slot) }
      extra[parameter.name] = .archive(entry)
    }
    archive["policy_parameters"] = .archive(extra)
    archive["actor_optimizer"] = .archive(actorOptimizer.archive())
    archive["critic_optimizer"] = .archive(criticOptimizer.archive())
    archive["rollout"] = .archive(rollout.archive())
    archive["policy_random"] = .generator(policyRandom)
    archive["minibatch_random"] = .generator(minibatchRandom)
    archive["environments"] = try .environmentState(environments.saveState())
    archive["observations"] = .floats(observations.scalars)
    archive["environment_steps"] = .int(environmentSteps)
    archive["iterations"] = .int(iterations)
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let kind = try archive.string("agent")
    guard kind == "ppo" else { throw AgentError.invalidState("saved by a \(kind) agent, restoring into ppo") }
    let restoredObservations = try archive.floats("observations", count: observations.count)
    let restoredPolicyRandom = try archive.generator("policy_random")
    let restoredMinibatchRandom = try archive.generator("minibatch_random")
    let environmentState = try archive.environmentState("environments")
    let extra = try archive.archive("policy_parameters")
    for parameter in head.extraParameters {
      let entry = try extra.archive(parameter.name)
      parameter.value = try entry.floats("value", count: parameter.activeCount)
      var state: [String: [Float]] = [:]
      for name in entry.names where name.hasPrefix("state.") {
        state[String(name.dropFirst("state.".count))] = try entry.floats(name, count: parameter.activeCount)
      }
      parameter.optimizerState = state
      parameter.zeroGradient()
    }
    try actor.load(archive.archive("actor"))
    try critic.load(archive.archive("critic"))
    try actorOptimizer.load(from: archive.archive("actor_optimizer"))
    try criticOptimizer.load(from: archive.archive("critic_optimizer"))
    try rollout.load(archive.archive("rollout"))
    try environments.restoreState(environmentState)
    (policyRandom, minibatchRandom) = (restoredPolicyRandom, restoredMinibatchRandom)
    observations = Matrix(rows: observationWidth, columns: environments.count, scalars: restoredObservations)
    environmentSteps = try archive.int("environment_steps")
    iterations = try archive.int("iterations")
  }
}
