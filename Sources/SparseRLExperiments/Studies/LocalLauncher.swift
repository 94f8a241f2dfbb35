import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The command a launcher runs for one run of a study: `sparserl train CONFIG --run-dir RUN` for a run that has
/// not started, `sparserl resume RUN` for one that has (it continues exactly from its newest checkpoint).
/// With `threads`, the command gets `--threads N` (the local launcher passes 1: its runs share the machine).
public enum RunTask {
  /// The `sparserl` arguments for run `name` of `study`, with `--threads threads` when given.
  public static func arguments(name: String, in study: StudyDirectory, threads: Int? = nil) -> [String] {
    let run = study.run(name)
    let threadArguments = threads.map { ["--threads", String($0)] } ?? []
    if FileManager.default.fileExists(atPath: run.config.path) {
      return ["resume", run.url.path, "--plain"] + threadArguments
    }
    return ["train", study.config(name).path, "--run-dir", run.url.path, "--plain"] + threadArguments
  }
}

/// Runs the pending and interrupted runs of a study on this machine, `jobs` at a time, each as its own
/// single-threaded `sparserl` process writing to `sweep/logs/<run>.log`. A run that fails does not stop the
/// others. SIGINT/SIGTERM to the sweep is passed on to the runs (they checkpoint and stop) and no new run starts.
public struct LocalLauncher {
  /// The `sparserl` executable to run.
  public let executable: URL
  /// Runs at once.
  public let jobs: Int

  /// A launcher that runs `executable` for at most `jobs` runs at once.
  public init(executable: URL, jobs: Int) {
    precondition(jobs >= 1)
    self.executable = executable
    self.jobs = jobs
  }

  /// Runs `names` (in order) and returns when all have exited or a stop signal has been handled.
  public func run(_ names: [String], in study: StudyDirectory, signals: SignalMonitor?, report: (String) -> Void)
    throws
  {
    var queue = names[...]
    var running: [(name: String, process: Process, log: FileHandle)] = []
    var forwarded = false
    while !queue.isEmpty || !running.isEmpty {
      if signals?.stopRequested == true {
        if !forwarded {
          report("stop requested: passing it on to \(running.count) running run(s); no new run starts")
          for entry in running { kill(entry.process.processIdentifier, SIGTERM) }
          forwarded = true
        }
        queue = []
      }
      while running.count < jobs, let name = queue.first {
        queue = queue.dropFirst()
        let arguments = RunTask.arguments(name: name, in: study, threads: 1)
        let logURL = study.log(name)
        if !FileManager.default.fileExists(atPath: logURL.path) {
          _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        try log.write(contentsOf: Data("== sparserl \(arguments.joined(separator: " "))\n".utf8))
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try AtomicFile.write("\(process.processIdentifier)\n", to: study.pidFile(name))
        report("started \(name) (\(arguments[0]))")
        running.append((name, process, log))
      }
      usleep(20_000)
      for (index, entry) in running.enumerated().reversed() where !entry.process.isRunning {
        running.remove(at: index)
        try? entry.log.close()
        try? FileManager.default.removeItem(at: study.pidFile(entry.name))
        let how =
          entry.process.terminationReason == .uncaughtSignal
          ? "killed by signal \(entry.process.terminationStatus)" : "exit status \(entry.process.terminationStatus)"
        report("\(entry.name): \(study.state(of: entry.name).label) (\(how))")
      }
    }
  }
}
