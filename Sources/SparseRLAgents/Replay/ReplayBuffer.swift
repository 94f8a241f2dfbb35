import SparseRLEnvironments
import SparseRLNumerics

/// A replay buffer on a preallocated ring of slots with fixed memory.
///
/// Layout: each slot holds one observation and, when that observation was acted upon, the action, reward
/// and end flags of the transition that left it. The next observation of a transition is the observation of
/// the following slot, so observations are stored once ("no duplicated next observations"). When an episode
/// ends, the following slot holds its final observation (needed to bootstrap at a truncation) and no action;
/// the next episode starts in a fresh slot. A buffer of `capacity` slots therefore holds about
/// `capacity - episodes` transitions.
///
/// Sampling (`sample`) draws transitions uniformly and returns `n`-step windows that stop early at a
/// terminal (no bootstrap) and at a truncation (bootstrap from the final observation), as well as at the
/// newest stored observation. RLx2's dynamic capacity is `removeOldest(_:)` (shrinking) while new transitions
/// keep filling the ring up to its capacity (growth).
public final class ReplayBuffer {
  struct Flags: OptionSet {
    let rawValue: UInt8
    static let hasTransition = Flags(rawValue: 1)
    static let terminated = Flags(rawValue: 2)
    static let truncated = Flags(rawValue: 4)
  }

  /// Number of slots (observations) the ring holds.
  public let capacity: Int
  /// Elements of one action vector (1 for a discrete action, stored as its index).
  public let actionWidth: Int
  /// Whether a second action (the noise-free policy action, for RLx2's policy distance) is stored too.
  public let storesPolicyActions: Bool
  var observations: ObservationStorage
  var actions: [Float]
  var policyActions: [Float]
  var rewards: [Float]
  var flags: [Flags]
  /// Absolute index of the oldest slot still stored and one past the newest slot.
  var start = 0
  var end = 0
  /// Whether the newest slot holds an observation that the next `add` continues from.
  var continuing = false
  /// Number of stored transitions (slots with an action).
  public internal(set) var count = 0

  /// A buffer of `capacity` slots for observations of `observationWidth` elements encoded as `encoding`
  /// (`.frames` with `framesPerObservation` frames per observation).
  public init(
    capacity: Int, observationWidth: Int, observationEncoding: ObservationStorage.Encoding = .float,
    framesPerObservation: Int = 1, actionWidth: Int, storesPolicyActions: Bool = false
  ) {
    precondition(capacity >= 2, "a replay buffer needs at least two slots")
    precondition(actionWidth > 0, "action width must be positive")
    self.capacity = capacity
    self.actionWidth = actionWidth
    self.storesPolicyActions = storesPolicyActions
    observations = ObservationStorage(
      width: observationWidth, capacity: capacity, encoding: observationEncoding, stack: framesPerObservation)
    actions = [Float](repeating: 0, count: capacity * actionWidth)
    policyActions = storesPolicyActions ? [Float](repeating: 0, count: capacity * actionWidth) : []
    rewards = [Float](repeating: 0, count: capacity)
    flags = [Flags](repeating: [], count: capacity)
  }

  /// Elements of one observation.
  public var observationWidth: Int { observations.width }

  /// Bytes of preallocated storage.
  public var byteCount: Int {
    observations.byteCount + (actions.count + policyActions.count + rewards.count) * 4 + flags.count
  }

  /// Adds the transition (observation, action, reward, nextObservation, terminated, truncated).
  ///
  /// Within an episode, `observation` must be the `nextObservation` of the previous call (it is not stored
  /// again). `policyAction` is required when the buffer stores policy actions.
  public func add(
    observation: [Float], action: [Float], reward: Float, nextObservation: [Float], terminated: Bool,
    truncated: Bool, policyAction: [Float]? = nil
  ) {
    precondition(action.count == actionWidth, "action has \(action.count) values, buffer expects \(actionWidth)")
    precondition(policyAction == nil || storesPolicyActions, "this buffer does not store policy actions")
    precondition(
      !storesPolicyActions || policyAction?.count == actionWidth, "policy action of width \(actionWidth) required")
    if !continuing { appendSlot(observation) }
    let slot = (end - 1) % capacity
    for k in 0..<actionWidth { actions[slot * actionWidth + k] = action[k] }
    if let policyAction {
      for k in 0..<actionWidth { policyActions[slot * actionWidth + k] = policyAction[k] }
    }
    rewards[slot] = reward
    var slotFlags: Flags = .hasTransition
    if terminated { slotFlags.insert(.terminated) }
    if truncated { slotFlags.insert(.truncated) }
    flags[slot] = slotFlags
    count += 1
    appendSlot(nextObservation)
    continuing = !(terminated || truncated)
  }

  /// Adds the transition of a discrete action.
  public func add(
    observation: [Float], action: Int, reward: Float, nextObservation: [Float], terminated: Bool, truncated: Bool
  ) {
    add(
      observation: observation, action: [Float(action)], reward: reward, nextObservation: nextObservation,
      terminated: terminated, truncated: truncated)
  }

  private func appendSlot(_ observation: [Float]) {
    if end - start == capacity { evictOldest() }
    let slot = end % capacity
    observations.write(observation, at: slot)
    flags[slot] = []
    end += 1
  }

  private func evictOldest() {
    if flags[start % capacity].contains(.hasTransition) { count -= 1 }
    flags[start % capacity] = []
    start += 1
  }

  /// Discards the oldest `transitions` transitions (and the slots around them), as RLx2's buffer does when the
  /// policy has drifted. Returns how many were discarded.
  @discardableResult
  public func removeOldest(_ transitions: Int) -> Int {
    var removed = 0
    while removed < transitions && count > 0 {
      if flags[start % capacity].contains(.hasTransition) { removed += 1 }
      evictOldest()
    }
    // Never leave a dangling final observation as the oldest slot with nothing to sample from it.
    if start == end { continuing = false }
    return removed
  }

  /// The oldest `limit` transitions' observations `[width x k]`, stored actions and policy actions
  /// `[actionWidth x k]`, oldest first (k <= limit). Used for RLx2's policy distance.
  public func oldestTransitions(_ limit: Int) -> (observations: Matrix, actions: Matrix, policyActions: Matrix) {
    var slots = [Int]()
    var i = start
    while i < end && slots.count < limit {
      if flags[i % capacity].contains(.hasTransition) { slots.append(i % capacity) }
      i += 1
    }
    return (gatherObservations(slots), gather(actions, slots), gather(policyActions, slots))
  }

  private func gatherObservations(_ slots: [Int]) -> Matrix {
    var result = Matrix(rows: observationWidth, columns: slots.count)
    result.scalars.withUnsafeMutableBufferPointer { buffer in
      for (b, slot) in slots.enumerated() { observations.copy(slot, into: buffer, column: b, columns: slots.count) }
    }
    return result
  }

  private func gather(_ source: [Float], _ slots: [Int]) -> Matrix {
    var result = Matrix(rows: actionWidth, columns: slots.count)
    guard !source.isEmpty else { return result }
    for (b, slot) in slots.enumerated() {
      for k in 0..<actionWidth { result[k, b] = source[slot * actionWidth + k] }
    }
    return result
  }

  /// Draws `batchSize` transitions uniformly (with replacement) and returns their `steps`-step windows,
  /// discounted with `gamma`. Includes the intermediate observations when `includeIntermediate` is true
  /// (SAC's n-step target needs them for its entropy terms).
  public func sample(
    batchSize: Int, steps: Int = 1, gamma: Float, includeIntermediate: Bool = false,
    using generator: inout RandomGenerator
  ) -> TransitionBatch {
    precondition(count > 0, "cannot sample from an empty replay buffer")
    precondition(steps >= 1, "steps must be at least 1")
    var slots = [Int]()
    slots.reserveCapacity(batchSize)
    while slots.count < batchSize {
      let candidate = start + generator.integer(below: end - start)
      if flags[candidate % capacity].contains(.hasTransition) { slots.append(candidate) }
    }
    return window(slots: slots, steps: steps, gamma: gamma, includeIntermediate: includeIntermediate)
  }

  /// The `steps`-step windows starting at the given absolute slot indices (each must hold a transition).
  func window(slots: [Int], steps: Int, gamma: Float, includeIntermediate: Bool) -> TransitionBatch {
    let batch = slots.count
    var result = TransitionBatch(
      observationWidth: observationWidth, actionWidth: actionWidth, batch: batch,
      intermediateCount: includeIntermediate ? steps - 1 : 0)
    var nextSlots = [Int](repeating: 0, count: batch)
    var intermediateSlots = [[Int]](repeating: [Int](repeating: -1, count: batch), count: max(0, steps - 1))
    for (b, first) in slots.enumerated() {
      var discountedReturn: Float = 0
      var discount: Float = 1
      var taken = 0
      var terminal = false
      var slot = first
      while taken < steps {
        let f = flags[slot % capacity]
        guard f.contains(.hasTransition) else { break }  // newest observation: nothing further yet
        discountedReturn += discount * rewards[slot % capacity]
        discount *= gamma
        taken += 1
        slot += 1
        if f.contains(.terminated) {
          terminal = true
          break
        }
        if f.contains(.truncated) { break }
        if taken < steps && includeIntermediate { intermediateSlots[taken - 1][b] = slot }
      }
      // A window that stopped at a terminal or truncation has no intermediate states past its end.
      if taken < steps && includeIntermediate {
        for k in taken..<steps where k >= 1 { intermediateSlots[k - 1][b] = -1 }
      }
      result.rewards[b] = discountedReturn
      result.bootstrapDiscounts[b] = terminal ? 0 : discount
      result.steps[b] = taken
      result.terminated[b] = terminal
      nextSlots[b] = slot
      for k in 0..<actionWidth { result.actions[k, b] = actions[(first % capacity) * actionWidth + k] }
    }
    result.observations.scalars.withUnsafeMutableBufferPointer { buffer in
      for (b, first) in slots.enumerated() {
        observations.copy(first % capacity, into: buffer, column: b, columns: batch)
      }
    }
    result.nextObservations.scalars.withUnsafeMutableBufferPointer { buffer in
      for (b, next) in nextSlots.enumerated() {
        observations.copy(next % capacity, into: buffer, column: b, columns: batch)
      }
    }
    if includeIntermediate {
      for k in 1..<max(1, steps) {
        var gammaK: Float = 1
        for _ in 0..<k { gammaK *= gamma }
        result.intermediateObservations[k - 1].scalars.withUnsafeMutableBufferPointer { buffer in
          for b in 0..<batch where intermediateSlots[k - 1][b] >= 0 {
            observations.copy(intermediateSlots[k - 1][b] % capacity, into: buffer, column: b, columns: batch)
            result.intermediateDiscounts[k - 1][b] = gammaK
          }
        }
      }
    }
    result.indices = slots
    return result
  }
}

/// A minibatch of (possibly multi-step) transitions, feature-major.
///
/// For sample `b` whose window took `m = steps[b]` steps from s_t:
/// `rewards[b] = sum_{k<m} gamma^k r_{t+k}`, `nextObservations` holds s_{t+m}, and
/// `bootstrapDiscounts[b] = gamma^m`, or 0 when the window ended at a terminal state. A value target is
/// `rewards + bootstrapDiscounts * V(nextObservations)`. `intermediateObservations[k-1]` holds s_{t+k} for
/// 1 <= k < m with weight `intermediateDiscounts[k-1][b] = gamma^k` (0 where the window was shorter).
public struct TransitionBatch: Sendable {
  /// s_t of each sample, `[observationWidth x batch]`.
  public var observations: Matrix
  /// a_t of each sample, `[actionWidth x batch]`.
  public var actions: Matrix
  /// The discounted reward sum of each window.
  public var rewards: [Float]
  /// s_{t+m}, `[observationWidth x batch]`.
  public var nextObservations: Matrix
  /// gamma^m, or 0 where the window ended at a terminal state.
  public var bootstrapDiscounts: [Float]
  /// m, the steps each window took.
  public var steps: [Int]
  /// Whether each window ended at a terminal state.
  public var terminated: [Bool]
  /// s_{t+k} for 1 <= k < n, one `[observationWidth x batch]` matrix per k.
  public var intermediateObservations: [Matrix]
  /// gamma^k for each intermediate observation and sample (0 where the window was shorter).
  public var intermediateDiscounts: [[Float]]
  /// Absolute slot indices of the sampled transitions (for tests and diagnostics).
  public var indices: [Int]

  init(observationWidth: Int, actionWidth: Int, batch: Int, intermediateCount: Int) {
    observations = Matrix(rows: observationWidth, columns: batch)
    actions = Matrix(rows: actionWidth, columns: batch)
    rewards = [Float](repeating: 0, count: batch)
    nextObservations = Matrix(rows: observationWidth, columns: batch)
    bootstrapDiscounts = [Float](repeating: 0, count: batch)
    steps = [Int](repeating: 0, count: batch)
    terminated = [Bool](repeating: false, count: batch)
    intermediateObservations = Array(
      repeating: Matrix(rows: observationWidth, columns: batch), count: intermediateCount)
    intermediateDiscounts = Array(repeating: [Float](repeating: 0, count: batch), count: intermediateCount)
    indices = []
  }

  /// Number of transitions.
  public var count: Int { rewards.count }
}
