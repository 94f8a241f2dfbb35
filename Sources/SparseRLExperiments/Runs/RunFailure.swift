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
    let previous = try? RunRecord.read(from: run.record)
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
