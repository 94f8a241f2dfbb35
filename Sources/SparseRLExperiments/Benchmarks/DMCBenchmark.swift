import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// Control steps per second of a DeepMind Control task: the Swift environment, the bare simulator it wraps
/// (the control step's `mj_step` calls), and optionally dm_control's Python environment on the same MuJoCo
/// library, measured in the same run. Episodes end at dm_control's 1000-step time limit; resets are timed.
public struct DMCBenchmark {
  /// One measurement.
  public struct Result: Sendable {
    /// The task id (`dmc/<domain>-<task>`).
    public let id: String
    /// Control steps measured.
    public let steps: Int
    /// `DMCEnvironment.step` with uniform random actions (resets included).
    public let environmentStepsPerSecond: Double
    /// Bare `mj_step` calls only (`stepPhysicsOnly`) on the same actions and reset schedule.
    public let simulatorStepsPerSecond: Double
    /// dm_control's `suite.load(domain, task)` environment, when a Python interpreter was given.
    public let dmControlStepsPerSecond: Double?

    /// Fraction of the control step spent outside bare `mj_step` (legacy stepping's extra `mj_step1`,
    /// observation, reward, checks).
    public var overhead: Double { simulatorStepsPerSecond / environmentStepsPerSecond - 1 }
  }

  /// The task id (`dmc/<domain>-<task>`).
  public let id: String
  /// Control steps per measurement.
  public let steps: Int
  /// Measurements per Swift run; the fastest counts.
  public let repeats: Int

  /// A benchmark of `steps` control steps on task `id`, the fastest of `repeats` Swift runs counting.
  public init(id: String, steps: Int, repeats: Int = 3) {
    precondition(steps > 0 && repeats > 0, "the benchmark needs at least one step and one repeat")
    self.id = id
    self.steps = steps
    self.repeats = repeats
  }

  /// Runs the Swift measurements, and dm_control's with `python` (running `script`) when given.
  public func run(python: URL? = nil, script: URL? = nil) throws -> Result {
    let environment = try DMC.make(id)
    guard case .box(let box) = environment.actionSpace else {
      preconditionFailure("DeepMind Control actions are boxes")
    }
    var generator = RandomGenerator(seed: 0)
    let actions = (0..<steps).map { _ in
      (0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) }
    }
    let limit = DMC.episodeControlSteps
    let clock = ContinuousClock()
    var environmentTimes: [Duration] = []
    var simulatorTimes: [Duration] = []
    for _ in 0..<repeats {
      _ = try environment.reset(seed: 0)
      environmentTimes.append(
        try clock.measure {
          for (t, action) in actions.enumerated() {
            _ = try environment.step(.continuous(action))
            if (t + 1) % limit == 0 { _ = try environment.reset() }
          }
        })
      _ = try environment.reset(seed: 0)
      simulatorTimes.append(
        try clock.measure {
          for (t, action) in actions.enumerated() {
            environment.stepPhysicsOnly(action)
            if (t + 1) % limit == 0 { _ = try environment.reset() }
          }
        })
    }
    var dmControl: Double?
    if let python, let script {
      let task = id.dropFirst("dmc/".count).split(separator: "-", maxSplits: 1).map(String.init)
      struct Answer: Decodable { var steps_per_second: Double }
      let data = try ReferenceScript.run(
        python: python, script: script, arguments: task + [String(steps)])
      dmControl = try JSONDecoder().decode(Answer.self, from: data).steps_per_second
    }
    return Result(
      id: id, steps: steps,
      environmentStepsPerSecond: Double(steps) / Self.seconds(environmentTimes.min()!),
      simulatorStepsPerSecond: Double(steps) / Self.seconds(simulatorTimes.min()!),
      dmControlStepsPerSecond: dmControl)
  }

  private static func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
