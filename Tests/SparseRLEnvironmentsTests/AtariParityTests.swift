import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// When the Atari tests run: whenever the ALE runtime loads, and always when references are required
/// (`SPARSERL_REQUIRE_REFERENCES=1`), so that a missing runtime fails there with its setup message.
enum AtariTestGate {
  static var runs: Bool { Atari.isAvailable() || PythonReference.isRequired }
  static var runsWithReference: Bool { PythonReference.isAvailable && runs }
}

/// CRC-32 (IEEE, zlib's `crc32`) of bytes, to compare whole frames with the reference's digests.
func crc32(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in bytes {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
  }
  return ~crc
}

/// Compares the Swift Atari environments and wrappers with ale-py 0.12.1 + Gymnasium 1.4.0 on the same ALE build.
@Suite("Atari parity with ale-py and Gymnasium")
struct AtariParityTests {
  struct PlayRequest: Encodable {
    var kind: String
    var game: String
    var seed: UInt64
    var repeat_action_probability: Double
    var max_frames: Int?
    var actions: [Int]
    var noop_max: Int
    var terminal_on_life_loss: Bool
  }

  struct PlayAnswer: Decodable {
    var action_count: Int
    var first_observation: [Int]
    var observation_shape: [Int]
    var frames: [UInt32]
    var rewards: [Double]
    var terminated: [Bool]
    var truncated: [Bool]
    var lives: [Int]
    var episode_frame_numbers: [Int]
    var resets: [Int]
  }

  /// The Python layout of an observation's bytes: RGB frames back to `[y, x, c]`, others as they are.
  static func referenceBytes(_ observation: [Float], rgbPixels: Int?) -> [UInt8] {
    guard let pixels = rgbPixels else { return observation.map { UInt8($0) } }
    var bytes = [UInt8](repeating: 0, count: observation.count)
    for i in 0..<pixels {
      for c in 0..<3 { bytes[i * 3 + c] = UInt8(observation[c * pixels + i]) }
    }
    return bytes
  }

  /// Plays `request.actions` on `environment` as the reference script does and checks every step.
  static func compare(_ environment: any Environment, _ request: PlayRequest, rgbPixels: Int?) throws {
    let answer: PlayAnswer = try PythonReference.call(script: "atari_reference.py", request: request)
    #expect(environment.actionSpace == .discrete(DiscreteSpace(answer.action_count)))
    guard case .box(let box) = environment.observationSpace else {
      Issue.record("not a box")
      return
    }
    #expect(box.count == answer.observation_shape.reduce(1, *))
    let start = try environment.reset(seed: request.seed)
    let first = referenceBytes(start.observation, rgbPixels: rgbPixels)
    #expect(first.count == answer.first_observation.count)
    #expect(
      zip(first, answer.first_observation).filter { Int($0) != $1 }.count == 0, "bytes of the first observation differ")
    var frame = 0
    var infoIndex = 0
    func checkObservation(_ observation: [Float], _ info: Info, at step: Int) -> Bool {
      let digest = crc32(referenceBytes(observation, rgbPixels: rgbPixels))
      defer { (frame, infoIndex) = (frame + 1, infoIndex + 1) }
      guard digest == answer.frames[frame], info["lives"] == Double(answer.lives[infoIndex]),
        info["episode_frame_number"] == Double(answer.episode_frame_numbers[infoIndex])
      else {
        let message =
          "\(request.game) (\(request.kind), sticky \(request.repeat_action_probability)): observation or info "
          + "differs after step \(step): lives \(info["lives"] ?? -1) vs \(answer.lives[infoIndex]), frame "
          + "\(info["episode_frame_number"] ?? -1) vs \(answer.episode_frame_numbers[infoIndex])"
        Issue.record(Comment(rawValue: message))
        return false
      }
      return true
    }
    guard checkObservation(start.observation, start.info, at: 0) else { return }
    var resets = [0]
    for (t, action) in request.actions.enumerated() {
      let step = try environment.step(.discrete(action))
      #expect(step.reward == answer.rewards[t], "reward at step \(t + 1)")
      #expect(step.terminated == answer.terminated[t], "terminated at step \(t + 1)")
      #expect(step.truncated == answer.truncated[t], "truncated at step \(t + 1)")
      guard checkObservation(step.observation, step.info, at: t + 1), step.reward == answer.rewards[t],
        step.terminated == answer.terminated[t], step.truncated == answer.truncated[t]
      else { return }
      if step.isLast {
        let reset = try environment.reset(seed: nil)
        resets.append(t + 1)
        guard checkObservation(reset.observation, reset.info, at: t + 1) else { return }
      }
    }
    #expect(resets == answer.resets)
    #expect(frame == answer.frames.count)
  }

  static func actions(count: Int, actionCount: Int, seed: UInt64) -> [Int] {
    var generator = RandomGenerator(seed: seed)
    return (0..<count).map { _ in generator.integer(below: actionCount) }
  }

  static let games = ["pong", "breakout", "space_invaders", "ms_pacman"]

  @Test(.enabled(if: AtariTestGate.runsWithReference), arguments: games, [0.25, 0.0])
  func rawFramesRewardsAndFlagsMatchAlePy(game: String, sticky: Double) throws {
    let environment = try AtariEnvironment(game: game, repeatActionProbability: Float(sticky))
    guard case .discrete(let space) = environment.actionSpace else { return }
    let request = PlayRequest(
      kind: "raw", game: game, seed: 7, repeat_action_probability: sticky, max_frames: nil,
      actions: Self.actions(count: 3000, actionCount: space.count, seed: 11), noop_max: 0,
      terminal_on_life_loss: false)
    try Self.compare(environment, request, rgbPixels: 210 * 160)
  }

  @Test(.enabled(if: AtariTestGate.runsWithReference), arguments: games, [0.25, 0.0])
  func preprocessedStacksMatchGymnasiumWrappers(game: String, sticky: Double) throws {
    // Breakout loses lives quickly: it checks terminal on life loss; the others the plain setting.
    let lifeLoss = game == "breakout"
    let base = try AtariEnvironment(game: game, frameskip: 1, repeatActionProbability: Float(sticky))
    let environment = FrameStackObservation(
      AtariPreprocessing(base, noopMax: 30, terminalOnLifeLoss: lifeLoss), stackSize: 4)
    guard case .discrete(let space) = environment.actionSpace else { return }
    let request = PlayRequest(
      kind: "dqn", game: game, seed: 3, repeat_action_probability: sticky, max_frames: nil,
      actions: Self.actions(count: 2000, actionCount: space.count, seed: 5), noop_max: 30,
      terminal_on_life_loss: lifeLoss)
    try Self.compare(environment, request, rgbPixels: nil)
  }

  @Test(.enabled(if: AtariTestGate.runsWithReference))
  func frameLimitTruncatesAsAlePy() throws {
    let base = try AtariEnvironment(game: "pong", frameskip: 1, maxFramesPerEpisode: 400)
    let environment = FrameStackObservation(AtariPreprocessing(base), stackSize: 4)
    let request = PlayRequest(
      kind: "dqn", game: "pong", seed: 9, repeat_action_probability: 0.25, max_frames: 400,
      actions: Self.actions(count: 500, actionCount: 6, seed: 2), noop_max: 30, terminal_on_life_loss: false)
    try Self.compare(environment, request, rgbPixels: nil)
  }

  struct NumPyRequest: Encodable {
    var kind = "numpy"
    var seeds: [UInt64]
    var draws: Int
    var high: Int
  }

  struct NumPyAnswer: Decodable {
    var states: [[UInt32]]
    var integers: [[Int]]
    var outputs: [[String]]
  }

  @Test(.enabled(if: PythonReference.isAvailable))
  func seedSequenceAndPCG64MatchNumPy() throws {
    let seeds: [UInt64] = [0, 1, 7, 123, 4_294_967_295, 4_294_967_296, 0xDEAD_BEEF_CAFE]
    let answer: NumPyAnswer = try PythonReference.call(
      script: "atari_reference.py", request: NumPyRequest(seeds: seeds, draws: 200, high: 31))
    for (k, seed) in seeds.enumerated() {
      #expect(NumPySeedSequence(entropy: seed).generateState(2) == answer.states[k], "seed \(seed)")
      var generator = NumPyPCG64(seed: seed)
      #expect((0..<200).map { _ in generator.integers(1, 31) } == answer.integers[k], "seed \(seed)")
      var raw = NumPyPCG64(seed: seed)
      #expect((0..<200).map { _ in String(raw.next64()) } == answer.outputs[k], "seed \(seed)")
    }
  }

  struct ResizeRequest: Encodable {
    var kind = "resize"
    var seed: Int
    var count: Int
    var height: Int
    var width: Int
    var size: Int
  }

  struct ResizeAnswer: Decodable {
    var images: [[UInt8]]
    var resized: [[UInt8]]
  }

  @Test(.enabled(if: PythonReference.isAvailable))
  func areaResizeMatchesOpenCVBitForBit() throws {
    let answer: ResizeAnswer = try PythonReference.call(
      script: "atari_reference.py", request: ResizeRequest(seed: 4, count: 40, height: 210, width: 160, size: 84))
    let resize = AreaResize(sourceHeight: 210, sourceWidth: 160, height: 84, width: 84)
    for (image, expected) in zip(answer.images, answer.resized) {
      var result = [UInt8](repeating: 0, count: 84 * 84)
      image.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { resize.resize(source, into: $0) }
      }
      #expect(zip(result, expected).filter { $0 != $1 }.count == 0, "pixels differ from cv2.resize")
    }
  }
}
