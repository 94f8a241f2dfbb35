import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// Steps per second of a MuJoCo environment: the full Swift environment, the bare simulator it wraps
/// (`frameSkip` `mj_step` calls per step), and optionally Gymnasium's Python environment on the same MuJoCo
/// library, measured in the same run.
public struct MuJoCoBenchmark {
  /// One measurement.
  public struct Result: Sendable {
    public let id: String
    public let steps: Int
    /// `MuJoCoEnvironment.step` with random actions (resets included).
    public let environmentStepsPerSecond: Double
    /// Bare `mj_step` calls only (`stepPhysicsOnly`), in environment steps per second.
    public let simulatorStepsPerSecond: Double
    /// Gymnasium's environment, when a Python interpreter was given.
    public let gymnasiumStepsPerSecond: Double?

    /// Fraction of the environment step spent outside `mj_step` (observation, reward, checks, the
    /// post-constraint pass).
    public var overhead: Double { simulatorStepsPerSecond / environmentStepsPerSecond - 1 }
  }

  public let id: String
  public let steps: Int

  public init(id: String, steps: Int) {
    precondition(steps > 0, "the benchmark needs at least one step")
    self.id = id
    self.steps = steps
  }

  /// Runs the Swift measurements, and Gymnasium's with `python` (running `gymnasiumScript`) when given.
  public func run(python: URL? = nil, gymnasiumScript: URL? = nil) throws -> Result {
    let environment = try MuJoCo.make(id)
    guard case .box(let box) = environment.actionSpace else { preconditionFailure("MuJoCo actions are boxes") }
    var generator = RandomGenerator(seed: 0)
    let actions = (0..<steps).map { _ in (0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) } }

    _ = try environment.reset(seed: 0)
    let clock = ContinuousClock()
    let environmentTime = try clock.measure {
      for action in actions where try environment.step(.continuous(action)).isLast {
        _ = try environment.reset()
      }
    }
    _ = try environment.reset(seed: 0)
    let simulatorTime = clock.measure {
      for action in actions { environment.stepPhysicsOnly(action) }
    }
    var gymnasium: Double?
    if let python, let gymnasiumScript {
      gymnasium = try Self.gymnasiumStepsPerSecond(id: id, steps: steps, python: python, script: gymnasiumScript)
    }
    return Result(
      id: id, steps: steps, environmentStepsPerSecond: Double(steps) / environmentTime.seconds,
      simulatorStepsPerSecond: Double(steps) / simulatorTime.seconds, gymnasiumStepsPerSecond: gymnasium)
  }

  private static func gymnasiumStepsPerSecond(id: String, steps: Int, python: URL, script: URL) throws -> Double {
    struct Answer: Decodable { var steps_per_second: Double }
    let process = Process()
    process.executableURL = python
    process.arguments = [script.path, id, String(steps)]
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw MuJoCoBenchmarkError(description: "\(script.path) exited with status \(process.terminationStatus)")
    }
    return try JSONDecoder().decode(Answer.self, from: data).steps_per_second
  }
}

/// A failed Gymnasium measurement.
public struct MuJoCoBenchmarkError: Error, CustomStringConvertible {
  public let description: String
}

extension Duration {
  fileprivate var seconds: Double {
    let parts = components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
