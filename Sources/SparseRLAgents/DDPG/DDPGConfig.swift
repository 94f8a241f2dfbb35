/// DDPG's configuration (Lillicrap et al. 2016, as the "OurDDPG" baseline of Fujimoto et al. 2018, whose settings
/// are the defaults): the shared off-policy settings and `DDPGSettings`.
///
/// The defaults are dense DDPG: actor and one critic 2x256 ReLU, batch 256, gamma 0.99, tau 0.005, Adam 3e-4,
/// Gaussian exploration noise 0.1, actor and targets updated with every critic update, 25,000 random warm-up
/// steps, a 1e6 replay ring, one-step targets. The sparse, RLx2 and SimBa options of the shared settings apply
/// as to TD3.
public typealias DDPGConfig = OffPolicyConfig<DDPGSettings>

/// What only DDPG has: its exploration noise, in units of the normalised action `[-1, 1]`.
public struct DDPGSettings: OffPolicyAlgorithmSettings {
  /// Standard deviation of the Gaussian exploration noise.
  public var explorationNoise = 0.1

  /// The defaults.
  public init() {}

  public typealias AgentType = DDPGAgent
  public static var kind: AgentKind { .ddpg }
  public static var actorOutputsPerAction: Int { 1 }
  public static var defaultShared: OffPolicySettings {
    OffPolicySettings(replay: ReplaySettings(capacity: 1_000_000, minCapacity: 100_000))
  }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(explorationNoise >= 0, path, "exploration_noise", "must be non-negative, got \(explorationNoise)", &issues)
  }
}
