import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// SAC (Haarnoja et al. 2018) with automatic temperature on sparse networks, with RLx2's topology evolution,
/// delayed multi-step soft target and dynamic-capacity buffer as configuration options (`SACConfig`).
///
/// `OffPolicyCore` acts (random during the warm-up, then a sample of the tanh-Gaussian policy), stores and
/// samples; this class is SAC's update, in the paper's order: the critics towards the soft target
/// (`SACTarget`), the actor through the smaller critic (`SACActorLoss`), the temperature
/// (`EntropyTemperature`), the target critics. Random streams of its own: `actor`, `critic1`, `critic2` (initial
/// weights and topology) and `update` (the actions sampled inside updates).
public final class SACAgent: OffPolicyAgent {
  /// The configuration the agent was built from.
  public let config: SACConfig
  public let core: OffPolicyCore
  let actor: SparseNetwork
  let actorOptimizer: any Optimizer
  let policy: TanhGaussian
  let critics: TwinCritics
  let temperature: EntropyTemperature
  /// Actions sampled inside updates (targets and actor loss).
  var updateRandom: RandomGenerator
  /// The critics' soft target, with its buffer.
  var criticTarget = SACTarget()
  /// The critic targets of the last update (the diagnostics' critic loss).
  var lastTargets: [Float] { criticTarget.lastValues }
  /// The actor loss's buffers, reused by every update.
  private var actorLossBuffers = SACActorLoss.Buffers()
  /// The samples of an update's target (at s' and at the intermediate states) and of acting, and the actor
  /// loss's noise, each rewritten by the next use.
  private var nextSample = TanhGaussian.Sample()
  private var intermediateSample = TanhGaussian.Sample()
  private var intermediateLogProbabilityStorage: [[Float]] = []
  private var actingSample = TanhGaussian.Sample()
  private var actingMode = Matrix(rows: 0, columns: 0)
  private var actorNoise = Matrix(rows: 0, columns: 0)

  /// An agent training on `environment` (vector observations, box actions) for `totalSteps` steps.
  public init(config: SACConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    core = try OffPolicyCore(config: config, environment: environment, seed: seed, totalSteps: totalSteps)
    self.config = config
    let actions = core.box.count
    var random = RandomGenerator(seed: seed)
    var actorStream = random.stream("actor")
    actor = try SparseNetwork(
      model: config.actor.build(inputShape: [core.observationWidth], outputs: 2 * actions, random: &actorStream),
      sparsity: config.actorSparsity, totalUpdates: core.totalUpdates, random: actorStream.stream("topology"))
    actorOptimizer = makeAdam(
      for: actor, learningRate: Float(config.actorLearningRate), weightDecay: Float(config.weightDecay),
      kind: config.weightDecayKind)
    policy = TanhGaussian(minLogStd: Float(config.minLogStd), maxLogStd: Float(config.maxLogStd))
    critics = try TwinCritics(
      settings: config.shared, observationWidth: core.observationWidth, actionWidth: actions,
      totalUpdates: core.totalUpdates, random: &random)
    temperature = EntropyTemperature(
      initial: Float(config.initialTemperature), targetEntropy: -Float(config.targetEntropyScale) * Float(actions),
      learningRate: Float(config.temperatureLearningRate), isLearned: config.learnTemperature)
    updateRandom = random.stream("update")
  }

  public var networks: [(role: String, network: SparseNetwork)] {
    [("actor", actor), ("critic1", critics.online[0]), ("critic2", critics.online[1])]
  }

  /// The noise-free policy's normalised actions `tanh(mean(s))`.
  public func noiseFreeActions(_ observations: Matrix) -> Matrix {
    var actions = Matrix(rows: 0, columns: 0)
    policy.mode(actor.model.forward(observations), into: &actions)
    return actions
  }

  /// A sample of the policy at one observation and `tanh(mean(s))` (both in storage the next call rewrites).
  public func exploratoryAction(_ observation: Matrix, using random: inout RandomGenerator) -> (
    action: [Float], noiseFree: [Float]
  ) {
    let output = actor.model.forward(observation)
    policy.sample(output, using: &random, into: &actingSample)
    policy.mode(output, into: &actingMode)
    return (actingSample.actions.scalars, actingMode.scalars)
  }

  public var usesIntermediateObservations: Bool { true }

  /// Samples `a ~ pi(.|s)` for observations `[width x batch]` into `sample` and returns it (actions and
  /// log-probabilities).
  func sampleActions(_ observations: Matrix, into sample: inout TanhGaussian.Sample) -> TanhGaussian.Sample {
    policy.sample(actor.model.forward(observations), using: &updateRandom, into: &sample)
    return sample
  }

  /// `log pi(a_k | s_{t+k})` of a fresh sample `a_k` at each intermediate observation `s_{t+k}` (the n-step
  /// target's entropy terms; none for a one-step target), in storage the next update rewrites.
  func sampleIntermediateLogProbabilities(_ observations: [Matrix]) -> [[Float]] {
    if intermediateLogProbabilityStorage.count != observations.count {
      intermediateLogProbabilityStorage = Array(repeating: [], count: observations.count)
    }
    for k in observations.indices {
      let logProbabilities = sampleActions(observations[k], into: &intermediateSample).logProbabilities
      intermediateLogProbabilityStorage[k].prepare(count: logProbabilities.count)
      for b in logProbabilities.indices { intermediateLogProbabilityStorage[k][b] = logProbabilities[b] }
    }
    return intermediateLogProbabilityStorage
  }

  /// Standard-normal noise `[actions x batch]` for the reparameterised actor sample (in storage the next call
  /// rewrites).
  func noise(columns: Int) -> Matrix {
    actorNoise.prepare(rows: core.box.count, columns: columns)
    for k in 0..<actorNoise.count { actorNoise.scalars[k] = Float(updateRandom.normal()) }
    return actorNoise
  }

  /// One update of the critics, the actor, the temperature and the target critics.
  public func update(_ batch: TransitionBatch, index: Int) throws {
    let alpha = temperature.alpha
    let step = core.environmentSteps
    // Critics: regress both onto the soft n-step target of the target critics.
    let next = sampleActions(batch.nextObservations, into: &nextSample)
    let (q1, q2) = critics.targetValues(observations: batch.nextObservations, actions: next.actions)
    let intermediateLogProbabilities = sampleIntermediateLogProbabilities(batch.intermediateObservations)
    let y = criticTarget.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ1: q1, targetQ2: q2,
      nextLogProbabilities: next.logProbabilities, intermediateDiscounts: batch.intermediateDiscounts,
      intermediateLogProbabilities: intermediateLogProbabilities, alpha: alpha)
    let (criticLoss, qMean) = critics.update(observations: batch.observations, actions: batch.actions, targets: y)
    try requireFinite(criticLoss, "SAC critic loss", step: step)
    // Actor: minimise mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)) with a reparameterised sample.
    actor.model.zeroGradients()
    let output = actor.model.forward(batch.observations)
    let actorLoss = SACActorLoss(alpha: alpha).evaluate(
      actorOutput: output, observations: batch.observations, noise: noise(columns: output.columns), policy: policy,
      critics: critics, reusing: &actorLossBuffers)
    try requireFinite(actorLoss.loss, "SAC actor loss", step: step)
    _ = actor.model.backward(actorLoss.outputGradient, accumulateParameterGradients: true)
    if actor.afterBackward() { actorOptimizer.step() }
    // Temperature: towards the target entropy.
    let logProbabilities = actorLoss.sample.logProbabilities
    let temperatureLoss = temperature.update(logProbabilities: logProbabilities)
    // Targets: Polyak averaging.
    critics.updateTargets(tau: Float(config.tau))
    core.statistics.addCritic(loss: criticLoss, qMean: qMean)
    core.statistics.addActor(
      loss: actorLoss.loss, entropy: -logProbabilities.reduce(0, +) / Float(max(logProbabilities.count, 1)),
      temperatureLoss: temperatureLoss)
  }

  /// The actor with the reparameterised actor loss at the current alpha (noise drawn from a generator seeded by
  /// the update count, so measuring does not move the training streams), and the critics with the last targets.
  public func diagnosedNetworks(_ batch: TransitionBatch) -> [DiagnosedNetwork] {
    var random = RandomGenerator(seed: UInt64(core.updates))
    var noise = Matrix(rows: core.box.count, columns: batch.count)
    for k in 0..<noise.count { noise.scalars[k] = Float(random.normal()) }
    let observations = batch.observations
    let loss = SACActorLoss(alpha: temperature.alpha)
    let actor = DiagnosedNetwork(role: "actor", model: actor.model, inputs: observations) { samples in
      let inputs = observations.selectingColumns(samples)
      self.actor.model.zeroGradients()
      let output = self.actor.model.forward(inputs)
      let result = loss.evaluate(
        actorOutput: output, observations: inputs, noise: noise.selectingColumns(samples), policy: self.policy,
        critics: self.critics)
      _ = self.actor.model.backward(result.outputGradient, accumulateParameterGradients: true)
    }
    return [actor] + critics.diagnosed(observations: observations, actions: batch.actions, targets: lastTargets)
  }

  public var algorithmMetricNames: [String] { ["alpha", "alpha_loss", "entropy"] }

  public func algorithmMetrics() -> [String: Double] {
    [
      "alpha": Double(temperature.alpha), "alpha_loss": core.statistics.meanTemperatureLoss,
      "entropy": core.statistics.meanEntropy,
    ]
  }

  public func algorithmArchive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["actor"] = .archive(try actor.archive())
    archive["actor_optimizer"] = .archive(actorOptimizer.archive())
    archive["critics"] = .archive(try critics.archive())
    archive["temperature"] = .archive(temperature.archive())
    archive["update_random"] = .generator(updateRandom)
    return archive
  }

  public func loadAlgorithm(_ archive: BinaryArchive) throws {
    try actor.load(archive.archive("actor"))
    try actorOptimizer.load(from: archive.archive("actor_optimizer"))
    try critics.load(archive.archive("critics"))
    try temperature.load(archive.archive("temperature"))
    updateRandom = try archive.generator("update_random")
  }
}
