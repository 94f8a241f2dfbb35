/// SAC's configuration (Haarnoja et al. 2018, with RLx2's published settings as defaults).
///
/// The defaults are dense SAC: tanh-Gaussian actor and twin critics 2x256 ReLU, log std in [-5, 2], batch
/// 256, gamma 0.99, tau 0.005, Adam 3e-4 for actor, critics and temperature, alpha0 = 1 tuned towards the
/// target entropy -|A|, actor and targets updated every step, 25,000 random warm-up steps, a 3e6 replay ring
/// (RLx2's maximum; minimum 2e5), one-step targets. RLx2 and the paper's baselines: `SparseTrainingVariant`.
public struct SACConfig: Codable, Equatable, Sendable, ConfigValidatable, ActorCriticConfig {
  /// The actor network (outputs the mean and the raw log std of each action dimension).
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
  /// Polyak coefficient of the target critics.
  public var tau = 0.005
  /// Adam learning rate of the actor.
  public var actorLearningRate = 3e-4
  /// Adam learning rate of the critics.
  public var criticLearningRate = 3e-4
  /// Coupled L2 weight decay of the actor's and critics' Adam (0 as published; the State of Sparse Training
  /// sweeps it for SAC).
  public var weightDecay = 0.0
  /// Adam learning rate of log alpha.
  public var temperatureLearningRate = 3e-4
  /// alpha0.
  public var initialTemperature = 1.0
  /// Learn alpha (otherwise it stays at `initial_temperature`).
  public var learnTemperature = true
  /// The target entropy is `-target_entropy_scale * |A|`.
  public var targetEntropyScale = 1.0
  /// Bounds of the actor's log std.
  public var minLogStd = -5.0
  /// The upper bound of the actor's log std.
  public var maxLogStd = 2.0
  /// Uniformly random actions for this many environment steps; updates start after them.
  public var warmupSteps = 25_000
  /// n of the multi-step TD target once `n_step_delay` updates have passed (RLx2: 3).
  public var nStep = 1
  /// One-step targets for this many updates first (RLx2: 300,000).
  public var nStepDelay = 0
  /// Replay ring and RLx2's dynamic capacity (max 3e6, min 2e5).
  public var replay = ReplaySettings(capacity: 3_000_000, minCapacity: 200_000)
  /// Environment steps between `train` metric reports.
  public var logInterval = 1000

  public static var actorOutputsPerAction: Int { 2 }

  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    validateActorCritic(path: path, issues: &issues)
    check(
      temperatureLearningRate > 0, path, "temperature_learning_rate",
      "must be positive, got \(temperatureLearningRate)", &issues)
    check(initialTemperature > 0, path, "initial_temperature", "must be positive, got \(initialTemperature)", &issues)
    check(
      minLogStd < maxLogStd, path, "max_log_std", "must exceed min_log_std (\(minLogStd)), got \(maxLogStd)", &issues)
  }
}
