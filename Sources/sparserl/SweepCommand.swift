import ArgumentParser
import Foundation
import SparseRLExperiments

#if canImport(Glibc)
  import Glibc
#endif

/// `sparserl sweep STUDY` and `sparserl sweep status DIR`.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run every run of a study (configs/studies/*.yaml) locally or on Slurm; show a study's status.",
    subcommands: [SweepRunCommand.self, SweepStatusCommand.self],
    defaultSubcommand: SweepRunCommand.self)
}

/// The executable of this process (what launchers start for each run).
func currentExecutable() -> URL {
  Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
}

/// A study from a study file or from a study folder that holds `study.yaml` (with the budget it was run at).
func loadStudy(_ reference: String) throws -> (study: StudyFile, folder: URL?, budget: Double?) {
  let folder = StudyDirectory(url: URL(fileURLWithPath: reference))
  if FileManager.default.fileExists(atPath: folder.resolvedStudy.path) {
    let resolved = try folder.readResolvedStudy()
    return (try resolved.studyFile(), folder.url, resolved.budget)
  }
  return (try StudyFile.load(reference), nil, nil)
}

struct SweepRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the study's pending and interrupted runs (finished and failed runs are left as they are).",
    discussion: """
      STUDY is a study file (a path, or a name under configs/studies/) or a study folder. Running the same \
      command again skips finished runs and resumes interrupted ones exactly. A run that fails does not stop the \
      others; `sparserl sweep status DIR` shows its error.
      """)

  @Argument(help: "A study file or name, or a study folder.")
  var study: String

  @Option(help: "The study folder (default: studies/<study name>).")
  var dir: String?

  @Option(help: "Runs at once with the local launcher (default: the number of cores).")
  var jobs: Int?

  @Option(help: "local or slurm.")
  var launcher = "local"

  @Option(help: "Scale every step-count key by this factor in (0, 1] (default: the study file's budget).")
  var budget: Double?

  @Flag(help: "List the runs with a cost estimate and change nothing.")
  var dryRun = false

  @Option(help: "Seconds of training per distinct agent and network to measure its speed for --dry-run.")
  var probeSeconds = 3.0

  @Flag(help: "Also run again the runs that failed.")
  var retryFailed = false

  @Option(help: "Slurm partition.") var partition: String?
  @Option(help: "Slurm time limit per task, e.g. 08:00:00.") var time: String?
  @Option(help: "Slurm memory per task, e.g. 4G.") var mem: String?
  @Option(help: "Slurm CPUs per task.") var cpusPerTask: Int?
  @Option(help: "Seconds before the time limit at which Slurm sends SIGTERM.") var signalSeconds: Int?
  @Option(help: "At most this many array tasks at once.") var maxConcurrent: Int?
  @Option(name: .customLong("sbatch"), help: "An extra #SBATCH option, e.g. --sbatch=--qos=low (repeatable).")
  var sbatchOptions: [String] = []
  @Flag(help: "With --launcher slurm: wait until the submitted tasks have left the queue.")
  var wait = false

  func validate() throws {
    guard ["local", "slurm"].contains(launcher) else { throw ValidationError("--launcher must be local or slurm") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let budget, !(budget > 0 && budget <= 1) { throw ValidationError("--budget must be in (0, 1]") }
  }

  func run() throws {
    bootstrapLogging()
    let loaded = try loadStudy(study)
    let folder = StudyDirectory(
      url: dir.map { URL(fileURLWithPath: $0) } ?? loaded.folder
        ?? URL(fileURLWithPath: "studies").appendingPathComponent(loaded.study.name))
    let scale = budget ?? loaded.budget ?? loaded.study.budget
    let prepared = folder.resolve(loaded.study, budget: scale)
    if dryRun {
      printDryRun(prepared, folder: folder, scale: scale)
      return
    }
    let lock = try folder.lock()
    defer { lock.release() }
    try folder.write(prepared, study: loaded.study, budget: scale)
    var states = try folder.states()
    if launcher == "slurm" {
      let slurm = slurmLauncher(loaded.study)
      let active = slurm.schedulerStates(study: folder).active
      states = try folder.states(active: active)
    }
    let todo = states.filter {
      $0.state.needsWork || (retryFailed && $0.state.label == "failed" && isRetryable($0.name, folder))
    }
    .map(\.name)
    if retryFailed {
      for name in todo where folder.state(of: name).label == "failed" {
        try? FileManager.default.removeItem(at: folder.run(name).record)
      }
    }
    let finished = states.count { $0.state.label == "finished" }
    print(
      "study \(loaded.study.name) in \(folder.url.path): \(states.count) runs, \(finished) finished, \(todo.count) to run"
    )
    guard !todo.isEmpty else {
      print(StudyStatusText.text(folder))
      if states.contains(where: { $0.state.label == "failed" }) { throw ExitCode(1) }
      return
    }
    if launcher == "slurm" {
      let slurm = slurmLauncher(loaded.study)
      let job = try slurm.submit(todo, study: folder, jobName: "sparserl-\(loaded.study.name)")
      print("submitted job array \(job) with \(todo.count) tasks (sweep/slurm/ holds the script)")
      if wait {
        while !slurm.schedulerStates(study: folder).active.isEmpty { sleep(2) }
        print(StudyStatusText.text(folder))
      }
      return
    }
    let launcher = LocalLauncher(
      executable: currentExecutable(), jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
    try launcher.run(todo, in: folder, signals: SignalMonitor()) { print($0) }
    print(StudyStatusText.text(folder))
    let after = try folder.states()
    if after.contains(where: { $0.state.label != "finished" }) { throw ExitCode(1) }
  }

  /// A failed run can be tried again unless its configuration does not resolve.
  private func isRetryable(_ name: String, _ folder: StudyDirectory) -> Bool {
    !FileManager.default.fileExists(atPath: folder.configError(name).path)
  }

  private func slurmLauncher(_ study: StudyFile) -> SlurmLauncher {
    var settings = study.slurm
    if let partition { settings.partition = partition }
    if let time { settings.time = time }
    if let mem { settings.memory = mem }
    if let cpusPerTask { settings.cpusPerTask = cpusPerTask }
    if let signalSeconds { settings.signalSeconds = signalSeconds }
    if let maxConcurrent { settings.maxConcurrent = maxConcurrent }
    settings.extra += sbatchOptions
    return SlurmLauncher(executable: currentExecutable(), settings: settings)
  }

  private func printDryRun(_ prepared: [PreparedRun], folder: StudyDirectory, scale: Double) {
    let estimates = CostEstimate(probeSeconds: probeSeconds).estimate(prepared, in: folder)
    let parallel = launcher == "local" ? (jobs ?? ProcessInfo.processInfo.activeProcessorCount) : 1
    print("dry run: \(prepared.count) runs in \(folder.url.path), budget \(scale)")
    var rows = [["run", "state", "steps", "to do", "steps/s", "estimate", "from"]]
    var total = 0.0
    var unknown = 0
    for run in prepared {
      let state = folder.state(of: run.point.name).label
      if let error = run.error {
        rows.append([
          run.point.name, "invalid", "", "", "", "", error.split(separator: "\n").first.map(String.init) ?? "",
        ])
        continue
      }
      guard let line = estimates.first(where: { $0.name == run.point.name }) else { continue }
      if let seconds = line.seconds { total += seconds } else { unknown += 1 }
      rows.append([
        line.name, state, "\(line.totalSteps)", "\(line.remainingSteps)",
        line.stepsPerSecond.map { String(format: "%.0f", $0) } ?? "?",
        line.seconds.map(CostEstimate.duration) ?? "?", line.source?.rawValue ?? "no estimate",
      ])
    }
    print(StudyStatusText.table(rows))
    print(
      "total: \(CostEstimate.duration(total)) of single-core training"
        + (parallel > 1 ? ", about \(CostEstimate.duration(total / Double(parallel))) with --jobs \(parallel)" : "")
        + (unknown > 0 ? "; \(unknown) run(s) without an estimate" : ""))
  }
}

struct SweepStatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status", abstract: "Show each run of a study folder: finished, running, failed, pending, ...")

  @Argument(help: "The study folder.")
  var dir: String

  func run() throws {
    let folder = StudyDirectory(url: URL(fileURLWithPath: dir))
    print(StudyStatusText.text(folder))
  }
}
