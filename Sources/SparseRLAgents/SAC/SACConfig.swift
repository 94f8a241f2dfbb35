/// SAC's configuration (Haarnoja et al. 2018, with RLx2's published settings as defaults): the shared
/// off-policy settings and `SACSettings`.
///
/// The defaults are dense SAC: tanh-Gaussian actor and twin critics 2x256 ReLU, log std in [-5, 2], batch
/// 256, gamma 0.99, tau 0.005, Adam 3e-4 for actor, critics and temperature, alpha0 = 1 tuned towards the
/// target entropy -|A|, actor and targets updated every step, 25,000 random warm-up steps, a 3e6 replay ring
/// (RLx2's maximum; minimum 2e5), one-step targets. RLx2 and the paper's baselines: `SparseTrainingVariant`.
public typealias SACConfig = OffPolicyConfig<SACSettings>

/// What only SAC has: its temperature and the bounds of its policy's log std.
public struct SACSettings: OffPolicyAlgorithmSettings {
  /// The defaults written below.
  public init() {}

  /// Adam learning rate of log alpha.
  public var temperatureLearningRate = 3e-4
  /// alpha0.
  public var initialTemperature = 1.0
  /// Learn alpha (otherwise it stays at `initial_temperature`).
  public var learnTemperature = true
  /// The target entropy is `-target_entropy_scale * |A|` (1 in SAC's paper and RLx2; the State of Sparse
  /// Training's code uses 0.5).
  public var targetEntropyScale = 1.0
  /// Bounds of the actor's log std.
  public var minLogStd = -5.0
  /// The upper bound of the actor's log std.
  public var maxLogStd = 2.0

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(
      temperatureLearningRate > 0, path, "temperature_learning_rate",
      "must be positive, got \(temperatureLearningRate)", &issues)
    check(initialTemperature > 0, path, "initial_temperature", "must be positive, got \(initialTemperature)", &issues)
    check(
      targetEntropyScale >= 0, path, "target_entropy_scale", "must be non-negative, got \(targetEntropyScale)", &issues)
    check(
      minLogStd < maxLogStd, path, "max_log_std", "must exceed min_log_std (\(minLogStd)), got \(maxLogStd)", &issues)
  }

  // What the off-policy core needs to know about SAC.
  public typealias AgentType = SACAgent
  public static var kind: AgentKind { .sac }
  public static var actorOutputsPerAction: Int { 2 }
  public static var defaultShared: OffPolicySettings {
    OffPolicySettings(replay: ReplaySettings(capacity: 3_000_000, minCapacity: 200_000))
  }
}
