/// The settings of a PPO agent. Defaults are the MuJoCo settings of "The State of Sparse Training in Deep RL"
/// (Graesser et al., ICML 2022), which follow the standard PPO implementation (CleanRL, SB3): actor 2x64 tanh
/// and critic 2x64 tanh with orthogonal initialisation (output gains 0.01 and 1), Adam 3e-4 (ε 1e-5) annealed
/// linearly to 0, 2048 steps per rollout, 10 epochs of minibatches of 64, clip 0.2, GAE λ 0.95, γ 0.99, value
/// coefficient 0.5, global gradient-norm clip 0.5, observation and reward normalisation.
///
/// The sparsity sections default to dense with the paper's best PPO settings for RigL ready (ΔT 250, f0 0.3,
/// sparsity-aware initialisation; the paper pairs RigL with weight decay 1e-4, SET with 1e-6 / 100 / 0).
public struct PPOConfig: Codable, Equatable, Sendable, ConfigValidatable {
  /// The actor (policy) network: outputs logits for discrete actions, the mean for box actions.
  public var actorNetwork = PPOConfig.defaultNetwork(outputGain: 0.01)
  /// The critic (value) network.
  public var criticNetwork = PPOConfig.defaultNetwork(outputGain: 1)
  /// How the actor is made sparse (its step counts are the actor's gradient updates).
  public var actorSparsity = PPOConfig.defaultSparsity
  /// How the critic is made sparse.
  public var criticSparsity = PPOConfig.defaultSparsity
  /// Copies of the environment stepped together (sub-environment i is seeded with seed + i).
  public var numEnvs = 1
  /// Steps of each sub-environment per rollout.
  public var numSteps = 2048
  /// Adam's step size (the start value when annealed).
  public var learningRate = 3e-4
  /// Anneal the step size linearly to 0 over training.
  public var annealLearningRate = true
  /// Adam's ε.
  public var adamEpsilon = 1e-5
  /// lambda of both networks' weight decay (see `weight_decay_kind`).
  public var weightDecay = 0.0
  /// How `weight_decay` acts: `coupled` (PyTorch Adam, every parameter including log sigma), `kernel_l2`
  /// (Keras L2 on the weight matrices only, the State of Sparse Training code) or `decoupled` (AdamW).
  public var weightDecayKind = WeightDecayKind.coupled
  /// Passes over each rollout.
  public var updateEpochs = 10
  /// Samples per minibatch (the rollout is shuffled each epoch; a smaller last minibatch takes the rest).
  public var minibatchSize = 64
  /// Discount.
  public var gamma = 0.99
  /// GAE λ.
  public var gaeLambda = 0.95
  /// ε of the clipped surrogate objective.
  public var clipCoefficient = 0.2
  /// Clip the value loss around the rollout's values with the same ε (CleanRL's `clip_vloss`, on by default as
  /// there; the State of Sparse Training's PPO has no value clipping).
  public var clipValueLoss = true
  /// Weight of the value loss.
  public var valueCoefficient = 0.5
  /// Weight of the entropy bonus.
  public var entropyCoefficient = 0.0
  /// Global gradient-norm clip over both networks (0: off).
  public var maxGradientNorm = 0.5
  /// Normalise advantages within each minibatch.
  public var normalizeAdvantages = true
  /// Normalise observations with running statistics (per sub-environment, `ObservationNormalization`).
  public var normalizeObservations = true
  /// Scale rewards by the running standard deviation of the discounted return (`RewardScaling`).
  public var normalizeRewards = true
  /// Normalised observations are clipped to ±this.
  public var observationClip = 10.0
  /// Scaled rewards are clipped to ±this (when `normalize_rewards`).
  public var rewardClip = 10.0
  /// Initial log σ of the Gaussian policy (box actions).
  public var initialLogStd = 0.0

  /// The defaults.
  public static let defaults = PPOConfig()

  /// An MLP 2x64 tanh with orthogonal initialisation and the given output gain.
  public static func defaultNetwork(outputGain: Double) -> NetworkArchitecture {
    var network = NetworkArchitecture(hiddenSizes: [64, 64], activation: .tanh)
    network.initialization = .orthogonal
    network.outputGain = outputGain
    return network
  }

  /// Dense, with the paper's best PPO RigL settings ready (ΔT 250, f0 0.3, sparsity-aware initialisation).
  public static var defaultSparsity: NetworkSparsity {
    var sparsity = NetworkSparsity()
    sparsity.updateInterval = 250
    sparsity.dropFraction = 0.3
    sparsity.sparsityAwareInit = true
    return sparsity
  }

  public init() {}

  /// Samples per rollout.
  public var rolloutSize: Int { numEnvs * numSteps }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    actorNetwork.validate(path: sub("actor_network"), issues: &issues)
    criticNetwork.validate(path: sub("critic_network"), issues: &issues)
    actorSparsity.validate(path: sub("actor_sparsity"), issues: &issues)
    criticSparsity.validate(path: sub("critic_sparsity"), issues: &issues)
    check(numEnvs > 0, path, "num_envs", "must be positive, got \(numEnvs)", &issues)
    check(numSteps > 0, path, "num_steps", "must be positive, got \(numSteps)", &issues)
    check(learningRate > 0, path, "learning_rate", "must be positive, got \(learningRate)", &issues)
    check(adamEpsilon > 0, path, "adam_epsilon", "must be positive, got \(adamEpsilon)", &issues)
    check(weightDecay >= 0, path, "weight_decay", "must be non-negative, got \(weightDecay)", &issues)
    check(updateEpochs > 0, path, "update_epochs", "must be positive, got \(updateEpochs)", &issues)
    check(
      minibatchSize > 0 && minibatchSize <= max(rolloutSize, 1), path, "minibatch_size",
      "must be in 1...num_envs * num_steps (\(rolloutSize)), got \(minibatchSize)", &issues)
    check((0...1).contains(gamma), path, "gamma", "must be in [0, 1], got \(gamma)", &issues)
    check((0...1).contains(gaeLambda), path, "gae_lambda", "must be in [0, 1], got \(gaeLambda)", &issues)
    check(clipCoefficient > 0, path, "clip_coefficient", "must be positive, got \(clipCoefficient)", &issues)
    check(valueCoefficient >= 0, path, "value_coefficient", "must be non-negative, got \(valueCoefficient)", &issues)
    check(
      entropyCoefficient >= 0, path, "entropy_coefficient", "must be non-negative, got \(entropyCoefficient)",
      &issues)
    check(maxGradientNorm >= 0, path, "max_gradient_norm", "must be >= 0 (0: off), got \(maxGradientNorm)", &issues)
    check(observationClip > 0, path, "observation_clip", "must be positive, got \(observationClip)", &issues)
    check(rewardClip > 0, path, "reward_clip", "must be positive, got \(rewardClip)", &issues)
    check(initialLogStd.isFinite, path, "initial_log_std", "must be finite, got \(initialLogStd)", &issues)
  }
}
