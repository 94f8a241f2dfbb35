import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// DDPG (Lillicrap et al. 2016) on sparse networks, on the off-policy core SAC and TD3 share.
///
/// `OffPolicyCore` acts (random during the warm-up, then `clip(pi(s) + N(0, sigma^2), -1, 1)`), stores and
/// samples; this class is DDPG's update: its single critic towards `r + gamma^n Q'(s', pi'(s'))` (`DDPGTarget`,
/// no target smoothing), then, with every critic update, the actor along the deterministic policy gradient
/// through that critic (`TD3ActorLoss` with one critic) and the Polyak update of both targets. Random streams of
/// its own: `actor` and `critic1` (initial weights and topology).
public final class DDPGAgent: OffPolicyAgent {
  /// The configuration the agent was built from.
  public let config: DDPGConfig
  public let core: OffPolicyCore
  /// The actor with its target and optimizer.
  let policy: DeterministicActor
  /// The online actor network (`policy.network`).
  var actor: SparseNetwork { policy.network }
  /// The single critic (`critics.online[0]`) with its target and optimizer.
  let critics: TwinCritics
  /// The critic's target, with its buffer.
  var criticTarget = DDPGTarget()
  /// The critic targets of the last update (the diagnostics' critic loss).
  var lastTargets: [Float] { criticTarget.lastValues }

  /// An agent training on `environment` (vector observations, box actions) for `totalSteps` steps.
  public init(config: DDPGConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    core = try OffPolicyCore(config: config, environment: environment, seed: seed, totalSteps: totalSteps)
    self.config = config
    var random = RandomGenerator(seed: seed)
    policy = try DeterministicActor(
      settings: config.shared, observationWidth: core.observationWidth, actionCount: core.box.count,
      totalUpdates: core.totalUpdates, explorationNoise: config.explorationNoise, followedCritic: 0,
      random: &random)
    critics = try TwinCritics(
      settings: config.shared, observationWidth: core.observationWidth, actionWidth: core.box.count,
      totalUpdates: core.totalUpdates, random: &random, count: 1)
  }

  public var networks: [(role: String, network: SparseNetwork)] { [("actor", actor), ("critic1", critics.online[0])] }

  /// The deterministic policy's normalised actions `tanh(actor(s))` for observations `[width x batch]`.
  public func noiseFreeActions(_ observations: Matrix) -> Matrix { policy.noiseFreeActions(observations) }

  public func exploratoryAction(_ observation: Matrix, using random: inout RandomGenerator) -> (
    action: [Float], noiseFree: [Float]
  ) { policy.exploratoryAction(observation, using: &random) }

  public var usesIntermediateObservations: Bool { false }

  /// One update of the critic, the actor and both targets.
  public func update(_ batch: TransitionBatch, index: Int) throws {
    // Critic: regress onto r + gamma^n Q'(s', pi'(s')).
    let targetActions = policy.targetActions(batch.nextObservations)
    let targetQ = critics.targetValue(0, observations: batch.nextObservations, actions: targetActions)
    let y = criticTarget.values(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, targetQ: targetQ)
    let (criticLoss, qMean) = critics.update(observations: batch.observations, actions: batch.actions, targets: y)
    try requireFinite(criticLoss, "DDPG critic loss", step: core.environmentSteps)
    core.statistics.addCritic(loss: criticLoss, qMean: qMean)
    // Actor: maximise Q(s, pi(s)).
    let loss = try policy.update(
      batch.observations, critics: critics, what: "DDPG actor loss", step: core.environmentSteps)
    core.statistics.addActor(loss: loss)
    // Targets: Polyak averaging of the actor and the critic.
    let tau = Float(config.tau)
    policy.updateTarget(tau: tau)
    critics.updateTargets(tau: tau)
  }

  /// The actor with the deterministic policy gradient loss, and the critic with the last targets.
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
    return archive
  }

  public func loadAlgorithm(_ archive: BinaryArchive) throws {
    try policy.load(from: archive)
    try critics.load(archive.archive("critics"))
  }
}
