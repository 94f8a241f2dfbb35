import SparseRLEnvironments
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// The replay storage grows with the stored slots: it stays within 1.2x of what they need, and it samples exactly
/// what the preallocated ring of earlier versions (`grow(to: capacity)` before the first add) samples.
@Suite struct ReplayGrowthTests {
  static let encodings: [ObservationStorage.Encoding] = [.float, .byte, .bit, .frames]

  /// A buffer of `encoding`: 20-element observations with 3-element actions (and policy actions unless frames),
  /// or `FrameStackReplayTests`' stacks of 4 byte frames with 1-element actions.
  static func buffer(_ encoding: ObservationStorage.Encoding, capacity: Int) -> ReplayBuffer {
    if encoding == .frames {
      let (stack, frameWidth) = (FrameStackReplayTests.stack, FrameStackReplayTests.frameWidth)
      return ReplayBuffer(
        capacity: capacity, observationWidth: stack * frameWidth, observationEncoding: .frames,
        framesPerObservation: stack, actionWidth: 1)
    }
    return ReplayBuffer(
      capacity: capacity, observationWidth: 20, observationEncoding: encoding, actionWidth: 3,
      storesPolicyActions: true)
  }

  /// Adds the same `transitions` transitions to each of `buffers` (random episodes of 1-40 steps ending in a
  /// termination or a truncation; random values that fit the encoding; for frames, stacks that shift by one
  /// random frame per step and start with the first frame repeated), calling `afterEach` after every one.
  static func fill(
    _ buffers: [ReplayBuffer], transitions: Int, seed: UInt64, afterEach: () -> Void = {}
  ) {
    guard let first = buffers.first else { return }
    let encoding = first.observations.encoding
    let frameWidth = FrameStackReplayTests.frameWidth
    var random = RandomGenerator(seed: seed)
    func values(_ count: Int) -> [Float] {
      (0..<count).map { _ in
        switch encoding {
        case .float: return Float(random.uniform())
        case .bit: return Float(random.integer(below: 2))
        default: return Float(random.integer(below: 256))
        }
      }
    }
    func reset() -> [Float] {
      guard encoding == .frames else { return values(first.observationWidth) }
      return Array([[Float]](repeating: values(frameWidth), count: FrameStackReplayTests.stack).joined())
    }
    func step(_ observation: [Float]) -> [Float] {
      encoding == .frames ? Array(observation.dropFirst(frameWidth)) + values(frameWidth) : values(observation.count)
    }
    var added = 0
    while added < transitions {
      var current = reset()
      let length = 1 + random.integer(below: 40)
      for t in 0..<length where added < transitions {
        let next = step(current)
        let action = (0..<first.actionWidth).map { _ in Float(random.uniform()) }
        let end = t == length - 1
        let terminated = end && random.uniform() < 0.5
        let reward = Float(random.uniform())
        for buffer in buffers {
          buffer.add(
            observation: current, action: action, reward: reward, nextObservation: next, terminated: terminated,
            truncated: end && !terminated, policyAction: buffer.storesPolicyActions ? action.map { -$0 } : nil)
        }
        current = next
        added += 1
        afterEach()
      }
    }
  }

  /// Every field of five batches of 3-step windows drawn with the same seed from `a` and `b`.
  static func expectSameSamples(_ a: ReplayBuffer, _ b: ReplayBuffer, seed: UInt64) {
    #expect(a.count == b.count && a.start == b.start && a.end == b.end)
    var (ga, gb) = (RandomGenerator(seed: seed), RandomGenerator(seed: seed))
    for _ in 0..<5 {
      let x = a.sample(batchSize: 64, steps: 3, gamma: 0.9, includeIntermediate: true, using: &ga)
      let y = b.sample(batchSize: 64, steps: 3, gamma: 0.9, includeIntermediate: true, using: &gb)
      #expect(x.indices == y.indices)
      #expect(x.observations.scalars == y.observations.scalars)
      #expect(x.actions.scalars == y.actions.scalars)
      #expect(x.nextObservations.scalars == y.nextObservations.scalars)
      #expect(x.intermediateObservations.map(\.scalars) == y.intermediateObservations.map(\.scalars))
      #expect(x.intermediateDiscounts == y.intermediateDiscounts)
      #expect(x.rewards == y.rewards && x.bootstrapDiscounts == y.bootstrapDiscounts)
      #expect(x.steps == y.steps && x.terminated == y.terminated)
    }
    let (oldestA, oldestB) = (a.oldestTransitions(100), b.oldestTransitions(100))
    #expect(oldestA.observations.scalars == oldestB.observations.scalars)
    #expect(oldestA.actions.scalars == oldestB.actions.scalars)
    #expect(oldestA.policyActions.scalars == oldestB.policyActions.scalars)
  }

  @Test(arguments: encodings)
  func allocatesAtMost1point2TimesTheStoredBytes(_ encoding: ObservationStorage.Encoding) {
    let buffer = Self.buffer(encoding, capacity: 3_000_000)
    var checked = 0
    Self.fill([buffer], transitions: encoding == .frames ? 1500 : 4000, seed: 1) {
      guard buffer.end - buffer.start >= 200 else { return }
      // The arrays' own capacities: what the allocator handed out for them.
      let allocated = Double(buffer.allocatedByteCount)
      #expect(allocated <= 1.2 * Double(buffer.liveByteCount), "at \(buffer.end - buffer.start) slots")
      #expect(allocated <= 1.2 * Double(buffer.rawTransitionByteCount))
      checked += 1
    }
    #expect(checked > 1000)
    #expect(buffer.storageSlots < 6000 && buffer.capacity == 3_000_000)
  }

  @Test(arguments: encodings)
  func samplesWhatThePreallocatedRingSamples(_ encoding: ObservationStorage.Encoding) throws {
    let capacity = 700
    let growing = Self.buffer(encoding, capacity: capacity)
    let preallocated = Self.buffer(encoding, capacity: capacity)
    preallocated.grow(to: capacity)
    #expect(preallocated.storageSlots == capacity && growing.storageSlots == 2)
    // Before the ring is full, after RLx2's shrinking, while refilling, and after the ring wrapped.
    Self.fill([growing, preallocated], transitions: 300, seed: 2)
    #expect(growing.storageSlots < capacity)
    Self.expectSameSamples(growing, preallocated, seed: 3)
    #expect(growing.removeOldest(120) == preallocated.removeOldest(120))
    Self.fill([growing, preallocated], transitions: 400, seed: 4)
    Self.expectSameSamples(growing, preallocated, seed: 5)
    Self.fill([growing, preallocated], transitions: 900, seed: 6)
    #expect(growing.storageSlots == capacity)
    Self.expectSameSamples(growing, preallocated, seed: 7)
    // A checkpoint restores into a storage of the saved slots, which grows again as adds continue.
    let restored = Self.buffer(encoding, capacity: capacity)
    growing.removeOldest(200)
    preallocated.removeOldest(200)
    try restored.load(try BinaryArchive(decoding: growing.archive().encoded()))
    #expect(restored.storageSlots == restored.end - restored.start)
    Self.expectSameSamples(restored, preallocated, seed: 8)
    Self.fill([restored, preallocated], transitions: 500, seed: 9)
    Self.expectSameSamples(restored, preallocated, seed: 10)
  }

  @Test func defaultSACReservesItsStoredTransitionsNotItsCapacity() throws {
    let config = SACConfig()
    let agent = try SACAgent(
      config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 0, totalSteps: 1_000_000)
    #expect(agent.replayBuffer.capacity == 3_000_000)
    let sink = DiscardingMetricsSink()
    for _ in 0..<1000 { try agent.trainStep(metrics: sink) }
    let buffer = agent.replayBuffer
    #expect(buffer.count == 1000)
    // 3e6 preallocated slots of 3 observation floats, 1 action, a reward and flags would be 63 MB.
    #expect(Double(buffer.allocatedByteCount) <= 1.2 * Double(buffer.liveByteCount))
    #expect(buffer.byteCount < 30_000)
  }
}
