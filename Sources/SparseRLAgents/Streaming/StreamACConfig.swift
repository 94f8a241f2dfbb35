/// The settings of Stream AC(lambda) (Elsayed, Vasan & Mahmood 2024) for continuous actions. Defaults are the
/// paper's: networks 128 x 2 with LayerNorm (no affine) and LeakyReLU, `sparse_init` at 90%, ObGD with alpha 1,
/// gamma 0.99, lambda 0.8, kappa 3 (policy) and 2 (value), entropy coefficient 0.01, observation normalisation
/// and reward scaling, batch size 1, no replay.
public struct StreamACConfig: Codable, Equatable, Sendable, ConfigValidatable {
  /// The policy network (outputs the mean and the pre-softplus standard deviation of each action).
  public var actorNetwork = StreamingNetworkSettings()
  /// The value network.
  public var criticNetwork = StreamingNetworkSettings()
  /// A static mask on the policy network (`method: static`), applied after the initialisation.
  public var actorSparsity = NetworkSparsity()
  /// A static mask on the value network.
  public var criticSparsity = NetworkSparsity()
  /// ObGD's step size alpha.
  public var learningRate = 1.0
  /// Discount.
  public var gamma = 0.99
  /// Trace decay.
  public var lambda = 0.8
  /// ObGD's overshooting bound for the policy.
  public var kappaPolicy = 3.0
  /// ObGD's overshooting bound for the value.
  public var kappaValue = 2.0
  /// Weight of the entropy bonus, whose sign follows the TD error's.
  public var entropyCoefficient = 0.01
  /// Normalise observations with running statistics.
  public var normalizeObservations = true
  /// Divide rewards by the running std of the discounted return.
  public var scaleRewards = true
  /// Report training statistics every this many environment steps.
  public var logInterval = 1000
  /// Diagnostics of both networks on the most recent `diagnostics_window` transitions.
  public var diagnostics = StreamACConfig.defaultDiagnostics
  /// Transitions kept for the diagnostics and ReDo (0 when both are off).
  public var diagnosticsWindow = 256
  /// ReDo on both networks, on the same recent transitions.
  public var redo = ReDoSettings()

  /// Streaming updates are cheap: diagnostics every 10,000 updates by default.
  public static var defaultDiagnostics: DiagnosticsSettings {
    var settings = DiagnosticsSettings()
    settings.interval = 10_000
    return settings
  }

  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    actorNetwork.validate(path: sub("actor_network"), issues: &issues)
    criticNetwork.validate(path: sub("critic_network"), issues: &issues)
    actorSparsity.validateStreaming(path: sub("actor_sparsity"), issues: &issues)
    criticSparsity.validateStreaming(path: sub("critic_sparsity"), issues: &issues)
    check(learningRate > 0, path, "learning_rate", "must be positive, got \(learningRate)", &issues)
    check((0...1).contains(gamma), path, "gamma", "must be in [0, 1], got \(gamma)", &issues)
    check((0...1).contains(lambda), path, "lambda", "must be in [0, 1], got \(lambda)", &issues)
    check(kappaPolicy > 0, path, "kappa_policy", "must be positive, got \(kappaPolicy)", &issues)
    check(kappaValue > 0, path, "kappa_value", "must be positive, got \(kappaValue)", &issues)
    check(
      entropyCoefficient >= 0, path, "entropy_coefficient", "must be non-negative, got \(entropyCoefficient)", &issues)
    check(logInterval > 0, path, "log_interval", "must be positive, got \(logInterval)", &issues)
    diagnostics.validate(path: sub("diagnostics"), issues: &issues)
    redo.validate(path: sub("redo"), issues: &issues)
    check(
      diagnosticsWindow >= 2 || (diagnostics.interval == 0 && redo.interval == 0), path, "diagnostics_window",
      "must be at least 2 while diagnostics or ReDo are on, got \(diagnosticsWindow)", &issues)
  }
}

extension NetworkSparsity {
  /// Streaming agents learn from one transition at a time and have no batch for a topology method to score:
  /// only dense networks and static masks fit them.
  func validateStreaming(path: String, issues: inout [ConfigIssue]) {
    validate(path: path, issues: &issues)
    check(
      method == .dense || method == .static, path, "method",
      "streaming agents support dense or static masks, got \(method.rawValue)", &issues)
  }
}
