import Foundation

/// The text of `sparserl sweep status DIR`: one line per run (state, steps, score, the failure's last error line),
/// then the counts. When the study was submitted to Slurm, the queue (`squeue`) and accounting (`sacct`, where
/// configured) are asked too.
public enum StudyStatusText {
  /// The status text of `study`.
  public static func text(_ study: StudyDirectory) -> String {
    let slurm = SlurmLauncher(executable: URL(fileURLWithPath: "sparserl"), settings: .init())
    let scheduler = slurm.schedulerStates(study: study)
    guard let states = try? study.states(active: scheduler.active) else {
      return "\(study.url.path) is not a study folder (no study.yaml)"
    }
    let totals =
      (try? study.readResolvedStudy().runs.map(\.name)).map { names in
        Dictionary(
          uniqueKeysWithValues: names.map { name in
            (name, (try? RunRecord.read(from: study.run(name).record))?.totalSteps)
          })
      } ?? [:]
    var rows = [["run", "state", "steps", "score", "detail"]]
    for (name, state) in states {
      let record = try? RunRecord.read(from: study.run(name).record)
      let steps = record.map { "\($0.environmentSteps)/\(totals[name].flatMap { $0 } ?? $0.totalSteps)" } ?? ""
      var detail = ""
      var score = ""
      switch state {
      case .finished(let value): score = value.map { String(format: "%.2f", $0) } ?? ""
      case .failed(let error, let step): detail = (step.map { "at step \($0): " } ?? "") + error
      default: break
      }
      if let accounting = scheduler.accounting[name] { detail += (detail.isEmpty ? "" : "; ") + "sacct: \(accounting)" }
      rows.append([name, state.label, steps, score, detail])
    }
    let counts = ["finished", "running", "queued", "interrupted", "failed", "pending"].compactMap { label -> String? in
      let count = states.count { $0.state.label == label }
      return count > 0 ? "\(count) \(label)" : nil
    }
    return table(rows) + "\n" + counts.joined(separator: ", ")
  }

  /// Left-aligned columns separated by two spaces.
  public static func table(_ rows: [[String]]) -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
