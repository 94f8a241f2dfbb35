import Foundation

/// Submits the pending and interrupted runs of a study as one Slurm job array (`sbatch --array`), one task per run.
///
/// Each task runs `sparserl train` (a new run) or `sparserl resume` (a started one) with `exec`, so the
/// `sparserl` process receives Slurm's signals directly: `--signal=B:TERM@<seconds>` before the time limit and
/// the SIGTERM of a preemption or `scancel` make it checkpoint and stop; `--requeue` puts the task back in the
/// queue and it resumes exactly. Nothing here schedules work across machines: Slurm does.
public struct SlurmLauncher {
  /// The `sparserl` executable the tasks run.
  public var executable: URL
  /// Resources and options of the job array.
  public var settings: StudyFile.SlurmSettings
  /// `sbatch` (a path, for tests or unusual installs).
  public var sbatch = "sbatch"
  /// `squeue` (a path, for tests or unusual installs).
  public var squeue = "squeue"
  /// `sacct` (a path, for tests or unusual installs).
  public var sacct = "sacct"

  /// A launcher submitting tasks that run `executable`, with these resources.
  public init(executable: URL, settings: StudyFile.SlurmSettings) {
    self.executable = executable
    self.settings = settings
  }

  /// The batch script for `names` (task `i` runs `names[i]`, listed in `tasks`).
  public func script(study: StudyDirectory, jobName: String, tasks: URL, count: Int) -> String {
    var lines = [
      "#!/bin/bash",
      "#SBATCH --job-name=\(jobName)",
      "#SBATCH --array=0-\(count - 1)" + (settings.maxConcurrent.map { "%\($0)" } ?? ""),
      "#SBATCH --output=\(study.logs.path)/slurm-%A_%a.out",
      "#SBATCH --ntasks=1",
      "#SBATCH --cpus-per-task=\(settings.cpusPerTask)",
      "#SBATCH --signal=B:TERM@\(settings.signalSeconds)",
      "#SBATCH --requeue",
      "#SBATCH --open-mode=append",
    ]
    if let partition = settings.partition { lines.append("#SBATCH --partition=\(partition)") }
    if let time = settings.time { lines.append("#SBATCH --time=\(time)") }
    if let memory = settings.memory { lines.append("#SBATCH --mem=\(memory)") }
    for extra in settings.extra { lines.append(extra.hasPrefix("#SBATCH") ? extra : "#SBATCH \(extra)") }
    lines += [
      "set -euo pipefail",
      "name=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \(quote(tasks.path)))",
      "study=\(quote(study.url.path))",
      "echo \"== task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): $name\" >> \"$study/sweep/logs/$name.log\"",
      "if [ -f \"$study/$name/config.yaml\" ]; then",
      "  exec \(quote(executable.path)) resume \"$study/$name\" --plain --threads \(max(1, settings.cpusPerTask)) >> \"$study/sweep/logs/$name.log\" 2>&1",
      "else",
      "  exec \(quote(executable.path)) train \"$study/sweep/configs/$name.yaml\" --run-dir \"$study/$name\" --plain --threads \(max(1, settings.cpusPerTask)) >> \"$study/sweep/logs/$name.log\" 2>&1",
      "fi",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes the task list and script under `sweep/slurm/`, submits the array and records its job id in
  /// `sweep/slurm/jobs.txt` (`<job id> <task list>`). Returns the job id.
  public func submit(_ names: [String], study: StudyDirectory, jobName: String) throws -> String {
    try FileManager.default.createDirectory(at: study.slurm, withIntermediateDirectories: true)
    let stamp = String(Int(Date().timeIntervalSince1970 * 1000))
    let tasks = study.slurm.appendingPathComponent("tasks-\(stamp).txt")
    try AtomicFile.write(names.joined(separator: "\n") + "\n", to: tasks)
    let scriptURL = study.slurm.appendingPathComponent("array-\(stamp).sh")
    try AtomicFile.write(script(study: study, jobName: jobName, tasks: tasks, count: names.count), to: scriptURL)
    let output = try Self.run(sbatch, ["--parsable", scriptURL.path])
    guard output.status == 0 else {
      throw StudyFile.Problem(description: "sbatch failed (status \(output.status)): \(output.text)")
    }
    let jobID =
      output.text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
    let jobs = study.slurm.appendingPathComponent("jobs.txt")
    let previous = (try? String(contentsOf: jobs, encoding: .utf8)) ?? ""
    try AtomicFile.write(previous + "\(jobID) \(tasks.lastPathComponent)\n", to: jobs)
    return jobID
  }

  /// What Slurm says about the runs of the study's arrays: from `squeue` (queued or running tasks), and from
  /// `sacct` where accounting is configured (it also knows finished and failed tasks, shown in `status`).
  public func schedulerStates(study: StudyDirectory) -> (active: [String: SchedulerState], accounting: [String: String])
  {
    guard let text = try? String(contentsOf: study.slurm.appendingPathComponent("jobs.txt"), encoding: .utf8) else {
      return ([:], [:])
    }
    var active: [String: SchedulerState] = [:]
    var accounting: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ").map(String.init)
      guard parts.count == 2,
        let names = try? String(contentsOf: study.slurm.appendingPathComponent(parts[1]), encoding: .utf8)
          .split(separator: "\n").map(String.init)
      else { continue }
      if let queue = try? Self.run(squeue, ["-h", "-r", "-j", parts[0], "-o", "%K %T"]), queue.status == 0 {
        for entry in queue.text.split(separator: "\n") {
          let fields = entry.split(separator: " ")
          guard fields.count == 2, let task = Int(fields[0]), task < names.count else { continue }
          active[names[task]] = fields[1] == "RUNNING" || fields[1] == "COMPLETING" ? .running : .queued
        }
      }
      if let history = try? Self.run(sacct, ["-n", "-X", "-P", "-j", parts[0], "-o", "JobID,State"]),
        history.status == 0
      {
        for entry in history.text.split(separator: "\n") {
          let fields = entry.split(separator: "|").map(String.init)
          guard fields.count == 2, let underscore = fields[0].lastIndex(of: "_"),
            let task = Int(fields[0][fields[0].index(after: underscore)...]), task < names.count
          else { continue }
          accounting[names[task]] = fields[1]
        }
      }
    }
    return (active, accounting)
  }

  private func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

  /// Runs a command and returns its exit status and combined output.
  static func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
