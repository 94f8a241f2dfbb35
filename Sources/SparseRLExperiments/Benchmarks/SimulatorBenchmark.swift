import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// Steps per second of an environment that runs on MuJoCo — a Gymnasium task (`HalfCheetah-v5`) or a DeepMind
/// Control task (`dmc/cheetah-run`) — beside the bare simulator it wraps (that step's `mj_step` calls only) and,
/// optionally, its Python reference on the same MuJoCo library (Gymnasium's environment, or dm_control's
/// `suite.load(domain, task)`), measured in the same run. Actions are uniform in the box; episodes end where the
/// registered time limit or a termination ends them, and resets are timed.
public struct SimulatorBenchmark {
  /// One measurement.
  public struct Result: Sendable {
    /// The environment id.
    public let id: String
    /// Environment steps timed.
    public let steps: Int
    /// The environment's `step` (resets when an episode ends included).
    public let environmentStepsPerSecond: Double
    /// Bare `mj_step` calls only (`stepPhysicsOnly`) on the same actions and reset schedule, in environment
    /// steps per second.
    public let simulatorStepsPerSecond: Double
    /// The Python reference, when a Python interpreter was given.
    public let referenceStepsPerSecond: Double?

    /// Fraction of the environment step spent outside bare `mj_step` (observation, reward, checks, the
    /// post-constraint pass or dm_control's legacy step).
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

  /// Runs the Swift measurements, and the reference with `python` running `script` (called with the id and the
  /// step count; it prints `{"steps_per_second": x}`) when both are given.
  public func run(python: URL? = nil, script: URL? = nil) throws -> Result {
    let environment: any BareSimulationStepping = try id.hasPrefix("dmc/") ? DMC.make(id) : MuJoCo.make(id)
    let episodeLimit = try EnvironmentRegistry.spec(id).maxEpisodeSteps
    guard case .box(let box) = environment.actionSpace else {
      preconditionFailure("\(id): MuJoCo actions are boxes")
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
      var episodeSteps = 0
      environmentTimes.append(
        try clock.measure {
          for (t, action) in actions.enumerated() {
            episodeSteps += 1
            if try environment.step(.continuous(action)).isLast || episodeSteps == episodeLimit {
              resetAfter[t] = true
              episodeSteps = 0
              _ = try environment.reset()
            }
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
    var reference: Double?
    if let python, let script {
      struct Answer: Decodable { var stepsPerSecond: Double }
      let data = try ReferenceScript.run(python: python, script: script, arguments: [id, String(steps)])
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      reference = try decoder.decode(Answer.self, from: data).stepsPerSecond
    }
    return Result(
      id: id, steps: steps,
      environmentStepsPerSecond: Double(steps) / Self.seconds(environmentTimes.min()!),
      simulatorStepsPerSecond: Double(steps) / Self.seconds(simulatorTimes.min()!),
      referenceStepsPerSecond: reference)
  }

  private static func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
