/// TD3's configuration (Fujimoto et al. 2018, with RLx2's published settings as defaults): the shared
/// off-policy settings and `TD3Settings`.
///
/// The defaults are dense TD3: actor and twin critics 2x256 ReLU, batch 256, gamma 0.99, tau 0.005, Adam
/// 3e-4, Gaussian exploration noise 0.1, target policy noise 0.2 clipped to 0.5, actor and targets updated
/// every 2nd critic update, 25,000 random warm-up steps, a 1e6 replay ring, one-step targets.
/// RLx2 and the paper's baselines are configurations of the same agent: see `SparseTrainingVariant` and
/// `OffPolicyConfig.variant(_:actorSparsity:criticSparsity:observationWidth:actionWidth:)`.
public typealias TD3Config = OffPolicyConfig<TD3Settings>

/// What only TD3 has: its exploration and target-smoothing noise and its policy delay. Noise values are in
/// units of the normalised action `[-1, 1]` (i.e. fractions of a_max, as in TD3's code).
public struct TD3Settings: OffPolicyAlgorithmSettings {
  /// The defaults written below.
  public init() {}

  /// Standard deviation of the Gaussian exploration noise.
  public var explorationNoise = 0.1
  /// Standard deviation of the target policy smoothing noise.
  public var targetPolicyNoise = 0.2
  /// The smoothing noise is clipped to `[-target_noise_clip, target_noise_clip]`.
  public var targetNoiseClip = 0.5
  /// The actor and the targets are updated every this many critic updates.
  public var policyDelay = 2

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(explorationNoise >= 0, path, "exploration_noise", "must be non-negative, got \(explorationNoise)", &issues)
    check(
      targetPolicyNoise >= 0, path, "target_policy_noise", "must be non-negative, got \(targetPolicyNoise)", &issues)
    check(targetNoiseClip >= 0, path, "target_noise_clip", "must be non-negative, got \(targetNoiseClip)", &issues)
    check(policyDelay >= 1, path, "policy_delay", "must be at least 1, got \(policyDelay)", &issues)
  }

  // What the off-policy core needs to know about TD3.
  public typealias AgentType = TD3Agent
  public static var kind: AgentKind { .td3 }
  public static var actorOutputsPerAction: Int { 1 }
  public static var defaultShared: OffPolicySettings {
    OffPolicySettings(replay: ReplaySettings(capacity: 1_000_000, minCapacity: 100_000))
  }
}
