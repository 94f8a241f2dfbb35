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

  /// A registration of `id`.
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
/// own folder (`ClassicControl`, `MinAtar`, `MuJoCo`, `DMC`, `Atari`); this type only gathers them.
public enum EnvironmentRegistry {
  /// Every registered spec, by family.
  public static var specs: [EnvironmentSpec] {
    ClassicControl.specs + MinAtar.specs + MuJoCo.specs + DMC.specs + Atari.specs
  }

  /// Every registered id, in registration order.
  public static var ids: [String] { specs.map(\.id) }

  /// The spec registered under `id`, or `EnvironmentError.unknownEnvironment` with the closest ids.
  public static func spec(_ id: String) throws -> EnvironmentSpec {
    let all = specs
    if let spec = all.first(where: { $0.id == id }) { return spec }
    if let spec = try DMC.optionSpec(id) { return spec }
    throw EnvironmentError.unknownEnvironment(
      id: id, suggestions: suggestions(for: id, among: all.map(\.id)))
  }

  /// Builds the registered environment `id` the way training uses it:
  /// `EpisodeStatistics(TimeLimit(bare, maxEpisodeSteps))` (the time limit only when the spec has one).
  ///
  /// Unlike `gymnasium.make`, episode statistics are recorded by default, because every training loop and
  /// evaluation needs the episode return and length; they only add two info keys at the end of an
  /// episode. Pass `recordEpisodeStatistics: false` for the time-limited environment alone.
  /// Throws `EnvironmentError.unknownEnvironment` (with the closest registered ids) for an unknown id.
  public static func make(_ id: String, recordEpisodeStatistics: Bool = true) throws
    -> any Environment
  {
    let spec = try spec(id)
    var environment = try spec.make()
    if let limit = spec.maxEpisodeSteps {
      environment = TimeLimit(environment, maxEpisodeSteps: limit)
    }
    if recordEpisodeStatistics { environment = EpisodeStatistics(environment) }
    return environment
  }

  /// Up to `limit` ids from `candidates` closest to `id` by case-insensitive edit distance, closest first:
  /// those within one edit of the closest, and within half the length of `id` (at least 3 edits).
  public static func suggestions(for id: String, among candidates: [String], limit: Int = 3)
    -> [String]
  {
    let scored = candidates.map { (id: $0, distance: editDistance(id, $0)) }
    guard let best = scored.map(\.distance).min() else { return [] }
    let threshold = min(max(3, id.count / 2), best + 1)
    return
      scored
      .filter { $0.distance <= threshold }
      .sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
      .prefix(limit)
      .map(\.id)
  }
}
