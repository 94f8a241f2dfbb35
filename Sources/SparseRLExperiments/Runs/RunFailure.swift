import Foundation

/// `resume` found checkpoints, but none of them is valid: starting over would discard the run's metrics, so it
/// refuses and names the files (`sparserl resume --restart` starts over on purpose).
public struct DamagedCheckpoints: Error, CustomStringConvertible {
  /// The run directory.
  public let run: URL
  /// Each damaged checkpoint with the reason it was rejected.
  public let files: [(file: URL, reason: String)]

  public var description: String {
    let list = files.map { "  \($0.file.path): \($0.reason)" }.joined(separator: "\n")
    return """
      every checkpoint of \(run.path) is damaged; nothing was changed:
      \(list)
      start the run over from step 0 with `sparserl resume --restart \(run.path)`
      """
  }
}

/// Writes `run.json` with status `failed`, the error and the step it happened at, so that a run that stopped on
/// an error is never mistaken for a live one.
enum RunFailure {
  static func record(
    _ error: any Error, step: Int, experiment: Experiment, run: RunDirectory,
    networks: [RunRecord.NetworkRecord] = []
  ) throws {
    let previous = try? RunRecord.readAnySpelling(from: run.record)
    let settings = experiment.run
    var record =
      previous
      ?? RunRecord(
        status: "failed", version: sparseRLVersion, agent: experiment.kind.rawValue,
        environment: settings.environment, seed: settings.seed, totalSteps: settings.totalSteps,
        environmentSteps: step, finalScore: nil, evaluations: 0, wallTimeSeconds: 0, stepsPerSecond: 0,
        networks: networks)
    record.status = "failed"
    record.environmentSteps = step
    record.error = "\(error)"
    record.failedAtStep = step
    if !networks.isEmpty { record.networks = networks }
    try record.write(to: run.record)
  }
}

extension RunRecord {
  /// Reads `run.json` whichever spelling its FLOP keys have (`inference_flops` or the older `inference_flo_ps`,
  /// which the default snake-case conversion cannot map back to `inferenceFLOPs`).
  public static func readAnySpelling(from url: URL) throws -> RunRecord {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .custom { path in
      let key = path.last!.stringValue
      var parts = key.split(separator: "_").map(String.init)
      guard !parts.isEmpty else { return path.last! }
      for index in parts.indices.dropFirst() {
        parts[index] =
          parts[index] == "flops" ? "FLOPs" : parts[index].prefix(1).uppercased() + parts[index].dropFirst()
      }
      let camel = parts.joined().replacingOccurrences(of: "FloPs", with: "FLOPs")
      return AnyKey(camel)
    }
    return try decoder.decode(RunRecord.self, from: Data(contentsOf: url))
  }

  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
}
