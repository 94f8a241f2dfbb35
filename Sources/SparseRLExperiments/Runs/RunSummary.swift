import Foundation

/// The text printed at the end of `sparserl train` and `sparserl resume`: how the trained sparse agent did and
/// what it cost.
public enum RunSummary {
  /// The summary of `record` for the run in `run`.
  public static func text(_ record: RunRecord, run: RunDirectory) -> String {
    var lines: [String] = []
    let status =
      record.status == "finished" ? "finished" : "\(record.status) (continue with `sparserl resume \(run.url.path)`)"
    lines.append(
      "\(record.agent) on \(record.environment), seed \(record.seed): \(status) after \(record.environmentSteps) steps in "
        + "\(ProgressReporter.duration(record.wallTimeSeconds)) (\(ProgressReporter.short(record.stepsPerSecond)) steps/s)"
    )
    if let score = record.finalScore {
      lines.append(
        "final score: \(String(format: "%.2f", score)) (mean evaluation return, \(record.evaluations) evaluations)")
    }
    lines.append("")
    let header = ["network", "method", "sparsity", "active weights", "inference FLOPs", "vs dense"]
    var rows = [header]
    for network in record.networks {
      rows.append([
        network.role, network.method, String(format: "%.1f%%", 100 * network.sparsity),
        "\(network.activeWeights) / \(network.totalWeights)", "\(network.inferenceFLOPs)",
        String(format: "%.3fx", Double(network.inferenceFLOPs) / Double(max(network.denseInferenceFLOPs, 1))),
      ])
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
      lines.append(
        row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
    let parameters = record.parameters
    lines.append("")
    lines.append(
      "parameters: \(parameters.active) active of \(parameters.total) "
        + String(format: "(%.1f%%)", 100 * Double(parameters.active) / Double(max(parameters.total, 1)))
        + String(format: "; training FLOPs per sample %.3fx dense", record.trainingFLOPsRatio))
    lines.append("run directory: \(run.url.path)")
    return lines.joined(separator: "\n")
  }
}
