import Foundation
import Yams

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The folder of a study:
///
/// ```
/// STUDY_DIR/
///   study.yaml                    the resolved study: its settings, every run with its axis values, the source text
///   <run name>/                   one ordinary run directory per grid point (`sparserl resume` works on it)
///   sweep/configs/<run>.yaml      the resolved configuration of each run (`<run>.error` when it does not resolve)
///   sweep/logs/<run>.log          what each run printed, every session appended
///   sweep/logs/<run>.pid          the process of a run the local launcher is running
///   sweep/slurm/                  job scripts, task lists and job ids of the Slurm launcher
///   sweep/lock                    held (flock) by the `sparserl sweep` running the study; holds its process id
/// ```
public struct StudyDirectory: Sendable {
  /// The study folder.
  public let url: URL
  /// The study folder at `url` (nothing is read or created).
  public init(url: URL) { self.url = url }

  /// `study.yaml`.
  public var resolvedStudy: URL { url.appendingPathComponent("study.yaml") }
  /// `sweep/configs/`.
  public var configs: URL { url.appendingPathComponent("sweep/configs") }
  /// `sweep/logs/`.
  public var logs: URL { url.appendingPathComponent("sweep/logs") }
  /// `sweep/slurm/`.
  public var slurm: URL { url.appendingPathComponent("sweep/slurm") }
  /// `sweep/lock`: held by the sweep running the study.
  public var lockFile: URL { url.appendingPathComponent("sweep/lock") }

  /// Takes the study's lock (creating `sweep/`), so that no other sweep runs the study meanwhile.
  public func lock() throws -> ExclusiveLock {
    try FileManager.default.createDirectory(
      at: url.appendingPathComponent("sweep"), withIntermediateDirectories: true)
    return try ExclusiveLock(file: lockFile, what: "sweeping \(url.path)")
  }

  /// The run directory of run `name`.
  public func run(_ name: String) -> RunDirectory { RunDirectory(url: url.appendingPathComponent(name)) }
  /// The resolved configuration of run `name`.
  public func config(_ name: String) -> URL { configs.appendingPathComponent("\(name).yaml") }
  /// Why the configuration of run `name` did not resolve.
  public func configError(_ name: String) -> URL { configs.appendingPathComponent("\(name).error") }
  /// What run `name` printed.
  public func log(_ name: String) -> URL { logs.appendingPathComponent("\(name).log") }
  /// The process id of run `name` while the local launcher runs it.
  public func pidFile(_ name: String) -> URL { logs.appendingPathComponent("\(name).pid") }

  /// Resolves every point of `study` (writing nothing). A point whose configuration does not resolve carries its
  /// error (it is reported as failed; the others are unaffected). A run that has started keeps the configuration
  /// it started with: a study that now resolves differently for it is an error for that run.
  public func resolve(_ study: StudyFile, budget: Double? = nil) -> [PreparedRun] {
    study.points().map { point in
      do {
        let experiment = try study.experiment(for: point, budget: budget)
        let existing = run(point.name).config
        if FileManager.default.fileExists(atPath: existing.path),
          ConfigProvenance.resolvedYAML(configText: try String(contentsOf: existing, encoding: .utf8))
            != experiment.resolvedYAML
        {
          throw StudyFile.Problem(
            description: "\(existing.path) was started with another configuration than the study now gives; "
              + "move the run away or restore the study file")
        }
        return PreparedRun(point: point, experiment: experiment, error: nil)
      } catch {
        return PreparedRun(point: point, experiment: nil, error: "\(error)")
      }
    }
  }

  /// Writes `study.yaml` and `sweep/configs/` for resolved runs (`<run>.error` for one that did not resolve).
  public func write(_ prepared: [PreparedRun], study: StudyFile, budget: Double) throws {
    let manager = FileManager.default
    try manager.createDirectory(at: configs, withIntermediateDirectories: true)
    try manager.createDirectory(at: logs, withIntermediateDirectories: true)
    for run in prepared {
      let name = run.point.name
      if let experiment = run.experiment {
        try AtomicFile.write(experiment.resolvedYAML, to: config(name))
        try? manager.removeItem(at: configError(name))
      } else {
        try AtomicFile.write("\(run.error ?? "unknown error")\n", to: configError(name))
        try? manager.removeItem(at: config(name))
      }
    }
    let resolved = ResolvedStudy(study: study, budget: budget)
    try AtomicFile.write(try YAMLEncoder().encode(resolved), to: resolvedStudy)
  }

  /// The resolved study written by `write`.
  public func readResolvedStudy() throws -> ResolvedStudy {
    guard FileManager.default.fileExists(atPath: resolvedStudy.path) else {
      throw StudyFile.Problem(description: "\(url.path) is not a study folder (no study.yaml)")
    }
    return try YAMLDecoder().decode(ResolvedStudy.self, from: String(contentsOf: resolvedStudy, encoding: .utf8))
  }

  /// The state of every run of the study, from its files (and `active`, the runs a scheduler reports as
  /// queued or running).
  public func states(active: [String: SchedulerState] = [:]) throws -> [(name: String, state: RunState)] {
    try readResolvedStudy().runs.map { ($0.name, state(of: $0.name, scheduler: active[$0.name])) }
  }

  /// The state of one run from its files.
  public func state(of name: String, scheduler: SchedulerState? = nil) -> RunState {
    let manager = FileManager.default
    if let error = try? String(contentsOf: configError(name), encoding: .utf8) {
      return .failed(error: "invalid configuration: " + Self.lastLine(error), step: nil)
    }
    let run = run(name)
    let record = try? RunRecord.read(from: run.record)
    if record?.status == "finished" { return .finished(score: record?.finalScore) }
    if record?.status == "failed" {
      return .failed(error: Self.lastLine(record?.error ?? "unknown error"), step: record?.failedAtStep)
    }
    if let scheduler { return scheduler == .queued ? .queued : .running(step: record?.environmentSteps ?? 0) }
    if isAlive(name) { return .running(step: record?.environmentSteps ?? 0) }
    guard manager.fileExists(atPath: run.config.path) else {
      if let log = try? String(contentsOf: log(name), encoding: .utf8), log.contains("Error:") {
        return .failed(error: Self.lastLine(log), step: nil)
      }
      return .pending
    }
    if let log = try? String(contentsOf: log(name), encoding: .utf8),
      let refusal = log.range(of: "every checkpoint of", options: .backwards)
    {
      return .failed(
        error: Self.lastLine(String(log[refusal.lowerBound...]).components(separatedBy: "\n")[0]), step: nil)
    }
    return .interrupted(step: record?.environmentSteps ?? 0)
  }

  /// Whether the local launcher's process of `name` is alive.
  func isAlive(_ name: String) -> Bool {
    guard let text = try? String(contentsOf: pidFile(name), encoding: .utf8),
      let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return false }
    return kill(pid, 0) == 0
      && ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains(name)
  }

  /// The last non-empty line of a text (an error's one-line summary).
  static func lastLine(_ text: String) -> String {
    text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
  }
}

/// What a scheduler says about a run it knows.
public enum SchedulerState: Sendable, Equatable {
  /// Waiting in the queue.
  case queued
  /// Running.
  case running
}

/// The state of a run of a study.
public enum RunState: Sendable, Equatable {
  /// Not started.
  case pending
  /// Submitted and waiting in the scheduler queue.
  case queued
  /// Running, at this step.
  case running(step: Int)
  /// Started and stopped before the end (killed, preempted, interrupted): the next sweep resumes it.
  case interrupted(step: Int)
  /// Finished, with its final score.
  case finished(score: Double?)
  /// Stopped on an error, with its last line and the step it reached.
  case failed(error: String, step: Int?)

  /// `pending`, `queued`, `running`, `interrupted`, `finished` or `failed`.
  public var label: String {
    switch self {
    case .pending: "pending"
    case .queued: "queued"
    case .running: "running"
    case .interrupted: "interrupted"
    case .finished: "finished"
    case .failed: "failed"
    }
  }

  /// Whether a launcher should start or resume the run.
  public var needsWork: Bool {
    switch self {
    case .pending, .interrupted: true
    default: false
    }
  }
}

/// A point with its resolved experiment, or the error that kept it from resolving.
public struct PreparedRun {
  /// The grid point.
  public let point: StudyPoint
  /// Its resolved experiment (nil when it did not resolve).
  public let experiment: Experiment?
  /// Why it did not resolve.
  public let error: String?
}

/// `study.yaml` of a study folder.
public struct ResolvedStudy: Codable, Sendable {
  /// One run of the study.
  public struct Run: Codable, Sendable {
    /// The run folder name.
    public var name: String
    /// Its seed.
    public var seed: Int
    /// Its value name of each axis.
    public var axes: [String: String]
    /// Its configuration references, in the order they apply.
    public var configs: [String]
    /// Its `key=value` overrides.
    public var overrides: [String]
  }
  /// The study's `report:` settings.
  public struct Report: Codable, Sendable {
    /// The task axis.
    public var task: String?
    /// The group axes.
    public var group: [String]?
    /// The baseline group, axis -> value name.
    public var baseline: [String: String]?
    /// Fixed (min, max) per task.
    public var ranges: [String: [Double]]?
    /// The `train.csv` columns plotted against steps.
    public var curves: [String]?
  }
  /// The study name.
  public var name: String
  /// Its budget scale.
  public var budget: Double
  /// Its seeds.
  public var seeds: [Int]
  /// Axis names in order, and each axis's value names in order.
  public var axisOrder: [String]
  /// Value names of each axis.
  public var axes: [String: [String]]
  /// Its report settings.
  public var report: Report
  /// Every run of the grid.
  public var runs: [Run]
  /// The folder of the original study file (its relative configuration paths resolve against it).
  public var folder: String?
  /// The study file as written.
  public var source: String

  init(study: StudyFile, budget: Double) {
    name = study.name
    self.budget = budget
    seeds = study.seeds
    axisOrder = study.axes.map(\.name)
    axes = Dictionary(uniqueKeysWithValues: study.axes.map { ($0.name, $0.values.map(\.name)) })
    report = Report(
      task: study.report.task, group: study.report.group, baseline: study.report.baseline,
      ranges: study.report.ranges, curves: study.report.curves)
    runs = study.points().map { point in
      Run(
        name: point.name, seed: point.seed,
        axes: Dictionary(uniqueKeysWithValues: point.values.map { ($0.axis, $0.value) }), configs: point.configs,
        overrides: point.overrides)
    }
    folder = study.folder?.path
    source = study.text
  }

  /// The study file again (for `sweep DIR`).
  public func studyFile() throws -> StudyFile {
    var study = try StudyFile.parse(source, source: "study.yaml")
    study.folder = folder.map { URL(fileURLWithPath: $0) }
    return study
  }
}
