import Foundation
import SparseRLNumerics

/// An Atari 2600 game on the Arcade Learning Environment, with the semantics of ale-py 0.12's Gymnasium
/// environment `ale_py.env.AtariEnv`:
///
/// - Actions index the game's minimal action set (or ALE's 18 legal actions with `fullActionSpace`); each step
///   plays the action for `frameskip` emulator frames and sums their rewards.
/// - Sticky actions are ALE's own: with probability `repeatActionProbability` the emulator repeats the previous
///   action in a frame, drawn from ALE's generator.
/// - Seeding as `AtariEnv.seed_game`: `reset(seed: s)` draws two words from NumPy's `SeedSequence(s)`; the first
///   seeds the NumPy generator `numpyRandom` (which `AtariPreprocessing` uses), the second becomes ALE's
///   `random_seed`, and the ROM is reloaded. An environment is seeded from system entropy when created.
/// - `terminated` is ALE's game over without truncation; `truncated` is ALE's frame limit
///   (`maxFramesPerEpisode`). Info: `lives`, `episode_frame_number`, `frame_number`.
/// - Observations are the screen as bytes: `.rgb` channel-major `[3, 210, 160]` (reference pixel `[y, x, c]` is
///   `observation[(c * 210 + y) * 160 + x]`), or `.grayscale` `[210, 160]`.
public final class AtariEnvironment: Environment {
  /// What an observation holds.
  public enum ObservationType: String, Sendable {
    /// Channel-major RGB `[3, 210, 160]`, or luminance `[210, 160]` as ALE computes it.
    case rgb, grayscale
  }

  public let id: String
  /// The snake_case ROM id, e.g. `space_invaders`.
  public let game: String
  /// What an observation holds.
  public let observationType: ObservationType
  /// Emulator frames per step.
  public let frameskip: Int
  /// Probability that the emulator repeats the previous action instead of the chosen one (sticky actions; 0.25 in `-v5`).
  public let repeatActionProbability: Float
  /// Frames after which an episode is truncated (ALE's `max_num_frames_per_episode`; nil: none).
  public let maxFramesPerEpisode: Int?
  public let observationSpace: Space
  public let actionSpace: Space
  /// The ALE action numbers the agent's actions map to.
  public let actionSet: [Int32]
  /// The environment's NumPy generator (`AtariEnv.np_random`), seeded as the reference seeds it.
  public internal(set) var numpyRandom: NumPyPCG64

  let emulator: ALEEmulator
  private let romPath: String
  private var aleSeed: Int32
  private var needsReset = true
  private var screen: [UInt8]

  /// The game `game` (a snake_case ROM id) with the settings of ale-py's `AtariEnv`; the defaults are the `-v5`
  /// registration's. Throws `EnvironmentError.unavailable` when the ALE runtime is not installed.
  public init(
    game: String, id: String? = nil, observationType: ObservationType = .rgb, frameskip: Int = 4,
    repeatActionProbability: Float = 0.25, fullActionSpace: Bool = false, maxFramesPerEpisode: Int? = 108_000,
    installation: ALEInstallation = .default
  ) throws {
    precondition(frameskip > 0, "frameskip must be positive, got \(frameskip)")
    precondition((0...1).contains(repeatActionProbability), "repeat action probability must be in [0, 1]")
    let id = id ?? "ALE/\(Atari.displayName(game))-v5"
    self.id = id
    self.game = game
    self.observationType = observationType
    self.frameskip = frameskip
    self.repeatActionProbability = repeatActionProbability
    self.maxFramesPerEpisode = maxFramesPerEpisode
    romPath = installation.romPath(game).path
    do {
      let library = try ALELibrary.shared(installation)
      guard FileManager.default.fileExists(atPath: romPath) else {
        throw ALELibraryError.notInstalled("no ROM for '\(game)': \(romPath) does not exist")
      }
      emulator = try ALEEmulator(library: library)
      try emulator.setFloat("repeat_action_probability", repeatActionProbability)
      if let maxFramesPerEpisode { try emulator.setInt("max_num_frames_per_episode", Int32(maxFramesPerEpisode)) }
      try emulator.setBool("sound_obs", false)
      var entropy = SystemRandomNumberGenerator()
      (numpyRandom, aleSeed) = Self.seeds(entropy.next())
      try emulator.setInt("random_seed", aleSeed)
      try emulator.loadROM(romPath)
    } catch let error as ALELibraryError {
      throw EnvironmentError.unavailable(id: id, reason: error.description)
    }
    actionSet = emulator.actionSet(full: fullActionSpace)
    actionSpace = .discrete(DiscreteSpace(actionSet.count))
    let (height, width) = (emulator.height, emulator.width)
    switch observationType {
    case .rgb:
      observationSpace = .box(BoxSpace(low: 0, high: 255, shape: [3, height, width], elementType: .uint8))
      screen = [UInt8](repeating: 0, count: height * width * 3)
    case .grayscale:
      observationSpace = .box(BoxSpace(low: 0, high: 255, shape: [height, width], elementType: .uint8))
      screen = [UInt8](repeating: 0, count: height * width)
    }
  }

  /// `AtariEnv.seed_game(seed)`: the NumPy generator and ALE's `random_seed` derived from `SeedSequence(seed)`.
  static func seeds(_ seed: UInt64) -> (NumPyPCG64, Int32) {
    let words = NumPySeedSequence(entropy: seed).generateState(2)
    return (NumPyPCG64(seed: UInt64(words[0])), Int32(bitPattern: words[1]))
  }

  /// The screen's height and width.
  public var screenSize: (height: Int, width: Int) { (emulator.height, emulator.width) }
  /// Lives left (ALE's `lives()`).
  public var lives: Int { emulator.lives }

  /// Copies the grayscale screen (`height x width` bytes, row-major) into `buffer`.
  public func grayscaleScreen(into buffer: UnsafeMutableBufferPointer<UInt8>) {
    precondition(buffer.count >= emulator.height * emulator.width, "grayscale buffer too small")
    emulator.grayscale(into: buffer.baseAddress!)
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    if let seed {
      (numpyRandom, aleSeed) = Self.seeds(seed)
      do {
        try emulator.setInt("random_seed", aleSeed)
        try emulator.loadROM(romPath)
      } catch { throw EnvironmentError.unavailable(id: id, reason: "\(error)") }
    }
    emulator.resetGame()
    needsReset = false
    return (observation(), info)
  }

  public func step(_ action: Action) throws -> Step {
    let outcome = try advance(action)
    return Step(
      observation: observation(), reward: outcome.reward, terminated: outcome.terminated,
      truncated: outcome.truncated, info: info)
  }

  /// `step` without building the observation and info (what `AtariPreprocessing` needs per frame).
  public func advance(_ action: Action) throws -> (reward: Double, terminated: Bool, truncated: Bool) {
    guard case .discrete(let index) = action, actionSpace.contains(action) else {
      throw EnvironmentError.invalidAction(environment: id, action: "\(action)", space: "\(actionSpace)")
    }
    guard !needsReset else { throw EnvironmentError.needsReset(environment: id) }
    var reward = 0
    for _ in 0..<frameskip { reward += emulator.act(actionSet[index]) }
    let terminated = emulator.gameOver(withTruncation: false)
    let truncated = emulator.gameTruncated
    needsReset = terminated || truncated
    return (Double(reward), terminated, truncated)
  }

  /// ale-py's step info.
  public var info: Info {
    Info([
      "lives": Double(emulator.lives), "episode_frame_number": Double(emulator.episodeFrameNumber),
      "frame_number": Double(emulator.frameNumber),
    ])
  }

  private func observation() -> [Float] {
    let (height, width) = (emulator.height, emulator.width)
    let pixels = height * width
    var result = [Float](repeating: 0, count: screen.count)
    screen.withUnsafeMutableBufferPointer { screen in
      switch observationType {
      case .grayscale:
        emulator.grayscale(into: screen.baseAddress!)
        for i in 0..<pixels { result[i] = Float(screen[i]) }
      case .rgb:
        // ALE's [y, x, c] bytes to channel-major [c, y, x].
        emulator.rgb(into: screen.baseAddress!)
        for i in 0..<pixels {
          for c in 0..<3 { result[c * pixels + i] = Float(screen[i * 3 + c]) }
        }
      }
    }
    return result
  }

  /// Integers: the emulator state bytes, then `needsReset`, ALE's seed and the NumPy generator's six words.
  public func saveState() -> EnvironmentState {
    let bytes = emulator.cloneState()
    return EnvironmentState(
      integers: bytes.map(Int.init) + [needsReset ? 1 : 0, Int(aleSeed)] + numpyRandom.savedWords)
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let tail = 8
    guard state.reals.isEmpty, state.generators.isEmpty, state.inner.isEmpty, state.integers.count > tail,
      state.integers.dropLast(tail).allSatisfy({ (0...255).contains($0) })
    else { throw EnvironmentError.invalidState(environment: id, reason: "not a saved Atari state") }
    let words = Array(state.integers.suffix(tail))
    guard let generator = NumPyPCG64(savedWords: Array(words[2...])), words[0] == 0 || words[0] == 1,
      let seed = Int32(exactly: words[1])
    else { throw EnvironmentError.invalidState(environment: id, reason: "invalid seeds in a saved Atari state") }
    do {
      try emulator.restoreState(state.integers.dropLast(tail).map { UInt8($0) })
    } catch { throw EnvironmentError.invalidState(environment: id, reason: "\(error)") }
    needsReset = words[0] == 1
    aleSeed = seed
    numpyRandom = generator
  }
}
