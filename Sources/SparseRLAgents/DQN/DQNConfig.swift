/// The settings of a DQN agent. Defaults are the classic-control settings of "The State of Sparse Training in
/// Deep RL" (Graesser et al., ICML 2022): Q-network MLP 2x512 ReLU, Adam 1e-3, batch 128, replay 1e5, 1000
/// random warm-up steps, hard target update every 100 steps, gamma 0.99, MSE TD loss, one update per
/// environment step; for sparse methods the paper's best classic-control settings (weight decay 1e-6,
/// ΔT 1000, f0 0.5, sparsity-aware initialisation).
///
/// Exploration: ε decays linearly from `epsilon_start` to `epsilon_end` over `exploration_fraction` of the
/// steps that follow `learning_starts`, then stays at `epsilon_end` (Dopamine's `linearly_decaying_epsilon`,
/// with the decay period given as a fraction of training as in CleanRL). During the warm-up actions are
/// uniformly random. Default: 1.0 -> 0.01 over 10% of training (Dopamine's classic-control ε_train is 0.01).
public struct DQNConfig: Codable, Equatable, Sendable, ConfigValidatable {
  /// The Q-network: an MLP for vector observations, `minatar_cnn` or `nature_cnn` for images.
  public var network = NetworkArchitecture(hiddenSizes: [512, 512], activation: .relu)
  /// How the Q-network is made sparse (the target network follows its mask).
  public var sparsity = DQNConfig.defaultSparsity
  /// Adam's step size.
  public var learningRate = 1e-3
  /// Adam's ε (added to the denominator).
  public var adamEpsilon = 1e-8
  /// lambda of the weight decay (see `weight_decay_kind`).
  public var weightDecay = 1e-6
  /// How `weight_decay` acts: `coupled` (PyTorch Adam, every parameter), `kernel_l2` (Keras L2 on the weight
  /// matrices only, the State of Sparse Training code) or `decoupled` (AdamW).
  public var weightDecayKind = WeightDecayKind.coupled
  /// Transitions per gradient update.
  public var batchSize = 128
  /// Replay capacity (observation slots).
  public var bufferSize = 100_000
  /// Environment steps with uniformly random actions before the first update.
  public var learningStarts = 1000
  /// One gradient update every this many environment steps (after `learning_starts`).
  public var trainFrequency = 1
  /// Discount.
  public var gamma = 0.99
  /// n of the n-step return (windows stop at terminals and truncations, see `ReplayBuffer`).
  public var nSteps = 1
  /// TD loss: `mse` or `huber`.
  public var loss = ValueLoss.mse
  /// Double DQN: the next action is the online network's argmax, valued by the target network.
  public var doubleDQN = false
  /// The target network is updated every this many environment steps (after `learning_starts`).
  public var targetUpdateInterval = 100
  /// Weight of the online network in a target update: 1 copies it (hard update), less averages
  /// (`target = (1 - tau) target + tau online`; use with `target_update_interval: 1` for soft updates).
  public var tau = 1.0
  /// ε at the start of exploration.
  public var epsilonStart = 1.0
  /// ε after the decay.
  public var epsilonEnd = 0.01
  /// Fraction of the post-warm-up steps over which ε decays.
  public var explorationFraction = 0.1
  /// Rewards are clipped to `[-reward_clipping, reward_clipping]` before they are stored (0: not clipped; Atari
  /// DQN uses 1). Episode returns are reported unclipped.
  public var rewardClipping = 0.0
  /// Observations are multiplied by this before they enter the Q-network (1/255 for Atari's byte frames); replay
  /// stores them unscaled.
  public var observationScale = 1.0
  /// Clip the global gradient norm to this value (0: no clipping).
  public var maxGradientNorm = 0.0
  /// Report training statistics every this many environment steps.
  public var logInterval = 1000
  /// Training diagnostics of the Q-network (dormant units, srank, norms, interference), on the update's batch.
  public var diagnostics = DiagnosticsSettings()
  /// ReDo: recycle the Q-network's dormant units on the update's batch (off by default).
  public var redo = ReDoSettings()

  /// The defaults.
  public static let defaults = DQNConfig()

  /// Dense, with the paper's best classic-control settings ready for a sparse method (ΔT 1000, f0 0.5,
  /// sparsity-aware initialisation).
  public static var defaultSparsity: NetworkSparsity {
    var sparsity = NetworkSparsity()
    sparsity.updateInterval = 1000
    sparsity.dropFraction = 0.5
    sparsity.sparsityAwareInit = true
    return sparsity
  }

  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    network.validate(path: path.isEmpty ? "network" : "\(path).network", issues: &issues)
    sparsity.validate(path: path.isEmpty ? "sparsity" : "\(path).sparsity", issues: &issues)
    check(learningRate > 0, path, "learning_rate", "must be positive, got \(learningRate)", &issues)
    check(adamEpsilon > 0, path, "adam_epsilon", "must be positive, got \(adamEpsilon)", &issues)
    check(weightDecay >= 0, path, "weight_decay", "must be non-negative, got \(weightDecay)", &issues)
    check(batchSize > 0, path, "batch_size", "must be positive, got \(batchSize)", &issues)
    check(bufferSize >= 2, path, "buffer_size", "must be at least 2, got \(bufferSize)", &issues)
    check(learningStarts >= 0, path, "learning_starts", "must be non-negative, got \(learningStarts)", &issues)
    check(trainFrequency > 0, path, "train_frequency", "must be positive, got \(trainFrequency)", &issues)
    check((0...1).contains(gamma), path, "gamma", "must be in [0, 1], got \(gamma)", &issues)
    check(nSteps >= 1, path, "n_steps", "must be at least 1, got \(nSteps)", &issues)
    check(
      targetUpdateInterval > 0, path, "target_update_interval", "must be positive, got \(targetUpdateInterval)",
      &issues)
    check(tau > 0 && tau <= 1, path, "tau", "must be in (0, 1], got \(tau)", &issues)
    check((0...1).contains(epsilonStart), path, "epsilon_start", "must be in [0, 1], got \(epsilonStart)", &issues)
    check((0...1).contains(epsilonEnd), path, "epsilon_end", "must be in [0, 1], got \(epsilonEnd)", &issues)
    check(
      (0...1).contains(explorationFraction), path, "exploration_fraction",
      "must be in [0, 1], got \(explorationFraction)", &issues)
    check(rewardClipping >= 0, path, "reward_clipping", "must be >= 0 (0: off), got \(rewardClipping)", &issues)
    check(
      observationScale > 0 && observationScale.isFinite, path, "observation_scale",
      "must be positive and finite, got \(observationScale)", &issues)
    check(maxGradientNorm >= 0, path, "max_gradient_norm", "must be >= 0 (0: off), got \(maxGradientNorm)", &issues)
    check(logInterval > 0, path, "log_interval", "must be positive, got \(logInterval)", &issues)
    diagnostics.validate(path: path.isEmpty ? "diagnostics" : "\(path).diagnostics", issues: &issues)
    redo.validate(path: path.isEmpty ? "redo" : "\(path).redo", issues: &issues)
  }

  /// The ε schedule for a run of `totalSteps` environment steps, indexed by steps since `learning_starts`.
  func epsilonSchedule(totalSteps: Int) -> LinearSchedule {
    let decaySteps = Int((Double(max(totalSteps - learningStarts, 0)) * explorationFraction).rounded())
    return LinearSchedule(start: epsilonStart, end: epsilonEnd, duration: decaySteps)
  }
}
