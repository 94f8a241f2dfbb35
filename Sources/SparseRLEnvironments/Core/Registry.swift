/// How to build one registered environment id.
public struct EnvironmentSpec: Sendable {
  /// Versioned id, e.g. `CartPole-v1`.
  public let id: String
  /// The time limit that is part of the registration (`nil`: none). `make` wraps the environment in a
  /// `TimeLimit` of this many steps.
  public let maxEpisodeSteps: Int?
  /// Gymnasium's reward threshold for "solved", when it has one.
  public let rewardThreshold: Double?
  /// Builds the bare environment (without the time limit).
  public let make: @Sendable () throws -> any Environment

  public init(
    id: String, maxEpisodeSteps: Int?, rewardThreshold: Double? = nil,
    make: @escaping @Sendable () throws -> any Environment
  ) {
    self.id = id
    self.maxEpisodeSteps = maxEpisodeSteps
    self.rewardThreshold = rewardThreshold
    self.make = make
  }
}

/// The registry of versioned environment ids. Each family of environments contributes its specs in its
/// own folder (`ClassicControl`, `MinAtar`, `MuJoCo`); this type only gathers them.
public enum EnvironmentRegistry {
  /// Every registered spec, by family.
  public static var specs: [EnvironmentSpec] {
    ClassicControl.specs + MinAtar.specs + MuJoCo.specs
  }
}
