/// The settings of Stream Q(lambda) (Elsayed, Vasan & Mahmood 2024) for discrete actions. Defaults are the
/// paper's: a 128 x 2 network with LayerNorm (no affine) and LeakyReLU, `sparse_init` at 90%, ObGD with alpha 1,
/// gamma 0.99, lambda 0.8, kappa 2, epsilon-greedy from 1 to 0.01 over 5% of training, observation
/// normalisation and reward scaling, batch size 1, no replay; traces reset after a non-greedy action.
public struct StreamQConfig: Codable, Equatable, Sendable, ConfigValidatable {
  /// The Q-network.
  public var network = StreamingNetworkSettings()
  /// A static mask on the Q-network (`method: static`).
  public var sparsity = NetworkSparsity()
  /// ObGD's step size alpha.
  public var learningRate = 1.0
  /// Discount.
  public var gamma = 0.99
  /// Trace decay.
  public var lambda = 0.8
  /// ObGD's overshooting bound.
  public var kappa = 2.0
  /// Epsilon at the first step.
  public var epsilonStart = 1.0
  /// Epsilon after the decay.
  public var epsilonEnd = 0.01
  /// Fraction of training over which epsilon decays linearly.
  public var explorationFraction = 0.05
  /// Normalise observations with running statistics.
  public var normalizeObservations = true
  /// Divide rewards by the running std of the discounted return.
  public var scaleRewards = true
  /// Report training statistics every this many environment steps.
  public var logInterval = 1000
  /// Diagnostics of the Q-network on the most recent `diagnostics_window` transitions.
  public var diagnostics = StreamACConfig.defaultDiagnostics
  /// Transitions kept for the diagnostics and ReDo.
  public var diagnosticsWindow = 256
  /// ReDo on the Q-network, on the same recent transitions.
  public var redo = ReDoSettings()

  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    network.validate(path: sub("network"), issues: &issues)
    sparsity.validateStreaming(path: sub("sparsity"), issues: &issues)
    check(learningRate > 0, path, "learning_rate", "must be positive, got \(learningRate)", &issues)
    check((0...1).contains(gamma), path, "gamma", "must be in [0, 1], got \(gamma)", &issues)
    check((0...1).contains(lambda), path, "lambda", "must be in [0, 1], got \(lambda)", &issues)
    check(kappa > 0, path, "kappa", "must be positive, got \(kappa)", &issues)
    check((0...1).contains(epsilonStart), path, "epsilon_start", "must be in [0, 1], got \(epsilonStart)", &issues)
    check((0...1).contains(epsilonEnd), path, "epsilon_end", "must be in [0, 1], got \(epsilonEnd)", &issues)
    check(
      explorationFraction > 0 && explorationFraction <= 1, path, "exploration_fraction",
      "must be in (0, 1], got \(explorationFraction)", &issues)
    check(logInterval > 0, path, "log_interval", "must be positive, got \(logInterval)", &issues)
    diagnostics.validate(path: sub("diagnostics"), issues: &issues)
    redo.validate(path: sub("redo"), issues: &issues)
    check(
      diagnosticsWindow >= 2 || (diagnostics.interval == 0 && redo.interval == 0), path, "diagnostics_window",
      "must be at least 2 while diagnostics or ReDo are on, got \(diagnosticsWindow)", &issues)
  }

  /// Epsilon at environment step `t` (1-based), as the paper's `linear_schedule`.
  func epsilon(atStep t: Int, totalSteps: Int) -> Double {
    let duration = max(explorationFraction * Double(totalSteps), 1)
    return max(epsilonStart + (epsilonEnd - epsilonStart) / duration * Double(t), epsilonEnd)
  }
}
