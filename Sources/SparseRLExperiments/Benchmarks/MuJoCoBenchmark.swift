import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// Steps per second of a MuJoCo environment: the full Swift environment, the bare simulator it wraps
/// (`frameSkip` `mj_step` calls per step), and optionally Gymnasium's Python environment on the same MuJoCo
/// library, measured in the same run.
public struct MuJoCoBenchmark {
  /// One measurement.
  public struct Result: Sendable {
    /// The environment id.
    public let id: String
    /// Environment steps timed.
    public let steps: Int
    /// `MuJoCoEnvironment.step` with uniform random actions (resets when an episode ends included).
    public let environmentStepsPerSecond: Double
    /// Bare `mj_step` calls only (`stepPhysicsOnly`) on the same actions and reset schedule, in environment
    /// steps per second.
    public let simulatorStepsPerSecond: Double
    /// Gymnasium's environment, when a Python interpreter was given.
    public let gymnasiumStepsPerSecond: Double?

    /// Fraction of the environment step spent outside `mj_step` (observation, reward, checks, the
    /// post-constraint pass).
    public var overhead: Double { simulatorStepsPerSecond / environmentStepsPerSecond - 1 }
  }

  /// The environment id.
  public let id: String
  /// Environment steps per measurement.
  public let steps: Int
  /// Measurements per Swift run; the fastest counts.
  public let repeats: Int

  /// A benchmark of `steps` random steps of `id`, the fastest of `repeats` runs.
  public init(id: String, steps: Int, repeats: Int = 3) {
    precondition(steps > 0 && repeats > 0, "the benchmark needs at least one step and one repeat")
    self.id = id
    self.steps = steps
    self.repeats = repeats
  }

  /// Runs the Swift measurements, and Gymnasium's with `python` (running `gymnasiumScript`) when given.
  public func run(python: URL? = nil, gymnasiumScript: URL? = nil) throws -> Result {
    let environment = try MuJoCo.make(id)
    guard case .box(let box) = environment.actionSpace else {
      preconditionFailure("MuJoCo actions are boxes")
    }
    var generator = RandomGenerator(seed: 0)
    let actions = (0..<steps).map { _ in
      (0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) }
    }

    // The bare run replays the same actions and resets at the same steps, so it simulates the same states.
    // Both runs alternate `repeats` times and keep their fastest time (the machine may be shared).
    var resetAfter = [Bool](repeating: false, count: steps)
    let clock = ContinuousClock()
    var environmentTimes: [Duration] = []
    var simulatorTimes: [Duration] = []
    for _ in 0..<repeats {
      _ = try environment.reset(seed: 0)
      environmentTimes.append(
        try clock.measure {
          for (t, action) in actions.enumerated()
          where try environment.step(.continuous(action)).isLast {
            resetAfter[t] = true
            _ = try environment.reset()
          }
        })
      _ = try environment.reset(seed: 0)
      simulatorTimes.append(
        try clock.measure {
          for (t, action) in actions.enumerated() {
            environment.stepPhysicsOnly(action)
            if resetAfter[t] { _ = try environment.reset() }
          }
        })
    }
    let environmentTime = environmentTimes.min()!
    let simulatorTime = simulatorTimes.min()!
    var gymnasium: Double?
    if let python, let gymnasiumScript {
      gymnasium = try Self.gymnasiumStepsPerSecond(
        id: id, steps: steps, python: python, script: gymnasiumScript)
    }
    return Result(
      id: id, steps: steps, environmentStepsPerSecond: Double(steps) / environmentTime.seconds,
      simulatorStepsPerSecond: Double(steps) / simulatorTime.seconds,
      gymnasiumStepsPerSecond: gymnasium)
  }

  private static func gymnasiumStepsPerSecond(id: String, steps: Int, python: URL, script: URL)
    throws -> Double
  {
    struct Answer: Decodable { var steps_per_second: Double }
    let data = try ReferenceScript.run(python: python, script: script, arguments: [id, String(steps)])
    return try JSONDecoder().decode(Answer.self, from: data).steps_per_second
  }
}

extension Duration {
  fileprivate var seconds: Double {
    let parts = components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
