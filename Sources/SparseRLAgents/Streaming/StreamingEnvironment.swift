import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// The training environment of a streaming agent: the raw environment wrapped in reward scaling (running std of
/// the discounted return) and observation normalisation (running mean and variance, updated every step), the
/// observation to act on, finished episodes reported with their raw return, and exact save/restore.
final class StreamingEnvironment {
  let environment: any Environment
  /// The observation normalisation, whose statistics evaluation reuses (frozen), or nil.
  let normalization: ObservationNormalization?
  /// The (normalised) observation the next action is chosen for.
  private(set) var observation: [Float]

  /// Wraps `raw` as the settings say and resets it with `seed`.
  init(_ raw: any Environment, normalizeObservations: Bool, scaleRewards: Bool, gamma: Double, seed: UInt64) throws {
    var wrapped = raw
    if scaleRewards { wrapped = RewardScaling(wrapped, gamma: gamma) }
    if normalizeObservations {
      // No clipping, as the paper's wrapper.
      let normalization = ObservationNormalization(wrapped, clip: .greatestFiniteMagnitude)
      self.normalization = normalization
      wrapped = normalization
    } else {
      normalization = nil
    }
    environment = wrapped
    observation = try wrapped.reset(seed: seed).observation
  }

  /// Normalises an observation of the raw environment with the current statistics (evaluation).
  func normalize(_ raw: [Float]) -> [Float] { normalization?.normalize(raw) ?? raw }

  /// Steps with `action`; reports a finished episode (raw return and length) to `metrics` at `step`, then resets.
  /// Returns the step (its observation is the next state, the final one at an episode end).
  func step(_ action: Action, metrics: any MetricsSink, environmentSteps: Int) throws -> Step {
    let step = try environment.step(action)
    if step.isLast {
      if let episodeReturn = step.info[EpisodeStatistics.returnKey], let length = step.info[EpisodeStatistics.lengthKey]
      {
        metrics.record(group: .episode, step: environmentSteps, values: ["return": episodeReturn, "length": length])
      }
      observation = try environment.reset(seed: nil).observation
    } else {
      observation = step.observation
    }
    return step
  }

  func archive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["state"] = try .environmentState(environment.saveState())
    archive["observation"] = .floats(observation)
    return archive
  }

  func load(_ archive: BinaryArchive) throws {
    let state = try archive.environmentState("state")
    let restored = try archive.floats("observation", count: observation.count)
    try environment.restoreState(state)
    observation = restored
  }
}

/// The most recent transitions of a streaming agent, kept only for the diagnostics and ReDo (the agents learn
/// from the current transition alone): a ring of `capacity` (observation, action, reward, next observation,
/// terminated) tuples.
struct RecentTransitions {
  let capacity: Int
  let observationWidth: Int
  let actionWidth: Int
  private(set) var count = 0
  private var next = 0
  private var observations: [Float]
  private var nextObservations: [Float]
  private var actions: [Float]
  private(set) var rewards: [Float]
  private(set) var terminated: [Bool]

  init(capacity: Int, observationWidth: Int, actionWidth: Int) {
    self.capacity = capacity
    self.observationWidth = observationWidth
    self.actionWidth = actionWidth
    observations = [Float](repeating: 0, count: capacity * observationWidth)
    nextObservations = observations
    actions = [Float](repeating: 0, count: capacity * actionWidth)
    rewards = [Float](repeating: 0, count: capacity)
    terminated = [Bool](repeating: false, count: capacity)
  }

  mutating func add(observation: [Float], action: [Float], reward: Float, nextObservation: [Float], terminal: Bool) {
    guard capacity > 0 else { return }
    for j in 0..<observationWidth {
      observations[next * observationWidth + j] = observation[j]
      nextObservations[next * observationWidth + j] = nextObservation[j]
    }
    for j in 0..<actionWidth { actions[next * actionWidth + j] = action[j] }
    rewards[next] = reward
    terminated[next] = terminal
    next = (next + 1) % capacity
    count = min(count + 1, capacity)
  }

  /// The stored transitions as feature-major matrices (oldest first).
  func batch() -> (
    observations: Matrix, actions: Matrix, rewards: [Float], nextObservations: Matrix, terminated: [Bool]
  ) {
    let start = count < capacity ? 0 : next
    let order = (0..<count).map { (start + $0) % capacity }
    func matrix(_ storage: [Float], width: Int) -> Matrix {
      var result = Matrix(rows: width, columns: count)
      for (b, slot) in order.enumerated() { for j in 0..<width { result[j, b] = storage[slot * width + j] } }
      return result
    }
    return (
      matrix(observations, width: observationWidth), matrix(actions, width: actionWidth), order.map { rewards[$0] },
      matrix(nextObservations, width: observationWidth), order.map { terminated[$0] }
    )
  }

  func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["count"] = .int(count)
    archive["next"] = .int(next)
    archive["observations"] = .floats(observations)
    archive["nextObservations"] = .floats(nextObservations)
    archive["actions"] = .floats(actions)
    archive["rewards"] = .floats(rewards)
    archive["terminated"] = .floats(terminated.map { $0 ? 1 : 0 })
    return archive
  }

  mutating func load(_ archive: BinaryArchive) throws {
    let count = try archive.int("count")
    let next = try archive.int("next")
    guard (0...capacity).contains(count) && (0..<max(capacity, 1)).contains(next) else {
      throw AgentError.invalidState("recent transitions: count \(count), next \(next) for capacity \(capacity)")
    }
    observations = try archive.floats("observations", count: capacity * observationWidth)
    nextObservations = try archive.floats("nextObservations", count: capacity * observationWidth)
    actions = try archive.floats("actions", count: capacity * actionWidth)
    rewards = try archive.floats("rewards", count: capacity)
    terminated = try archive.floats("terminated", count: capacity).map { $0 != 0 }
    (self.count, self.next) = (count, next)
  }
}
