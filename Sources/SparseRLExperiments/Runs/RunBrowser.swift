import Foundation
import Yams

/// What `sparserl runs` and `sparserl show` print: a table of the runs under a folder, and one run's summary,
/// its configuration compared with its presets, and its last metrics. Everything is read from the run files
/// (`docs/run-files.md`); nothing is written.
public enum RunBrowser {
  /// One run directory found under the listed folder.
  public struct Entry: Sendable {
    /// The run.
    public let run: RunDirectory
    /// Its path relative to the listed folder.
    public let name: String
    /// Its `run.json`, when it could be read.
    public let record: RunRecord?

    /// `running`, `interrupted`, `finished`, ...; `unreadable` when `run.json` is missing or corrupt.
    public var status: String { record?.status ?? "unreadable" }

    /// The topology methods of the networks, in the order of `run.json`, each once (`rigl`, `dense/rigl`).
    public var methods: String {
      var seen: [String] = []
      for network in record?.networks ?? [] where !seen.contains(network.method) { seen.append(network.method) }
      return seen.joined(separator: "/")
    }

    /// The sparsity of each network in percent, in the order of `run.json` (`90/85/85`).
    public var sparsities: String {
      (record?.networks ?? []).map { RunBrowser.percent($0.sparsity) }.joined(separator: "/")
    }
  }

  /// The keys `sparserl runs --sort` accepts.
  public enum SortKey: String, CaseIterable, Sendable {
    /// `name` (the path), `status`, `agent`, `environment`, `method`, `sparsity` (the mean over the networks), `steps`, `score` (the final score), `speed` (steps per second), `time` (wall time).
    case name, status, agent, environment, method, sparsity, steps, score, speed, time
  }

  /// The run directories under `folder` (the folder itself when it is a run), searched `maxDepth` levels deep;
  /// a run's own subfolders are not searched.
  public static func find(in folder: URL, maxDepth: Int = 4) -> [Entry] {
    var entries: [Entry] = []
    func visit(_ url: URL, relative: String, depth: Int) {
      let run = RunDirectory(url: url)
      let manager = FileManager.default
      if manager.fileExists(atPath: run.config.path) || manager.fileExists(atPath: run.record.path) {
        entries.append(
          Entry(run: run, name: relative.isEmpty ? "." : relative, record: try? RunRecord.read(from: run.record)))
        return
      }
      guard depth < maxDepth, let children = try? manager.contentsOfDirectory(atPath: url.path) else { return }
      for child in children.sorted() where !child.hasPrefix(".") {
        var isFolder: ObjCBool = false
        let childURL = url.appendingPathComponent(child)
        guard manager.fileExists(atPath: childURL.path, isDirectory: &isFolder), isFolder.boolValue else { continue }
        visit(childURL, relative: relative.isEmpty ? child : relative + "/" + child, depth: depth + 1)
      }
    }
    visit(folder, relative: "", depth: 0)
    return entries
  }

  /// `entries` ordered by `key`: text keys alphabetically, numbers from small to large; runs without the value
  /// last, ties by name.
  public static func sorted(_ entries: [Entry], by key: SortKey) -> [Entry] {
    func number(_ entry: Entry) -> Double? {
      guard let record = entry.record else { return nil }
      switch key {
      case .sparsity:
        return record.networks.isEmpty
          ? nil : record.networks.map(\.sparsity).reduce(0, +) / Double(record.networks.count)
      case .steps: return Double(record.environmentSteps)
      case .score: return record.finalScore
      case .speed: return record.stepsPerSecond
      case .time: return record.wallTimeSeconds
      default: return nil
      }
    }
    func text(_ entry: Entry) -> String {
      switch key {
      case .status: entry.status
      case .agent: entry.record?.agent ?? ""
      case .environment: entry.record?.environment ?? ""
      case .method: entry.methods
      default: entry.name
      }
    }
    let numeric: Set<SortKey> = [.sparsity, .steps, .score, .speed, .time]
    return entries.sorted { a, b in
      if numeric.contains(key) {
        switch (number(a), number(b)) {
        case (let x?, let y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.name < b.name
        }
      }
      let (x, y) = (text(a), text(b))
      return x != y ? x < y : a.name < b.name
    }
  }

  /// The table of `sparserl runs`: one line per run.
  public static func table(_ entries: [Entry]) -> String {
    let header = [
      "run", "status", "agent", "environment", "method", "sparsity %", "steps", "score", "steps/s", "wall time",
    ]
    let rows =
      [header]
      + entries.map { entry in
        guard let record = entry.record else { return [entry.name, entry.status] + Array(repeating: "-", count: 8) }
        return [
          entry.name, record.status, record.agent, record.environment, entry.methods, entry.sparsities,
          "\(record.environmentSteps)/\(record.totalSteps)",
          record.finalScore.map { String(format: "%.2f", $0) } ?? "-",
          ProgressReporter.short(record.stepsPerSecond), ProgressReporter.duration(record.wallTimeSeconds),
        ]
      }
    return align(rows)
  }

  /// The text of `sparserl show`: the summary, the configuration compared with its presets, the last metrics.
  public static func details(of run: RunDirectory) throws -> String {
    var sections: [String] = []
    let record: RunRecord
    do {
      record = try RunRecord.read(from: run.record)
    } catch {
      throw RunDirectory.Problem(description: "cannot read \(run.record.path): \(error)")
    }
    sections.append(RunSummary.text(record, run: run))
    sections.append(try configurationDifferences(of: run))
    sections.append(lastMetrics(of: run))
    return sections.joined(separator: "\n\n")
  }

  // MARK: - Configuration

  /// The keys whose value in the run's `config.yaml` differs from its presets resolved today (or from the
  /// agent's defaults when it was not made from presets): the overrides and files the run added, and any change
  /// of the presets since.
  static func configurationDifferences(of run: RunDirectory) throws -> String {
    let text = try String(contentsOf: run.config, encoding: .utf8)
    let madeFrom = ConfigProvenance.madeFrom(configText: text)
    let presets = ConfigProvenance.presets(in: madeFrom)
    let runValues = try flatten(text)
    guard let agent = runValues["agent"] else {
      throw RunDirectory.Problem(description: "\(run.config.path) names no agent")
    }
    var lines = ["made from: " + (madeFrom.isEmpty ? "(not recorded)" : madeFrom.joined(separator: ", "))]
    var layers = [Experiment.Layer(yaml: "agent: \(agent)", source: "agent of the run")]
    var reference = "the defaults of \(agent)"
    do {
      layers += try presets.map(Presets.layer)
      if !presets.isEmpty { reference = presets.joined(separator: " + ") }
    } catch {
      lines.append("(its presets cannot be read today, so it is compared with the defaults: \(error))")
      layers = [layers[0]]
    }
    let expected = try flatten(Experiment.resolve(layers: layers, overrides: []).resolvedYAML)
    let keys = Set(runValues.keys).union(expected.keys).sorted()
    let changed = keys.filter { runValues[$0] != expected[$0] }
    lines.append("differences from \(reference)" + (changed.isEmpty ? ": none" : ":"))
    for key in changed {
      lines.append("  \(key): \(expected[key] ?? "(absent)") -> \(runValues[key] ?? "(absent)")")
    }
    return lines.joined(separator: "\n")
  }

  /// Every scalar and list of a YAML document by dotted key, as YAML text.
  static func flatten(_ yaml: String) throws -> [String: String] {
    var values: [String: String] = [:]
    func visit(_ node: Node, _ path: String) throws {
      if let mapping = node.mapping {
        for (key, value) in mapping {
          try visit(value, path.isEmpty ? key.string ?? "" : path + "." + (key.string ?? ""))
        }
      } else if let sequence = node.sequence {
        values[path] =
          "["
          + (try sequence.map { try Yams.serialize(node: $0).trimmingCharacters(in: .whitespacesAndNewlines) }).joined(
            separator: ", ") + "]"
      } else {
        values[path] = node.string ?? ""
      }
    }
    if let root = try Yams.compose(yaml: yaml) { try visit(root, "") }
    return values
  }

  // MARK: - Metrics

  /// The last row of each metrics file, as `column value` pairs, with the number of rows.
  static func lastMetrics(of run: RunDirectory) -> String {
    var lines = ["last metrics:"]
    for (url, rowName) in [
      (run.trainMetrics, "rows"), (run.episodeMetrics, "episodes"), (run.evaluationMetrics, "evaluations"),
    ] {
      let name = url.lastPathComponent
      guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        lines.append("  \(name): missing")
        continue
      }
      let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
      guard let header = rows.first, let last = rows.dropFirst().last else {
        lines.append("  \(name): no rows yet")
        continue
      }
      let cells = zip(header, last).dropFirst().filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1)" }
      lines.append(
        "  \(name) (\(rows.count - 1) \(rowName)), step \(last.first ?? ""): " + cells.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }

  // MARK: - Formatting

  /// `0.9` -> `90`, `0.955` -> `95.5`.
  static func percent(_ fraction: Double) -> String {
    let value = (1000 * fraction).rounded() / 10
    return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
  }

  /// Columns padded to their widest cell, two spaces apart.
  static func align(_ rows: [[String]]) -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
      row.indices.map {
        $0 == row.count - 1 ? row[$0] : row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0)
      }
      .joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
