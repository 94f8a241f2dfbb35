import SparseRLNumerics

/// Replay settings of the off-policy continuous-control agents, including RLx2's dynamic capacity.
///
/// Without dynamic capacity the buffer is a ring of `capacity` slots. With it (RLx2), `capacity` is the
/// maximum: every `check_interval` environment steps the policy distance `D` over the oldest
/// `distance_batches * batch_size` transitions is measured, and when `D > distance_threshold` and the buffer
/// holds more than `min_capacity` transitions its oldest `removal_fraction` is dropped. Between checks the
/// buffer grows by one transition per environment step up to `capacity`.
public struct ReplaySettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// Ring capacity in slots (the maximum capacity with dynamic capacity).
  public var capacity = 1_000_000
  /// RLx2's dynamic capacity.
  public var dynamicCapacity = false
  /// No shrinking at or below this many transitions.
  public var minCapacity = 100_000
  /// Environment steps between policy-distance checks.
  public var checkInterval = 10_000
  /// D0: the buffer shrinks when the policy distance exceeds it.
  public var distanceThreshold = 0.2
  /// Fraction of the stored transitions dropped (oldest first) on a shrink.
  public var removalFraction = 0.1
  /// K = this many batches of the oldest transitions enter the policy distance (RLx2: 8).
  public var distanceBatches = 8
  /// The "stored action" of a warm-up transition, against which the policy distance is measured:
  /// `noise_free` (the untrained actor's noise-free action, the paper's definition of the stored action) or
  /// `taken` (the random action actually taken, as the authors' code stores it). With `taken` the distance over
  /// the oldest transitions starts above the 0.2 threshold and the buffer shrinks early; with `noise_free` it
  /// starts below it.
  public var warmupStoredAction = WarmupStoredAction.noiseFree

  /// A fixed capacity of 1e6 transitions (the dynamic rule off).
  public init() {}

  /// Settings with the given maximum and minimum capacity.
  public init(capacity: Int, minCapacity: Int) {
    self.capacity = capacity
    self.minCapacity = minCapacity
  }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(capacity >= 2, path, "capacity", "must be at least 2, got \(capacity)", &issues)
    check(
      minCapacity >= 0 && minCapacity < capacity, path, "min_capacity",
      "must be in [0, capacity = \(capacity)), got \(minCapacity)", &issues)
    check(checkInterval > 0, path, "check_interval", "must be positive, got \(checkInterval)", &issues)
    check(distanceThreshold >= 0, path, "distance_threshold", "must be non-negative, got \(distanceThreshold)", &issues)
    check(
      removalFraction > 0 && removalFraction < 1, path, "removal_fraction",
      "must be in (0, 1), got \(removalFraction)", &issues)
    check(distanceBatches > 0, path, "distance_batches", "must be positive, got \(distanceBatches)", &issues)
  }
}

/// Which action a warm-up transition stores for RLx2's policy distance (see `ReplaySettings`).
public enum WarmupStoredAction: String, ConfigChoice {
  /// The actor's noise-free action at the observation.
  case noiseFree = "noise_free"
  /// The uniformly random action that was executed.
  case taken
}

/// RLx2's dynamic-capacity rule: measures how far the current policy has drifted from the policy that
/// collected the oldest transitions, and drops the oldest ones when it has drifted too far.
public struct DynamicReplayCapacity: Sendable {
  /// The settings.
  public let settings: ReplaySettings
  /// K: transitions entering the policy distance.
  public let sampleCount: Int
  /// The distance measured at the last check (nil before the first).
  public internal(set) var lastDistance: Double?
  /// Number of shrinks so far.
  public internal(set) var shrinks = 0

  /// The rule for `settings` with minibatches of `batchSize`.
  public init(settings: ReplaySettings, batchSize: Int) {
    self.settings = settings
    sampleCount = settings.distanceBatches * batchSize
  }

  /// RLx2's policy distance: `D = mean over samples and action dims of (current - stored)^2 / 2`, both
  /// `[actions x samples]` in normalised units (`pi(s)/a_max` and `a_stored/a_max`). 0 for no samples.
  public static func policyDistance(current: Matrix, stored: Matrix) -> Double {
    precondition(current.rows == stored.rows && current.columns == stored.columns, "action matrices differ in shape")
    guard current.count > 0 else { return 0 }
    var sum = 0.0
    for k in 0..<current.count {
      let d = Double(current.scalars[k]) - Double(stored.scalars[k])
      sum += d * d / 2
    }
    return sum / Double(current.count)
  }

  /// How many of `size` stored transitions to drop after measuring `distance`: the oldest `removal_fraction`
  /// when `distance > distance_threshold` and `size > min_capacity`, otherwise none.
  public func removalCount(size: Int, distance: Double) -> Int {
    guard distance > settings.distanceThreshold, size > settings.minCapacity else { return 0 }
    return Int(Double(size) * settings.removalFraction)
  }

  /// Whether a check falls on environment step `environmentSteps` (counted after the step).
  public func isCheckStep(_ environmentSteps: Int) -> Bool {
    settings.dynamicCapacity && environmentSteps > 0 && environmentSteps % settings.checkInterval == 0
  }

  /// Measures the policy distance on `buffer`'s oldest transitions with `policy` (observations
  /// `[width x k]` to noise-free normalised actions `[actions x k]`) and shrinks the buffer if the rule says so.
  /// Returns the distance and the number of transitions dropped.
  @discardableResult
  public mutating func check(buffer: ReplayBuffer, policy: (Matrix) -> Matrix) -> (distance: Double, removed: Int) {
    let oldest = buffer.oldestTransitions(sampleCount)
    let distance = DynamicReplayCapacity.policyDistance(
      current: policy(oldest.observations), stored: oldest.policyActions)
    let removed = buffer.removeOldest(removalCount(size: buffer.count, distance: distance))
    lastDistance = distance
    if removed > 0 { shrinks += 1 }
    return (distance, removed)
  }

  /// The rule's state (last distance, shrink count) for checkpoints.
  var archiveValue: ArchiveValue { .doubles([lastDistance ?? .nan, Double(shrinks)]) }

  /// Restores what `archiveValue` saved.
  mutating func load(_ archive: BinaryArchive, _ name: String) throws {
    let values = try archive.doubles(name, count: 2)
    lastDistance = values[0].isNaN ? nil : values[0]
    shrinks = Int(values[1])
  }
}
