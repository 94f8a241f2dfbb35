/// Gymnasium 1.4.0's `AtariPreprocessing` for grayscale 84x84 observations (its defaults `grayscale_obs=True`,
/// `grayscale_newaxis=False`, `scale_obs=False`), over an `AtariEnvironment` created with `frameskip: 1`:
///
/// - `reset`: resets the inner environment, then plays a number of NOOP actions (action 0) drawn from the Atari
///   environment's NumPy generator, `integers(1, noopMax + 1)` (resetting again with the same seed if an episode
///   ends during them); the observation is the current screen (the second pooling buffer is zeroed).
/// - `step`: repeats the action `frameSkip` times, summing rewards and stopping early at an episode end; the
///   grayscale screens of the last two frames are max-pooled in place into the first buffer (so an early stop
///   reuses the buffers as Gymnasium does), then resized to `screenSize x screenSize` with OpenCV's `INTER_AREA`
///   (`AreaResize`). With `terminalOnLifeLoss`, a lost life ends the episode as terminated.
///
/// Observations are `[screenSize, screenSize]` bytes (as floats), row-major.
public final class AtariPreprocessing: EnvironmentWrapper {
  public let inner: any Environment
  /// At most this many no-op actions after a reset (a uniform number from 0 up to it).
  public let noopMax: Int
  /// Emulator frames per step (the last two are max-pooled).
  public let frameSkip: Int
  /// Side of the square resized observation (84).
  public let screenSize: Int
  /// Whether losing a life ends the episode as terminated.
  public let terminalOnLifeLoss: Bool
  public let observationSpace: Space
  private let atari: AtariEnvironment
  private let resize: AreaResize
  /// The two pooling buffers (`obs_buffer[0]`, `obs_buffer[1]`), each `height x width` grayscale bytes.
  private var buffers: [[UInt8]]
  private var lives = 0
  /// Whether the last step ended the game (`game_over`).
  public private(set) var gameOver = false

  /// Wraps `inner`, whose innermost environment must be an `AtariEnvironment` with frameskip 1 when `frameSkip`
  /// is above 1 (as Gymnasium requires).
  public init(
    _ inner: any Environment, noopMax: Int = 30, frameSkip: Int = 4, screenSize: Int = 84,
    terminalOnLifeLoss: Bool = false
  ) {
    guard let atari = inner.unwrapped as? AtariEnvironment else {
      preconditionFailure("AtariPreprocessing needs an Atari environment, got \(inner.id)")
    }
    precondition(frameSkip > 0, "frame_skip must be positive, got \(frameSkip)")
    precondition(
      frameSkip == 1 || atari.frameskip == 1,
      "\(inner.id) skips \(atari.frameskip) frames itself: create it with frameskip 1 for AtariPreprocessing")
    precondition(noopMax >= 0, "noop_max must be non-negative, got \(noopMax)")
    self.inner = inner
    self.atari = atari
    self.noopMax = noopMax
    self.frameSkip = frameSkip
    self.screenSize = screenSize
    self.terminalOnLifeLoss = terminalOnLifeLoss
    let (height, width) = atari.screenSize
    resize = AreaResize(sourceHeight: height, sourceWidth: width, height: screenSize, width: screenSize)
    buffers = Array(repeating: [UInt8](repeating: 0, count: height * width), count: 2)
    observationSpace = .box(BoxSpace(low: 0, high: 255, shape: [screenSize, screenSize], elementType: .uint8))
  }

  public var id: String { inner.id }
  public var actionSpace: Space { inner.actionSpace }

  /// One inner step: straight on the emulator when this wraps the Atari environment itself (the observation
  /// it would build is not used), else through the wrappers in between.
  private func innerStep(_ action: Action) throws -> (reward: Double, terminated: Bool, truncated: Bool, info: Info?) {
    if inner === atari {
      let outcome = try atari.advance(action)
      return (outcome.reward, outcome.terminated, outcome.truncated, nil)
    }
    let step = try inner.step(action)
    return (step.reward, step.terminated, step.truncated, step.info)
  }

  private func capture(_ index: Int) {
    buffers[index].withUnsafeMutableBufferPointer { atari.grayscaleScreen(into: $0) }
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    var (_, info) = try inner.reset(seed: seed)
    let noops = noopMax > 0 ? atari.numpyRandom.integers(1, noopMax + 1) : 0
    for _ in 0..<noops {
      let outcome = try innerStep(.discrete(0))
      for (key, value) in (outcome.info ?? atari.info).values { info[key] = value }
      if outcome.terminated || outcome.truncated { info = try inner.reset(seed: seed).info }
    }
    lives = atari.lives
    capture(0)
    for i in buffers[1].indices { buffers[1][i] = 0 }
    return (observation(), info)
  }

  public func step(_ action: Action) throws -> Step {
    var total = 0.0
    var terminated = false
    var truncated = false
    var info: Info? = nil
    for t in 0..<frameSkip {
      let outcome = try innerStep(action)
      total += outcome.reward
      (terminated, truncated, info) = (outcome.terminated, outcome.truncated, outcome.info)
      gameOver = terminated
      if terminalOnLifeLoss {
        let newLives = atari.lives
        terminated = terminated || newLives < lives
        gameOver = terminated
        lives = newLives
      }
      if terminated || truncated { break }
      if t == frameSkip - 2 {
        capture(1)
      } else if t == frameSkip - 1 {
        capture(0)
      }
    }
    return Step(
      observation: observation(), reward: total, terminated: terminated, truncated: truncated,
      info: info ?? atari.info)
  }

  /// Max-pools the buffers into the first one (when skipping frames) and resizes it.
  private func observation() -> [Float] {
    if frameSkip > 1 {
      for i in buffers[0].indices where buffers[1][i] > buffers[0][i] { buffers[0][i] = buffers[1][i] }
    }
    var small = [UInt8](repeating: 0, count: screenSize * screenSize)
    buffers[0].withUnsafeBufferPointer { source in
      small.withUnsafeMutableBufferPointer { resize.resize(source, into: $0) }
    }
    return small.map(Float.init)
  }

  /// Integers: lives, game over, then both buffers; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(
      integers: [lives, gameOver ? 1 : 0] + buffers[0].map(Int.init) + buffers[1].map(Int.init),
      inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let name = "AtariPreprocessing(\(id))"
    let size = buffers[0].count
    try state.expect(reals: 0, integers: 2 + 2 * size, generators: 0, environment: name)
    guard state.integers.dropFirst(2).allSatisfy({ (0...255).contains($0) }) else {
      throw EnvironmentError.invalidState(environment: name, reason: "pooling buffers hold non-byte values")
    }
    try inner.restoreState(state.innerState(of: name))
    lives = state.integers[0]
    gameOver = state.integers[1] == 1
    buffers[0] = state.integers[2..<(2 + size)].map { UInt8($0) }
    buffers[1] = state.integers[(2 + size)...].map { UInt8($0) }
  }
}
