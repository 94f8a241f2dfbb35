import SparseRLEnvironments

/// The settings every off-policy actor-critic agent (SAC, TD3) shares, read by `OffPolicyCore` and the
/// networks. In YAML they sit in the agent's section beside the algorithm's own keys (`sac.batch_size`,
/// `sac.initial_temperature`).
public struct OffPolicySettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// The actor network.
  public var actor = NetworkArchitecture()
  /// Each critic network (input `concat(s, a)`, one output).
  public var critic = NetworkArchitecture()
  /// Sparsity of the actor (`actor_sparsity`).
  public var actorSparsity = NetworkSparsity()
  /// Sparsity of each critic (`critic_sparsity`).
  public var criticSparsity = NetworkSparsity()
  /// Minibatch size.
  public var batchSize = 256
  /// Discount.
  public var gamma = 0.99
  /// Polyak coefficient of the target networks.
  public var tau = 0.005
  /// Adam learning rate of the actor.
  public var actorLearningRate = 3e-4
  /// Adam learning rate of the critics.
  public var criticLearningRate = 3e-4
  /// lambda of the actor's and critics' weight decay (0 as RLx2 publishes; the State of Sparse Training sweeps
  /// it for SAC).
  public var weightDecay = 0.0
  /// How `weight_decay` acts: `coupled` (PyTorch Adam, every parameter), `kernel_l2` (Keras L2 on the weight
  /// matrices only, the State of Sparse Training code) or `decoupled` (AdamW).
  public var weightDecayKind = WeightDecayKind.coupled
  /// Rewards are multiplied by this before they are stored (the State of Sparse Training's SAC: 0.1).
  public var rewardScale = 1.0
  /// Uniformly random actions for this many environment steps; updates start after them.
  public var warmupSteps = 25_000
  /// n of the multi-step TD target once `n_step_delay` updates have passed (RLx2: 3).
  public var nStep = 1
  /// One-step targets for this many updates first (RLx2: 300,000).
  public var nStepDelay = 0
  /// Replay ring and RLx2's dynamic capacity.
  public var replay: ReplaySettings
  /// Environment steps between `train` metric reports.
  public var logInterval = 1000
  /// Updates per environment step after the warm-up (the update-to-data ratio; SimBa-SAC: 2).
  public var updatesPerStep = 1
  /// Normalise observations with their running mean and variance, `(o - mean) / sqrt(var + 1e-8)`, before every
  /// network sees them (SimBa). The statistics are updated only with the observations the agent acts on in
  /// training; the buffer stores raw observations, updates and evaluation normalise with the current statistics.
  public var normalizeObservations = false
  /// Training diagnostics of the actor and the critics (dormant units, srank, norms, interference) on the batch
  /// of every `diagnostics.interval`-th update.
  public var diagnostics = DiagnosticsSettings()
  /// ReDo: recycle the dormant units of the actor and the critics on the update's batch (off by default).
  public var redo = ReDoSettings()

  /// The shared defaults with the given replay settings.
  public init(replay: ReplaySettings) { self.replay = replay }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    let prefix = path.isEmpty ? "" : path + "."
    actor.validate(path: prefix + "actor", issues: &issues)
    critic.validate(path: prefix + "critic", issues: &issues)
    actorSparsity.validate(path: prefix + "actor_sparsity", issues: &issues)
    criticSparsity.validate(path: prefix + "critic_sparsity", issues: &issues)
    replay.validate(path: prefix + "replay", issues: &issues)
    for (network, key) in [(actor, "actor.kind"), (critic, "critic.kind")] {
      check(
        network.kind == .mlp || network.kind == .simba, path, key,
        "must be mlp or simba for vector observations, got \(network.kind.rawValue)", &issues)
    }
    check(batchSize > 0, path, "batch_size", "must be positive, got \(batchSize)", &issues)
    check(gamma > 0 && gamma <= 1, path, "gamma", "must be in (0, 1], got \(gamma)", &issues)
    check(tau > 0 && tau <= 1, path, "tau", "must be in (0, 1], got \(tau)", &issues)
    check(actorLearningRate > 0, path, "actor_learning_rate", "must be positive, got \(actorLearningRate)", &issues)
    check(criticLearningRate > 0, path, "critic_learning_rate", "must be positive, got \(criticLearningRate)", &issues)
    check(weightDecay >= 0, path, "weight_decay", "must be non-negative, got \(weightDecay)", &issues)
    check(
      rewardScale.isFinite && rewardScale > 0, path, "reward_scale", "must be positive, got \(rewardScale)", &issues)
    check(warmupSteps >= 0, path, "warmup_steps", "must be non-negative, got \(warmupSteps)", &issues)
    check(nStep >= 1, path, "n_step", "must be at least 1, got \(nStep)", &issues)
    check(nStepDelay >= 0, path, "n_step_delay", "must be non-negative, got \(nStepDelay)", &issues)
    check(logInterval > 0, path, "log_interval", "must be positive, got \(logInterval)", &issues)
    check(updatesPerStep >= 1, path, "updates_per_step", "must be at least 1, got \(updatesPerStep)", &issues)
    diagnostics.validate(path: prefix + "diagnostics", issues: &issues)
    redo.validate(path: prefix + "redo", issues: &issues)
  }
}

/// What an off-policy algorithm adds to `OffPolicySettings`: its own keys, its kind and its agent.
public protocol OffPolicyAlgorithmSettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// The agent these settings build.
  static var kind: AgentKind { get }
  /// The shared settings as the algorithm's paper publishes them.
  static var defaultShared: OffPolicySettings { get }
  /// Actor outputs per action dimension (TD3: 1, the action; SAC: 2, mean and log std).
  static var actorOutputsPerAction: Int { get }
  /// The agent these settings configure.
  associatedtype AgentType: OffPolicyAgent where AgentType.Settings == Self
  /// The algorithm's defaults.
  init()
}

/// The configuration of an off-policy actor-critic agent: the shared settings and the algorithm's own, one
/// flat YAML section (`sac:`, `td3:`). Both parts are readable and writable as if they were one struct
/// (`config.batchSize`, `config.initialTemperature`).
@dynamicMemberLookup
public struct OffPolicyConfig<Algorithm: OffPolicyAlgorithmSettings>: Codable, Equatable, Sendable {
  /// What every off-policy agent has.
  public var shared = Algorithm.defaultShared
  /// What only this algorithm has.
  public var algorithm = Algorithm()

  public init() {}

  /// A shared setting, read and written as if it were a field of this configuration (`config.batchSize`).
  public subscript<T>(dynamicMember keyPath: WritableKeyPath<OffPolicySettings, T>) -> T {
    get { shared[keyPath: keyPath] }
    set { shared[keyPath: keyPath] = newValue }
  }

  /// An algorithm-specific setting, read and written as if it were a field of this configuration (`config.policyDelay`).
  public subscript<T>(dynamicMember keyPath: WritableKeyPath<Algorithm, T>) -> T {
    get { algorithm[keyPath: keyPath] }
    set { algorithm[keyPath: keyPath] = newValue }
  }

  /// Decodes both parts from the same section.
  public init(from decoder: any Decoder) throws {
    shared = try OffPolicySettings(from: decoder)
    algorithm = try Algorithm(from: decoder)
  }

  /// Encodes both parts into the same section.
  public func encode(to encoder: any Encoder) throws {
    try shared.encode(to: encoder)
    try algorithm.encode(to: encoder)
  }
}

extension OffPolicyConfig: ConfigValidatable {
  public func validate(path: String, issues: inout [ConfigIssue]) {
    shared.validate(path: path, issues: &issues)
    algorithm.validate(path: path, issues: &issues)
  }
}

extension OffPolicyConfig: AgentConfiguration {
  public static var kind: AgentKind { Algorithm.kind }
  public func makeAgent(
    makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int
  ) throws -> any Agent {
    try Algorithm.AgentType(config: self, environment: makeEnvironment(), seed: seed, totalSteps: totalSteps)
  }
}
