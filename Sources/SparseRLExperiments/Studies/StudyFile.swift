import Foundation
import Yams

/// A study declared in one YAML file: base configurations, named axes whose values are configuration overlays
/// and/or `--set` overrides, seeds, exclusions, a budget scale, Slurm resources and report settings.
///
/// ```yaml
/// name: rlx2-table2-td3
/// base: ["rlx2/td3-{environment}"]          # presets or files; {axis} is replaced by that axis's value name
/// seeds: 8                                   # 0..<8, or a list [0, 3, 7]
/// budget: 0.01                               # scales every step-count key (BudgetScale)
/// axes:
///   environment: [halfcheetah, hopper]       # bare names: only used in {placeholders}
///   method:
///     - {name: rlx2}
///     - {name: static, configs: [rlx2/baselines/td3-static]}
///   sparsity:                                # scalar values written to every key listed
///     keys: [td3.actor_sparsity.sparsity, td3.critic_sparsity.sparsity]
///     values: [0.8, 0.9]
/// exclude:
///   - {method: rlx2, sparsity: 0.8}          # a value or a list of values per axis
/// set: {evaluation_episodes: 5}              # overrides for every run
/// slurm: {partition: cpu, time: "08:00:00", cpus_per_task: 1, mem: 4G, signal_seconds: 120, extra: ["--qos=low"]}
/// report: {task: environment, group: [method], baseline: {method: dense}}
/// ```
public struct StudyFile: Equatable, Sendable {
  /// One value of an axis: its name (used in run names, placeholders and reports) and what it changes.
  public struct Value: Equatable, Sendable {
    /// The value name.
    public var name: String
    /// Configuration overlays (presets or files) applied after the base, in axis order.
    public var configs: [String] = []
    /// `key=value` overrides.
    public var overrides: [String] = []
  }

  /// A named axis of the grid.
  public struct Axis: Equatable, Sendable {
    /// The axis name (used in run names and by `report`).
    public var name: String
    /// Its values, in order.
    public var values: [Value]
  }

  /// Slurm resources for `sweep --launcher slurm` (flags override them).
  public struct SlurmSettings: Equatable, Sendable {
    /// `--partition` (nil: the cluster default).
    public var partition: String? = nil
    /// `--time` per task, e.g. `08:00:00` (nil: the partition default).
    public var time: String? = nil
    /// `--cpus-per-task`, and the kernel threads of each task's process (`--threads`).
    public var cpusPerTask = 1
    /// `--mem` per task, e.g. `4G` (nil: the cluster default).
    public var memory: String? = nil
    /// Seconds before the time limit at which Slurm sends SIGTERM (the run checkpoints and is requeued).
    public var signalSeconds = 120
    /// At most this many tasks of the array at once (`--array=...%N`).
    public var maxConcurrent: Int? = nil
    /// Extra `#SBATCH` options, e.g. `--qos=low` or `--account=rl`.
    public var extra: [String] = []
  }

  /// How `report` groups and normalises the runs.
  public struct ReportSettings: Equatable, Sendable {
    /// The axis whose values are tasks (scores are normalised and stratified per task).
    public var task: String? = nil
    /// Axes that form a group (a method, a method at a sparsity, ...); default: every axis but the task.
    public var group: [String]? = nil
    /// The baseline group (axis -> value name) whose mean score per task is 1 after normalisation.
    public var baseline: [String: String]? = nil
    /// Fixed (min, max) per task: score -> (score - min) / (max - min).
    public var ranges: [String: [Double]]? = nil
    /// Columns of the runs' `train.csv` (e.g. `critic1/dormant_0.1`) to plot against steps, one figure each.
    public var curves: [String]? = nil
  }

  /// The study name (the default folder is `studies/<name>`).
  public var name: String
  /// What the study reproduces.
  public var description: String = ""
  /// Configurations (presets or files) every run starts from.
  public var base: [String] = []
  /// `key=value` overrides for every run (`set:`).
  public var overrides: [String] = []
  /// The seeds (`seeds: 3` means 0, 1, 2).
  public var seeds: [Int] = [0]
  /// Factor applied to every step-count key (`BudgetScale`).
  public var budget = 1.0
  /// The axes of the grid, in order.
  public var axes: [Axis] = []
  /// Each exclusion maps axis names to the value names it excludes; a point matching every entry is skipped.
  public var exclusions: [[String: [String]]] = []
  /// Slurm resources.
  public var slurm = SlurmSettings()
  /// How `report` groups and normalises the runs.
  public var report = ReportSettings()
  /// The folder the file was read from (relative configuration paths are resolved against it).
  public var folder: URL? = nil
  /// The file as written (kept in the study folder's `study.yaml`).
  public var text = ""

  /// A mistake in a study file.
  public struct Problem: Error, CustomStringConvertible {
    public let description: String
  }

  /// Reads the study at `reference`: a path, or a name under `configs/studies/`.
  public static func load(_ reference: String) throws -> StudyFile {
    let candidates =
      [URL(fileURLWithPath: reference)]
      + Presets.searchFolders.map {
        $0.appendingPathComponent("studies").appendingPathComponent(
          reference.hasSuffix(".yaml") ? reference : reference + ".yaml")
      }
    guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) && !isFolder($0) })
    else {
      throw Problem(description: "no study file '\(reference)' (a path, or a name under configs/studies/)")
    }
    var study = try parse(try String(contentsOf: url, encoding: .utf8), source: url.path)
    study.folder = url.deletingLastPathComponent().standardizedFileURL
    return study
  }

  private static func isFolder(_ url: URL) -> Bool {
    var folder: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
  }

  /// Parses study YAML; every mistake is reported together with `source`.
  public static func parse(_ yaml: String, source: String) throws -> StudyFile {
    var problems: [String] = []
    let root: Node.Mapping
    do {
      guard let mapping = try Yams.compose(yaml: yaml)?.mapping else {
        throw Problem(description: "\(source): a study file is a YAML mapping")
      }
      root = mapping
    } catch let problem as Problem {
      throw problem
    } catch {
      throw Problem(description: "\(source): not valid YAML: \(error)")
    }
    let known = ["name", "description", "base", "set", "seeds", "budget", "axes", "exclude", "slurm", "report"]
    for key in root.keys.compactMap(\.string) where !known.contains(key) {
      problems.append("unknown key '\(key)' (expected one of \(known.joined(separator: ", ")))")
    }
    var study = StudyFile(name: root["name"]?.string ?? "")
    study.text = yaml
    if study.name.isEmpty || study.name.contains("/") { problems.append("'name' must be a non-empty word") }
    study.description = root["description"]?.string ?? ""
    study.base = strings(root["base"], "base", &problems)
    study.overrides = overrides(root["set"], "set", &problems)
    switch root["seeds"] {
    case nil: break
    case .some(let node):
      if let count = node.int {
        if count > 0 { study.seeds = Array(0..<count) } else { problems.append("'seeds' must be positive") }
      } else if let list = node.sequence, !list.isEmpty, list.allSatisfy({ $0.int.map { $0 >= 0 } ?? false }) {
        study.seeds = list.map { $0.int! }
      } else {
        problems.append("'seeds' must be a count or a list of non-negative integers")
      }
    }
    if let node = root["budget"] {
      if let value = node.float, value > 0, value <= 1 {
        study.budget = value
      } else {
        problems.append("'budget' must be a number in (0, 1], got '\(node.string ?? "?")'")
      }
    }
    if let node = root["axes"] {
      if let mapping = node.mapping {
        for (key, value) in mapping {
          guard let name = key.string, name.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
            problems.append("axis names are lowercase words, got '\(key.string ?? "?")'")
            continue
          }
          if name == "seed" { problems.append("'seed' is not an axis name: list seeds under 'seeds'") }
          study.axes.append(Axis(name: name, values: axisValues(value, name, &problems)))
        }
      } else {
        problems.append("'axes' must map axis names to their values")
      }
    }
    let axisNames = Set(study.axes.map(\.name))
    for entry in root["exclude"]?.sequence ?? [] {
      guard let mapping = entry.mapping else {
        problems.append("each 'exclude' entry maps axis names to values")
        continue
      }
      var exclusion: [String: [String]] = [:]
      for (key, value) in mapping {
        let axis = key.string ?? ""
        if let known = study.axes.first(where: { $0.name == axis }) {
          let names = value.sequence.map { $0.compactMap(\.string) } ?? [value.string ?? ""]
          for name in names where !known.values.contains(where: { $0.name == name }) {
            problems.append("'exclude' names value '\(name)', which axis '\(axis)' does not have")
          }
          exclusion[axis] = names
        } else {
          problems.append("'exclude' names axis '\(axis)', which the study does not have")
        }
      }
      study.exclusions.append(exclusion)
    }
    if let slurm = root["slurm"] { study.slurm = slurmSettings(slurm, &problems) }
    if let report = root["report"] { study.report = reportSettings(report, axisNames, &problems) }
    var seenAxes = Set<String>()
    for axis in study.axes {
      if !seenAxes.insert(axis.name).inserted { problems.append("axis '\(axis.name)' is declared twice") }
      let names = axis.values.map(\.name)
      if Set(names).count != names.count { problems.append("axis '\(axis.name)' repeats a value name") }
    }
    guard problems.isEmpty else {
      throw Problem(description: "\(source):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
    }
    return study
  }

  private static func strings(_ node: Node?, _ key: String, _ problems: inout [String]) -> [String] {
    guard let node else { return [] }
    if let single = node.scalar?.string { return [single] }
    guard let list = node.sequence, list.allSatisfy({ $0.scalar != nil }) else {
      problems.append("'\(key)' must be a string or a list of strings")
      return []
    }
    return list.compactMap(\.string)
  }

  /// `set:` as a mapping `{key: value}` or a list of `key=value` strings.
  private static func overrides(_ node: Node?, _ key: String, _ problems: inout [String]) -> [String] {
    guard let node else { return [] }
    if let mapping = node.mapping {
      return mapping.compactMap { key, value in
        guard let name = key.string else { return nil }
        return "\(name)=\(flowText(value))"
      }
    }
    let list = strings(node, key, &problems)
    for entry in list where !entry.contains("=") { problems.append("'\(key)' entry '\(entry)' is not key=value") }
    return list
  }

  /// A node as one-line YAML, for a `--set` value.
  static func flowText(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return scalar.string
    case .sequence(let sequence): return "[" + sequence.map(flowText).joined(separator: ", ") + "]"
    case .mapping(let mapping):
      return "{" + mapping.map { "\(flowText($0.key)): \(flowText($0.value))" }.joined(separator: ", ") + "}"
    case .alias: return ""
    }
  }

  private static func axisValues(_ node: Node, _ axis: String, _ problems: inout [String]) -> [Value] {
    var keys: [String] = []
    var list: Node.Sequence
    if let mapping = node.mapping {
      keys = strings(mapping["keys"], "axes.\(axis).keys", &problems)
      for key in mapping.keys.compactMap(\.string) where !["keys", "values"].contains(key) {
        problems.append("axis '\(axis)': unknown key '\(key)' (an axis is a list, or {keys, values})")
      }
      guard let values = mapping["values"]?.sequence else {
        problems.append("axis '\(axis)' needs 'values'")
        return []
      }
      list = values
    } else if let sequence = node.sequence {
      list = sequence
    } else {
      problems.append("axis '\(axis)' must be a list of values or {keys, values}")
      return []
    }
    if list.count == 0 { problems.append("axis '\(axis)' has no values") }
    return list.compactMap { entry -> Value? in
      if let scalar = entry.scalar {
        return Value(name: scalar.string, overrides: keys.map { "\($0)=\(scalar.string)" })
      }
      guard let mapping = entry.mapping, let name = mapping["name"]?.string, !name.isEmpty else {
        problems.append("axis '\(axis)': a value is a scalar or a mapping with a 'name'")
        return nil
      }
      for key in mapping.keys.compactMap(\.string) where !["name", "configs", "set"].contains(key) {
        problems.append("axis '\(axis)', value '\(name)': unknown key '\(key)' (expected name, configs, set)")
      }
      return Value(
        name: name, configs: strings(mapping["configs"], "configs", &problems),
        overrides: keys.map { "\($0)=\(name)" } + overrides(mapping["set"], "set", &problems))
    }
  }

  private static func slurmSettings(_ node: Node, _ problems: inout [String]) -> SlurmSettings {
    var settings = SlurmSettings()
    guard let mapping = node.mapping else {
      problems.append("'slurm' must be a mapping")
      return settings
    }
    for (key, value) in mapping {
      switch key.string ?? "" {
      case "partition": settings.partition = value.string
      case "time": settings.time = value.string
      case "mem": settings.memory = value.string
      case "cpus_per_task": settings.cpusPerTask = value.int ?? 1
      case "signal_seconds": settings.signalSeconds = value.int ?? 120
      case "max_concurrent": settings.maxConcurrent = value.int
      case "extra": settings.extra = strings(value, "slurm.extra", &problems)
      case let other:
        problems.append(
          "slurm: unknown key '\(other)' (partition, time, mem, cpus_per_task, signal_seconds, max_concurrent, extra)")
      }
    }
    return settings
  }

  private static func reportSettings(_ node: Node, _ axes: Set<String>, _ problems: inout [String]) -> ReportSettings {
    var settings = ReportSettings()
    guard let mapping = node.mapping else {
      problems.append("'report' must be a mapping")
      return settings
    }
    for (key, value) in mapping {
      switch key.string ?? "" {
      case "task": settings.task = value.string
      case "group": settings.group = strings(value, "report.group", &problems)
      case "baseline":
        settings.baseline = value.mapping.map {
          Dictionary(uniqueKeysWithValues: $0.map { ($0.key.string ?? "", $0.value.string ?? "") })
        }
      case "ranges":
        var ranges: [String: [Double]] = [:]
        for (task, pair) in value.mapping ?? [:] {
          let numbers = pair.sequence?.compactMap(\.float) ?? []
          if numbers.count != 2 || numbers[0] >= numbers[1] {
            problems.append("report.ranges.\(task.string ?? "?") must be [min, max] with min < max")
          }
          ranges[task.string ?? ""] = numbers
        }
        settings.ranges = ranges
      case "curves": settings.curves = strings(value, "report.curves", &problems)
      case let other: problems.append("report: unknown key '\(other)' (task, group, baseline, ranges, curves)")
      }
    }
    for axis in [settings.task].compactMap({ $0 }) + (settings.group ?? [])
      + (settings.baseline.map { Array($0.keys) } ?? [])
    where !axes.contains(axis) {
      problems.append("report names axis '\(axis)', which the study does not have")
    }
    return settings
  }
}
