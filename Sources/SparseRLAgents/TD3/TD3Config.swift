/// TD3's configuration (Fujimoto et al. 2018, with RLx2's published settings as defaults).
///
/// The defaults are dense TD3: actor and twin critics 2x256 ReLU, batch 256, gamma 0.99, tau 0.005, Adam
/// 3e-4, Gaussian exploration noise 0.1, target policy noise 0.2 clipped to 0.5, actor and targets updated
/// every 2nd critic update, 25,000 random warm-up steps, a 1e6 replay ring, one-step targets.
/// RLx2 and the paper's baselines are configurations of the same agent: see `SparseTrainingVariant` and
/// `TD3Config.variant(_:actorSparsity:criticSparsity:observationWidth:actionWidth:)`.
///
/// Noise values are in units of the normalised action `[-1, 1]` (i.e. fractions of a_max, as in TD3's code).
public struct TD3Config: Codable, Equatable, Sendable, ConfigValidatable, ActorCriticConfig {
  /// The actor network (outputs one value per action dimension, squashed by tanh).
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
  /// Coupled L2 weight decay of the actor's and critics' Adam (0 as published; the State of Sparse Training
  /// sweeps it for SAC).
  public var weightDecay = 0.0
  /// Uniformly random actions for this many environment steps; updates start after them.
  public var warmupSteps = 25_000
  /// Standard deviation of the Gaussian exploration noise.
  public var explorationNoise = 0.1
  /// Standard deviation of the target policy smoothing noise.
  public var targetPolicyNoise = 0.2
  /// The smoothing noise is clipped to `[-target_noise_clip, target_noise_clip]`.
  public var targetNoiseClip = 0.5
  /// The actor and the targets are updated every this many critic updates.
  public var policyDelay = 2
  /// n of the multi-step TD target once `n_step_delay` updates have passed (RLx2: 3).
  public var nStep = 1
  /// One-step targets for this many updates first (RLx2: 300,000).
  public var nStepDelay = 0
  /// Replay ring and RLx2's dynamic capacity (max 1e6, min 1e5).
  public var replay = ReplaySettings(capacity: 1_000_000, minCapacity: 100_000)
  /// Environment steps between `train` metric reports.
  public var logInterval = 1000

  public static var actorOutputsPerAction: Int { 1 }

  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    validateActorCritic(path: path, issues: &issues)
    check(explorationNoise >= 0, path, "exploration_noise", "must be non-negative, got \(explorationNoise)", &issues)
    check(
      targetPolicyNoise >= 0, path, "target_policy_noise", "must be non-negative, got \(targetPolicyNoise)", &issues)
    check(targetNoiseClip >= 0, path, "target_noise_clip", "must be non-negative, got \(targetNoiseClip)", &issues)
    check(policyDelay >= 1, path, "policy_delay", "must be at least 1, got \(policyDelay)", &issues)
  }
}
