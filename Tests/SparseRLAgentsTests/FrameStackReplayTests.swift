import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// The `.frames` replay storage against plain byte storage fed the same transitions (the naive reference).
@Suite struct FrameStackReplayTests {
  static let stack = 4
  static let frameWidth = 210

  /// Feeds `buffers` the same episodes of `FrameStackObservation`-style stacks of random byte frames (reset padding
  /// repeats the first frame). With `shuffled`, observations are random bytes instead (not frame stacks).
  static func fill(_ buffers: [ReplayBuffer], transitions: Int, shuffled: Bool = false, seed: UInt64) {
    var random = RandomGenerator(seed: seed)
    func frame() -> [Float] { (0..<frameWidth).map { _ in Float(random.integer(below: 256)) } }
    var added = 0
    while added < transitions {
      let first = frame()
      var frames = [[Float]](repeating: first, count: stack)
      let length = 1 + random.integer(below: 12)
      for t in 0..<length where added < transitions {
        let observation =
          shuffled ? (0..<(stack * frameWidth)).map { _ in Float(random.integer(below: 256)) } : Array(frames.joined())
        frames.removeFirst()
        frames.append(frame())
        let next =
          shuffled ? (0..<(stack * frameWidth)).map { _ in Float(random.integer(below: 256)) } : Array(frames.joined())
        let last = t == length - 1
        let terminated = last && random.uniform() < 0.5
        for buffer in buffers {
          buffer.add(
            observation: observation, action: [Float(t % 3)], reward: Float(t), nextObservation: next,
            terminated: terminated, truncated: last && !terminated)
        }
        added += 1
      }
    }
  }

  static func buffers(capacity: Int) -> (frames: ReplayBuffer, bytes: ReplayBuffer) {
    (
      ReplayBuffer(
        capacity: capacity, observationWidth: stack * frameWidth, observationEncoding: .frames,
        framesPerObservation: stack, actionWidth: 1),
      ReplayBuffer(
        capacity: capacity, observationWidth: stack * frameWidth, observationEncoding: .byte, actionWidth: 1)
    )
  }

  static func expectSameSamples(_ a: ReplayBuffer, _ b: ReplayBuffer) {
    var ga = RandomGenerator(seed: 9)
    var gb = RandomGenerator(seed: 9)
    for _ in 0..<5 {
      let x = a.sample(batchSize: 64, steps: 3, gamma: 0.9, includeIntermediate: true, using: &ga)
      let y = b.sample(batchSize: 64, steps: 3, gamma: 0.9, includeIntermediate: true, using: &gb)
      #expect(x.indices == y.indices)
      #expect(x.observations.scalars == y.observations.scalars)
      #expect(x.nextObservations.scalars == y.nextObservations.scalars)
      #expect(x.intermediateObservations.map(\.scalars) == y.intermediateObservations.map(\.scalars))
      #expect(x.rewards == y.rewards)
    }
  }

  @Test func framesReadBackAsByteStorageAfterTheRingWraps() {
    let (frames, bytes) = Self.buffers(capacity: 97)
    Self.fill([frames, bytes], transitions: 500, seed: 1)
    Self.expectSameSamples(frames, bytes)
    // Each frame once: about a quarter of the byte storage, plus a few bytes per slot of bookkeeping.
    #expect(frames.observations.frames!.whole.isEmpty)
    let frameBytes = frames.observations.byteCount
    #expect(frameBytes <= (97 + Self.stack - 1) * Self.frameWidth + 97 * (Self.stack + 8))
    #expect(frameBytes * 3 < bytes.observations.byteCount)
  }

  @Test func observationsThatAreNotFrameStacksAreKeptWhole() {
    let (frames, bytes) = Self.buffers(capacity: 40)
    Self.fill([frames, bytes], transitions: 120, shuffled: true, seed: 2)
    Self.expectSameSamples(frames, bytes)
  }

  @Test func archiveRoundTripKeepsEveryObservation() throws {
    let (frames, bytes) = Self.buffers(capacity: 61)
    Self.fill([frames, bytes], transitions: 200, seed: 3)
    frames.removeOldest(5)
    bytes.removeOldest(5)
    let restored = Self.buffers(capacity: 61).frames
    try restored.load(try BinaryArchive(decoding: frames.archive().encoded()))
    Self.expectSameSamples(restored, bytes)
    // Continuing after the restore writes on top of the restored frames correctly.
    Self.fill([restored, bytes], transitions: 90, seed: 4)
    Self.expectSameSamples(restored, bytes)
  }
}
