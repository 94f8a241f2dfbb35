import SparseRLEnvironments
import SparseRLNumerics

/// A replay buffer on a ring of slots that grows with the stored slots up to its capacity.
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
///
/// Memory follows the stored slots: the storage starts at two slots, and whenever the live slots fill it (and it
/// is below `capacity`) it grows by a sixth, moving the live slots to the larger ring (absolute index `a` lives in
/// storage slot `a % storageSlots`). So it never holds more than 7/6 of the slots stored so far (after RLx2's
/// shrinking, of the most slots it ever held), and growing costs amortised O(1) per slot. Sampling,
/// windows and `indices` use absolute indices and do not depend on the storage size.
public final class ReplayBuffer {
  struct Flags: OptionSet {
    let rawValue: UInt8
    static let hasTransition = Flags(rawValue: 1)
    static let terminated = Flags(rawValue: 2)
    static let truncated = Flags(rawValue: 4)
  }

  /// Number of slots (observations) the ring holds at most.
  public let capacity: Int
  /// Number of slots the storage has now (at most `capacity`; see the type's discussion).
  public internal(set) var storageSlots: Int
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
    let slots = min(capacity, 2)
    storageSlots = slots
    observations = ObservationStorage(
      width: observationWidth, capacity: slots, encoding: observationEncoding, stack: framesPerObservation)
    actions = [Float](repeating: 0, count: slots * actionWidth)
    policyActions = storesPolicyActions ? [Float](repeating: 0, count: slots * actionWidth) : []
    rewards = [Float](repeating: 0, count: slots)
    flags = [Flags](repeating: [], count: slots)
  }

  /// Elements of one observation.
  public var observationWidth: Int { observations.width }

  /// Bytes of the storage now (`storageSlots` slots).
  public var byteCount: Int {
    observations.byteCount + (actions.count + policyActions.count + rewards.count) * 4 + flags.count
  }

  /// `byteCount` as the storage arrays' allocations report it (their capacities), for tests.
  var allocatedByteCount: Int {
    observations.allocatedByteCount + (actions.capacity + policyActions.capacity + rewards.capacity) * 4
      + flags.capacity
  }

  /// Bytes the stored slots need in this layout (what a storage of exactly `end - start` slots would hold):
  /// `byteCount` is at most 1.2x this once the buffer has filled its first slots.
  public var liveByteCount: Int {
    let slots = end - start
    return observations.liveByteCount(slots: slots)
      + slots * ((storesPolicyActions ? 2 : 1) * actionWidth * 4 + 4 + 1)
  }

  /// The raw bytes of the stored transitions, each kept separately as observation, action, reward, next
  /// observation and the two end flags in their own types (float32 observations 4 bytes per element, uint8 and
  /// bool ones 1; the policy action too when stored): the naive layout this buffer's shared observations, bit
  /// packing and shared frames improve on.
  public var rawTransitionByteCount: Int {
    count * (2 * observations.rawObservationByteCount + (storesPolicyActions ? 2 : 1) * actionWidth * 4 + 4 + 2)
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
    let slot = openTransition(observation)
    for k in 0..<actionWidth { actions[slot * actionWidth + k] = action[k] }
    if let policyAction {
      for k in 0..<actionWidth { policyActions[slot * actionWidth + k] = policyAction[k] }
    }
    closeTransition(
      slot, reward: reward, nextObservation: nextObservation, terminated: terminated, truncated: truncated)
  }

  /// Adds the transition of a discrete action.
  public func add(
    observation: [Float], action: Int, reward: Float, nextObservation: [Float], terminated: Bool, truncated: Bool
  ) {
    precondition(actionWidth == 1, "action has 1 value, buffer expects \(actionWidth)")
    precondition(!storesPolicyActions, "policy action of width \(actionWidth) required")
    let slot = openTransition(observation)
    actions[slot] = Float(action)
    closeTransition(
      slot, reward: reward, nextObservation: nextObservation, terminated: terminated, truncated: truncated)
  }

  /// The storage slot of a new transition from `observation` (stored unless the episode continues from it).
  private func openTransition(_ observation: [Float]) -> Int {
    if !continuing { appendSlot(observation) }
    return (end - 1) % storageSlots
  }

  /// Stores the reward and end flags of the transition in `slot`, then its next observation.
  private func closeTransition(
    _ slot: Int, reward: Float, nextObservation: [Float], terminated: Bool, truncated: Bool
  ) {
    rewards[slot] = reward
    var slotFlags: Flags = .hasTransition
    if terminated { slotFlags.insert(.terminated) }
    if truncated { slotFlags.insert(.truncated) }
    flags[slot] = slotFlags
    count += 1
    appendSlot(nextObservation)
    continuing = !(terminated || truncated)
  }

  private func appendSlot(_ observation: [Float]) {
    if end - start == storageSlots {
      if storageSlots < capacity { grow() } else { evictOldest() }
    }
    let slot = end % storageSlots
    observations.write(observation, at: slot)
    flags[slot] = []
    end += 1
  }

  /// Moves the live slots into a ring of `RingLayout.grownSlotCount` slots.
  private func grow() { grow(to: RingLayout.grownSlotCount(storageSlots, capacity: capacity)) }

  /// Moves the live slots into a ring of `new` slots (`storageSlots ... capacity`); `grow(to: capacity)` on a new
  /// buffer gives the fixed, preallocated ring of earlier versions (the tests' reference).
  func grow(to new: Int) {
    precondition((storageSlots...capacity).contains(new), "storage grows within \(storageSlots)...\(capacity)")
    let (live, old) = (start..<end, storageSlots)
    observations = observations.relaid(live: live, capacity: new)
    actions = RingLayout.relaid(actions, width: actionWidth, live: live, from: old, to: new, empty: 0)
    if storesPolicyActions {
      policyActions = RingLayout.relaid(policyActions, width: actionWidth, live: live, from: old, to: new, empty: 0)
    }
    rewards = RingLayout.relaid(rewards, width: 1, live: live, from: old, to: new, empty: 0)
    flags = RingLayout.relaid(flags, width: 1, live: live, from: old, to: new, empty: [])
    storageSlots = new
  }

  private func evictOldest() {
    if flags[start % storageSlots].contains(.hasTransition) { count -= 1 }
    flags[start % storageSlots] = []
    start += 1
  }

  /// Discards the oldest `transitions` transitions (and the slots around them), as RLx2's buffer does when the
  /// policy has drifted. Returns how many were discarded.
  @discardableResult
  public func removeOldest(_ transitions: Int) -> Int {
    var removed = 0
    while removed < transitions && count > 0 {
      if flags[start % storageSlots].contains(.hasTransition) { removed += 1 }
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
      if flags[i % storageSlots].contains(.hasTransition) { slots.append(i % storageSlots) }
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
    var batch = TransitionBatch(
      observationWidth: observationWidth, actionWidth: actionWidth, batch: 0, intermediateCount: 0)
    sample(
      into: &batch, batchSize: batchSize, steps: steps, gamma: gamma, includeIntermediate: includeIntermediate,
      using: &generator)
    return batch
  }

  /// `sample(batchSize:steps:gamma:includeIntermediate:using:)` written into `batch`, which is reshaped only
  /// when its shape differs: sampling into the same batch again allocates nothing.
  public func sample(
    into batch: inout TransitionBatch, batchSize: Int, steps: Int = 1, gamma: Float, includeIntermediate: Bool = false,
    using generator: inout RandomGenerator
  ) {
    precondition(count > 0, "cannot sample from an empty replay buffer")
    precondition(steps >= 1, "steps must be at least 1")
    batch.reshape(
      observationWidth: observationWidth, actionWidth: actionWidth, batch: batchSize,
      intermediateCount: includeIntermediate ? steps - 1 : 0)
    var drawn = 0
    while drawn < batchSize {
      let candidate = start + generator.integer(below: end - start)
      if flags[candidate % storageSlots].contains(.hasTransition) {
        batch.indices[drawn] = candidate
        drawn += 1
      }
    }
    writeWindows(into: &batch, steps: steps, gamma: gamma)
  }

  /// The `steps`-step windows starting at the given absolute slot indices (each must hold a transition).
  func window(slots: [Int], steps: Int, gamma: Float, includeIntermediate: Bool) -> TransitionBatch {
    var result = TransitionBatch(
      observationWidth: observationWidth, actionWidth: actionWidth, batch: slots.count,
      intermediateCount: includeIntermediate ? steps - 1 : 0)
    result.indices = slots
    writeWindows(into: &result, steps: steps, gamma: gamma)
    return result
  }

  /// Writes into `result` the `steps`-step windows starting at `result.indices` (its intermediate observations
  /// when it has room for them), overwriting every entry.
  private func writeWindows(into result: inout TransitionBatch, steps: Int, gamma: Float) {
    let batch = result.indices.count
    let ring = storageSlots  // absolute index a lives in storage slot a % ring
    for b in 0..<batch {
      let first = result.indices[b]
      var discountedReturn: Float = 0
      var discount: Float = 1
      var taken = 0
      var terminal = false
      while taken < steps {
        let f = flags[(first + taken) % ring]
        guard f.contains(.hasTransition) else { break }  // newest observation: nothing further yet
        discountedReturn += discount * rewards[(first + taken) % ring]
        discount *= gamma
        taken += 1
        if f.contains(.terminated) {
          terminal = true
          break
        }
        if f.contains(.truncated) { break }
      }
      result.rewards[b] = discountedReturn
      result.bootstrapDiscounts[b] = terminal ? 0 : discount
      result.steps[b] = taken
      result.terminated[b] = terminal
      for k in 0..<actionWidth { result.actions[k, b] = actions[(first % ring) * actionWidth + k] }
    }
    // Observations: s_t, s_{t+m}, and s_{t+k} for 1 <= k < n where the window took more than k steps (zero with
    // weight 0 elsewhere).
    let (indices, taken) = (result.indices, result.steps)
    result.observations.scalars.withUnsafeMutableBufferPointer { columns in
      for b in 0..<batch { observations.copy(indices[b] % ring, into: columns, column: b, columns: batch) }
    }
    result.nextObservations.scalars.withUnsafeMutableBufferPointer { columns in
      for b in 0..<batch {
        observations.copy((indices[b] + taken[b]) % ring, into: columns, column: b, columns: batch)
      }
    }
    for k in stride(from: 1, through: result.intermediateObservations.count, by: 1) {
      var gammaK: Float = 1
      for _ in 0..<k { gammaK *= gamma }
      for b in 0..<batch { result.intermediateDiscounts[k - 1][b] = taken[b] > k ? gammaK : 0 }
      result.intermediateObservations[k - 1].scalars.withUnsafeMutableBufferPointer { columns in
        for b in 0..<batch {
          if taken[b] > k {
            observations.copy((indices[b] + k) % ring, into: columns, column: b, columns: batch)
          } else {
            for j in 0..<observationWidth { columns[j * batch + b] = 0 }
          }
        }
      }
    }
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

  /// A batch of `batch` zero transitions with room for `intermediateCount` intermediate observations each.
  public init(observationWidth: Int, actionWidth: Int, batch: Int, intermediateCount: Int) {
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
    indices = [Int](repeating: 0, count: batch)
  }

  /// Number of transitions.
  public var count: Int { rewards.count }

  /// Makes this batch the given shape (a new zero batch when it differs, otherwise unchanged), so that a
  /// replay buffer can sample into it again without allocating.
  mutating func reshape(observationWidth: Int, actionWidth: Int, batch: Int, intermediateCount: Int) {
    guard
      observations.rows != observationWidth || actions.rows != actionWidth || count != batch
        || intermediateObservations.count != intermediateCount
    else { return }
    self = TransitionBatch(
      observationWidth: observationWidth, actionWidth: actionWidth, batch: batch,
      intermediateCount: intermediateCount)
  }
}
