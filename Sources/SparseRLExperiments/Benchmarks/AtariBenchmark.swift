import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// Steps per second of an Atari game in the DQN setting (`AtariDQN/<Game>-v5`: sticky actions, frame skip 4 with
/// max-pooling, 84x84 grayscale, 4 stacked frames): the Swift environment, the bare emulator frames it plays, and
/// optionally ale-py under Gymnasium's wrappers and EnvPool, measured in the same run.
public struct AtariBenchmark {
  /// One measurement.
  public struct Result: Sendable {
    /// The game (`AtariDQN/<Game>-v5`).
    public let game: String
    /// Environment steps measured.
    public let steps: Int
    /// `AtariDQN/<Game>-v5` steps with uniform random actions (resets when an episode ends included).
    public let environmentStepsPerSecond: Double
    /// The same number of emulator frames (4 per step) through `AtariEnvironment` with frameskip 4 and no
    /// observation (ALE's `act` calls and the game-over checks only), in environment steps per second.
    public let emulatorStepsPerSecond: Double
    /// ale-py + Gymnasium's `AtariPreprocessing` and `FrameStackObservation`, when a Python interpreter was given.
    public let gymnasiumStepsPerSecond: Double?
    /// EnvPool's Atari environment (one environment, one thread), when installed.
    public let envPoolStepsPerSecond: Double?

    /// Fraction of the step spent outside the emulator (pooling, resizing, stacking, conversions).
    public var overhead: Double { emulatorStepsPerSecond / environmentStepsPerSecond - 1 }
  }

  /// The game (`AtariDQN/<Game>-v5`).
  public let game: String
  /// Environment steps per measurement.
  public let steps: Int
  /// Measurements per Swift run; the fastest counts.
  public let repeats: Int

  /// A benchmark of `game` (a snake_case ROM id such as `pong`).
  public init(game: String, steps: Int, repeats: Int = 3) {
    precondition(steps > 0 && repeats > 0, "the benchmark needs at least one step and one repeat")
    self.game = game
    self.steps = steps
    self.repeats = repeats
  }

  /// Runs the Swift measurements, and the Python ones with `python` (running `referenceScript`) when given.
  public func run(python: URL? = nil, referenceScript: URL? = nil) throws -> Result {
    let environment = try Atari.dqn(game)
    let bare = try AtariEnvironment(game: game, frameskip: 4)
    guard case .discrete(let space) = environment.actionSpace else { preconditionFailure("Atari actions are discrete") }
    var generator = RandomGenerator(seed: 0)
    let actions = (0..<steps).map { _ in generator.integer(below: space.count) }
    let clock = ContinuousClock()
    var environmentTimes: [Duration] = []
    var emulatorTimes: [Duration] = []
    for _ in 0..<repeats {
      _ = try environment.reset(seed: 0)
      environmentTimes.append(
        try clock.measure {
          for action in actions where try environment.step(.discrete(action)).isLast {
            _ = try environment.reset()
          }
        })
      _ = try bare.reset(seed: 0)
      emulatorTimes.append(
        try clock.measure {
          for action in actions {
            let outcome = try bare.advance(.discrete(action))
            if outcome.terminated || outcome.truncated { _ = try bare.reset() }
          }
        })
    }
    var references: (gymnasium: Double?, envpool: Double?) = (nil, nil)
    if let python, let referenceScript {
      struct Answer: Decodable {
        var gymnasium: Double
        var envpool: Double?
      }
      let data = try ReferenceScript.run(python: python, script: referenceScript, arguments: [game, String(steps)])
      let answer = try JSONDecoder().decode(Answer.self, from: data)
      references = (answer.gymnasium, answer.envpool)
    }
    return Result(
      game: game, steps: steps, environmentStepsPerSecond: Double(steps) / environmentTimes.min()!.seconds,
      emulatorStepsPerSecond: Double(steps) / emulatorTimes.min()!.seconds,
      gymnasiumStepsPerSecond: references.gymnasium, envPoolStepsPerSecond: references.envpool)
  }
}

extension Duration {
  fileprivate var seconds: Double {
    let parts = components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
