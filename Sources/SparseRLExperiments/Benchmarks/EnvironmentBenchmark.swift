import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// `sparserl bench envs`: single-core steps per second of registered environments with random actions,
/// beside Gymnasium's (or MinAtar's) Python implementation measured in the same run.
///
/// Both sides build the environment as training does (`EnvironmentRegistry.make` / `gymnasium.make`, with
/// the time limit), sample actions from the action space, and reset at episode ends; the clock runs over
/// whole batches of 256 steps until at least `seconds` have passed.
public enum EnvironmentBenchmark {
  /// One row of the benchmark table.
  public struct Row: Sendable {
    /// The environment id.
    public let id: String
    /// Swift steps per second, or `nil` with `swiftError` set.
    public var swiftStepsPerSecond: Double?
    /// Why the Swift environment could not be measured.
    public var swiftError: String?
    /// Python steps per second, or `nil` with `referenceError` set (or both nil when not measured).
    public var referenceStepsPerSecond: Double?
    /// Why the Python reference could not be measured.
    public var referenceError: String?

    /// Swift over Python steps per second.
    public var ratio: Double? {
      guard let swift = swiftStepsPerSecond, let python = referenceStepsPerSecond, python > 0 else {
        return nil
      }
      return swift / python
    }
  }

  /// Every registered id, in registration order.
  public static var registeredIDs: [String] { EnvironmentRegistry.ids }

  /// Throws `EnvironmentError.unknownEnvironment` (with suggestions) for the first unknown id.
  public static func validate(_ ids: [String]) throws {
    for id in ids { _ = try EnvironmentRegistry.spec(id) }
  }

  /// Steps per second of the Swift environment `id` with random actions (seeded), over at least `seconds`.
  public static func measureSwift(id: String, seconds: Double, seed: UInt64 = 0) throws -> Double {
    let environment = try EnvironmentRegistry.make(id)
    var generator = RandomGenerator(seed: seed).stream("bench-actions")
    let space = environment.actionSpace
    _ = try environment.reset(seed: seed)
    let clock = ContinuousClock()
    let start = clock.now
    var steps = 0
    while true {
      for _ in 0..<256 {
        let step = try environment.step(space.sample(using: &generator))
        if step.isLast { _ = try environment.reset() }
      }
      steps += 256
      let elapsed = start.duration(to: clock.now)
      let elapsedSeconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      if elapsedSeconds >= seconds { return Double(steps) / elapsedSeconds }
    }
  }

  /// Errors from running the Python reference script.
  public struct ReferenceFailure: Error, CustomStringConvertible {
    public let description: String
  }

  /// Runs the reference `script` with `python` on all `ids` at once and returns, per id, steps per second
  /// or an error message.
  public static func measureReference(
    ids: [String], seconds: Double, python: URL, script: URL
  ) throws -> [String: Result<Double, ReferenceFailure>] {
    let data: Data
    do {
      data = try ReferenceScript.run(python: python, script: script, arguments: ["--seconds", "\(seconds)"] + ids)
    } catch {
      throw ReferenceFailure(description: "\(error)")
    }
    struct Entry: Decodable {
      var steps_per_second: Double?
      var error: String?
    }
    let decoded = try JSONDecoder().decode([String: Entry].self, from: data)
    return decoded.mapValues { entry in
      if let rate = entry.steps_per_second { return .success(rate) }
      return .failure(ReferenceFailure(description: entry.error ?? "no result"))
    }
  }

  /// Measures every id in Swift, then (unless `python` is nil) all of them in Python in one process.
  public static func run(ids: [String], seconds: Double, python: URL?, script: URL) throws -> [Row] {
    try validate(ids)
    var rows = ids.map { Row(id: $0) }
    for index in rows.indices {
      do {
        rows[index].swiftStepsPerSecond = try measureSwift(id: rows[index].id, seconds: seconds)
      } catch {
        rows[index].swiftError = "\(error)"
      }
    }
    guard let python else { return rows }
    do {
      let reference = try measureReference(
        ids: ids, seconds: seconds, python: python, script: script)
      for index in rows.indices {
        switch reference[rows[index].id] {
        case .success(let rate): rows[index].referenceStepsPerSecond = rate
        case .failure(let failure): rows[index].referenceError = failure.description
        case nil: rows[index].referenceError = "not measured"
        }
      }
    } catch {
      for index in rows.indices { rows[index].referenceError = "\(error)" }
    }
    return rows
  }

  /// A Markdown table of `rows`: id, Swift steps/s, Python steps/s, ratio; errors are footnoted below.
  public static func table(_ rows: [Row]) -> String {
    func rate(_ value: Double?) -> String { value.map { String(Int($0.rounded())) } ?? "n/a" }
    var lines = [
      "| environment | Swift steps/s | Python steps/s | Swift / Python |", "|---|---:|---:|---:|",
    ]
    for row in rows {
      let ratio = row.ratio.map { String(format: "%.1fx", $0) } ?? "n/a"
      lines.append(
        "| \(row.id) | \(rate(row.swiftStepsPerSecond)) | \(rate(row.referenceStepsPerSecond)) | \(ratio) |"
      )
    }
    for row in rows {
      if let error = row.swiftError { lines.append("- \(row.id) (Swift): \(error)") }
      if let error = row.referenceError { lines.append("- \(row.id) (Python): \(error)") }
    }
    return lines.joined(separator: "\n")
  }
}
