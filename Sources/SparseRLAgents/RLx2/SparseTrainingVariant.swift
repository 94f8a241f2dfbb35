/// The settings TD3 and SAC share, so that RLx2 and the paper's baselines are written once for both.
public protocol ActorCriticConfig: ConfigValidatable {
  /// The actor network.
  var actor: NetworkArchitecture { get set }
  /// Each critic network.
  var critic: NetworkArchitecture { get set }
  /// Sparsity of the actor.
  var actorSparsity: NetworkSparsity { get set }
  /// Sparsity of each critic.
  var criticSparsity: NetworkSparsity { get set }
  /// Minibatch size.
  var batchSize: Int { get set }
  /// Discount.
  var gamma: Double { get set }
  /// Polyak coefficient of the targets.
  var tau: Double { get set }
  /// Adam learning rate of the actor.
  var actorLearningRate: Double { get set }
  /// Adam learning rate of the critics.
  var criticLearningRate: Double { get set }
  /// Coupled L2 weight decay of the actor's and critics' Adam (PyTorch `Adam(weight_decay:)`, as DQN and PPO).
  var weightDecay: Double { get set }
  /// Random warm-up steps.
  var warmupSteps: Int { get set }
  /// n of the multi-step target after the delay.
  var nStep: Int { get set }
  /// One-step updates before n-step targets.
  var nStepDelay: Int { get set }
  /// Replay ring and dynamic capacity.
  var replay: ReplaySettings { get set }
  /// Environment steps between `train` reports.
  var logInterval: Int { get set }
  /// Actor outputs per action dimension (TD3: 1, the action; SAC: 2, mean and log std).
  static var actorOutputsPerAction: Int { get }
}

/// RLx2 and the baselines of its paper, as configurations of TD3 and SAC (Tan et al., ICLR 2023).
public enum SparseTrainingVariant: String, ConfigChoice {
  /// The dense agent as published.
  case dense
  /// Tiny: a dense agent whose hidden widths are scaled so that each network has (about) the active weight
  /// count of the sparse one.
  case tiny
  /// SS: a static random sparse mask (ER allocation).
  case `static`
  /// SET: drop by magnitude, grow at random, every 10,000 updates (zeta0 0.5, cosine decay).
  case set
  /// RigL: drop by magnitude, grow by dense-gradient magnitude, every 10,000 updates (RLx2 without its
  /// value-learning parts).
  case rigl
  /// RLx2: RigL with the largest-magnitude initial mask, the delayed 3-step target (after 300,000 updates)
  /// and the dynamic-capacity buffer.
  case rlx2
}

extension ActorCriticConfig {
  /// This configuration turned into `variant` at the given actor and critic sparsities (ignored for `dense`).
  /// `observationWidth` and `actionWidth` size Tiny's networks. Everything not named by the variant is kept,
  /// so a configuration names only what differs from the published defaults.
  public func variant(
    _ variant: SparseTrainingVariant, actorSparsity: Double, criticSparsity: Double, observationWidth: Int,
    actionWidth: Int
  ) -> Self {
    var result = self
    func sparse(_ method: SparsityMethod, _ level: Double) -> NetworkSparsity {
      var settings = NetworkSparsity(method: method, sparsity: level)
      settings.distribution = .erdosRenyi
      settings.updateInterval = 10_000
      settings.dropFraction = 0.5
      settings.dropFractionDecay = .cosine
      if variant == .rlx2 { settings.initialMask = .largestMagnitude }
      return settings
    }
    switch variant {
    case .dense:
      break
    case .tiny:
      result.actor.widthMultiplier = Self.tinyWidthMultiplier(
        hiddenSizes: actor.hiddenSizes, inputs: observationWidth, outputs: Self.actorOutputsPerAction * actionWidth,
        density: 1 - actorSparsity)
      result.critic.widthMultiplier = Self.tinyWidthMultiplier(
        hiddenSizes: critic.hiddenSizes, inputs: observationWidth + actionWidth, outputs: 1,
        density: 1 - criticSparsity)
    case .static, .set, .rigl, .rlx2:
      let method: SparsityMethod = variant == .static ? .static : (variant == .set ? .set : .rigl)
      result.actorSparsity = sparse(method, actorSparsity)
      result.criticSparsity = sparse(method, criticSparsity)
    }
    if variant == .rlx2 {
      result.nStep = 3
      result.nStepDelay = 300_000
      result.replay.dynamicCapacity = true
    }
    return result
  }

  /// The width multiplier that gives a dense MLP with `hiddenSizes` about `density` times its weight count
  /// (biases ignored, as the paper counts): solves `W(m) = density * W(1)` by bisection, where
  /// `W(m) = inputs h1 m + h1 h2 m^2 + ... + h_L m outputs`.
  public static func tinyWidthMultiplier(hiddenSizes: [Int], inputs: Int, outputs: Int, density: Double) -> Double {
    func weights(_ m: Double) -> Double {
      let widths = [Double(inputs)] + hiddenSizes.map { Double($0) * m } + [Double(outputs)]
      return zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let goal = density * weights(1)
    var (low, high) = (0.0, 1.0)
    for _ in 0..<60 {
      let middle = (low + high) / 2
      if weights(middle) < goal { low = middle } else { high = middle }
    }
    return (low + high) / 2
  }

  /// The checks TD3 and SAC share.
  func validateActorCritic(path: String, issues: inout [ConfigIssue]) {
    let prefix = path.isEmpty ? "" : path + "."
    actor.validate(path: prefix + "actor", issues: &issues)
    critic.validate(path: prefix + "critic", issues: &issues)
    actorSparsity.validate(path: prefix + "actor_sparsity", issues: &issues)
    criticSparsity.validate(path: prefix + "critic_sparsity", issues: &issues)
    replay.validate(path: prefix + "replay", issues: &issues)
    check(
      actor.kind == .mlp, path, "actor.kind", "must be mlp for vector observations, got \(actor.kind.rawValue)", &issues
    )
    check(critic.kind == .mlp, path, "critic.kind", "must be mlp, got \(critic.kind.rawValue)", &issues)
    check(batchSize > 0, path, "batch_size", "must be positive, got \(batchSize)", &issues)
    check(gamma > 0 && gamma <= 1, path, "gamma", "must be in (0, 1], got \(gamma)", &issues)
    check(tau > 0 && tau <= 1, path, "tau", "must be in (0, 1], got \(tau)", &issues)
    check(actorLearningRate > 0, path, "actor_learning_rate", "must be positive, got \(actorLearningRate)", &issues)
    check(criticLearningRate > 0, path, "critic_learning_rate", "must be positive, got \(criticLearningRate)", &issues)
    check(weightDecay >= 0, path, "weight_decay", "must be non-negative, got \(weightDecay)", &issues)
    check(warmupSteps >= 0, path, "warmup_steps", "must be non-negative, got \(warmupSteps)", &issues)
    check(nStep >= 1, path, "n_step", "must be at least 1, got \(nStep)", &issues)
    check(nStepDelay >= 0, path, "n_step_delay", "must be non-negative, got \(nStepDelay)", &issues)
    check(logInterval > 0, path, "log_interval", "must be positive, got \(logInterval)", &issues)
  }
}
