import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// TD3 (Fujimoto et al. 2018) on sparse networks, with RLx2's topology evolution, delayed multi-step target
/// and dynamic-capacity buffer as configuration options (`TD3Config`).
///
/// `OffPolicyCore` acts (random during the warm-up, then `clip(pi(s) + N(0, sigma^2), -1, 1)`), stores and
/// samples; this class is TD3's update, in the paper's order: the critics towards the clipped double-Q target
/// with target policy smoothing (`TD3Target`), and every `policy_delay`-th update the actor through critic 1
/// (`TD3ActorLoss`) and the Polyak update of all targets. Random streams of its own: `actor`, `critic1`,
/// `critic2` (initial weights and topology) and `smoothing` (target policy noise).
public final class TD3Agent: OffPolicyAgent {
  /// The configuration the agent was built from.
  public let config: TD3Config
  public let core: OffPolicyCore
  /// The actor with its target and optimizer.
  let policy: DeterministicActor
  /// The online actor network (`policy.network`).
  var actor: SparseNetwork { policy.network }
  let critics: TwinCritics
  /// Target policy smoothing noise.
  var smoothingRandom: RandomGenerator
  /// The critics' target (smoothing and clipped double-Q), with its buffers.
  var criticTarget: TD3Target
  /// The critic targets of the last update (the diagnostics' critic loss).
  var lastTargets: [Float] { criticTarget.lastValues }

  /// An agent training on `environment` (vector observations, box actions) for `totalSteps` steps.
  public init(config: TD3Config, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    core = try OffPolicyCore(config: config, environment: environment, seed: seed, totalSteps: totalSteps)
    self.config = config
    var random = RandomGenerator(seed: seed)
    policy = try DeterministicActor(
      settings: config.shared, observationWidth: core.observationWidth, actionCount: core.box.count,
      totalUpdates: max(1, core.totalUpdates / config.policyDelay), explorationNoise: config.explorationNoise,
      followedCritic: TD3ActorLoss.critic, random: &random)
    critics = try TwinCritics(
      settings: config.shared, observationWidth: core.observationWidth, actionWidth: core.box.count,
      totalUpdates: core.totalUpdates, random: &random)
    smoothingRandom = random.stream("smoothing")
    criticTarget = TD3Target(
      standardDeviation: Float(config.targetPolicyNoise), clip: Float(config.targetNoiseClip))
  }

  public var networks: [(role: String, network: SparseNetwork)] {
    [("actor", actor), ("critic1", critics.online[0]), ("critic2", critics.online[1])]
  }

  /// The deterministic policy's normalised actions `tanh(actor(s))` for observations `[width x batch]`.
  public func noiseFreeActions(_ observations: Matrix) -> Matrix { policy.noiseFreeActions(observations) }

  public func exploratoryAction(_ observation: Matrix, using random: inout RandomGenerator) -> (
    action: [Float], noiseFree: [Float]
  ) { policy.exploratoryAction(observation, using: &random) }

  public var usesIntermediateObservations: Bool { false }

  /// One critic update, and every `policy_delay`-th update the actor and target updates.
  public func update(_ batch: TransitionBatch, index: Int) throws {
    // Critics: regress both onto r + gamma^n min(Q1', Q2')(s', clip(pi'(s') + clip(eps, -c, c), -1, 1)).
    let targetActions = policy.targetActions(batch.nextObservations)
    let smoothedActions = criticTarget.smoothedActions(targetActions, using: &smoothingRandom)
    let (q1, q2) = critics.targetValues(observations: batch.nextObservations, actions: smoothedActions)
    let y = criticTarget.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ1: q1, targetQ2: q2)
    let (criticLoss, qMean) = critics.update(observations: batch.observations, actions: batch.actions, targets: y)
    try requireFinite(criticLoss, "TD3 critic loss", step: core.environmentSteps)
    core.statistics.addCritic(loss: criticLoss, qMean: qMean)
    guard index % config.policyDelay == 0 else { return }
    // Actor: maximise Q1(s, pi(s)).
    let actorLoss = try policy.update(
      batch.observations, critics: critics, what: "TD3 actor loss", step: core.environmentSteps)
    core.statistics.addActor(loss: actorLoss)
    // Targets: Polyak averaging of the actor and both critics.
    let tau = Float(config.tau)
    policy.updateTarget(tau: tau)
    critics.updateTargets(tau: tau)
  }

  /// The actor with the deterministic policy gradient loss through critic 1, and the critics with the last
  /// targets.
  public func diagnosedNetworks(_ batch: TransitionBatch) -> [DiagnosedNetwork] {
    [policy.diagnosed(observations: batch.observations, critics: critics)]
      + critics.diagnosed(observations: batch.observations, actions: batch.actions, targets: lastTargets)
  }

  public var algorithmMetricNames: [String] { [] }

  public func algorithmMetrics() -> [String: Double] { [:] }

  public func algorithmArchive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    try policy.archive(into: &archive)
    archive["critics"] = .archive(try critics.archive())
    archive["smoothing_random"] = .generator(smoothingRandom)
    return archive
  }

  public func loadAlgorithm(_ archive: BinaryArchive) throws {
    try policy.load(from: archive)
    try critics.load(archive.archive("critics"))
    smoothingRandom = try archive.generator("smoothing_random")
  }
}
