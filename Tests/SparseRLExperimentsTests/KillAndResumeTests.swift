import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `sparserl` executable built next to the test bundle (`swift test` builds every product).
private var executable: URL {
  URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sparserl")
}

/// RLx2-TD3 on Pendulum, small enough to run in seconds: RigL on both networks, the delayed 3-step target and the
/// dynamic buffer all act inside the run, so every kind of state must survive the interruptions.
private let configuration = """
  agent: td3
  environment: Pendulum-v1
  seed: 3
  total_steps: 4000
  evaluation_interval: 1000
  evaluation_episodes: 2
  checkpoint_interval: 500
  td3:
    warmup_steps: 500
    batch_size: 64
    log_interval: 100
    actor: {hidden_sizes: [64, 64]}
    critic: {hidden_sizes: [64, 64]}
    actor_sparsity: {method: rigl, sparsity: 0.8, update_interval: 300}
    critic_sparsity: {method: rigl, sparsity: 0.8, update_interval: 300}
    n_step: 3
    n_step_delay: 1000
    replay: {capacity: 10000, dynamic_capacity: true, min_capacity: 1000, check_interval: 700, distance_threshold: 0.01}
  """

private func launch(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments + (arguments.first == "evaluate" ? [] : ["--plain"])
  process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  return process
}

private func checkpointSteps(_ run: URL) -> [Int] {
  let names =
    (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)) ?? []
  return names.compactMap { name in
    name.hasPrefix("checkpoint-") && name.hasSuffix(".srl") ? Int(name.dropFirst(11).dropLast(4)) : nil
  }
}

private func metrics(_ run: URL) throws -> [String] {
  try ["train.csv", "episodes.csv", "eval.csv"].map {
    try String(contentsOf: run.appendingPathComponent($0), encoding: .utf8)
  }
}

@Suite struct KillAndResumeTests {
  /// A run killed with SIGKILL three times — in the middle of a checkpoint write, right after a checkpoint, and
  /// between checkpoints — and resumed each time, writes metrics files byte-identical to an uninterrupted run.
  @Test(.timeLimit(.minutes(5)))
  func killedAndResumedRunMatchesUninterruptedRun() throws {
    #expect(FileManager.default.isExecutableFile(atPath: executable.path), "build sparserl first: \(executable.path)")
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-kill-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let config = root.appendingPathComponent("run.yaml")
    try configuration.write(to: config, atomically: true, encoding: .utf8)

    let reference = root.appendingPathComponent("reference")
    let uninterrupted = try launch(["train", config.path, "--run-dir", reference.path])
    uninterrupted.waitUntilExit()
    #expect(uninterrupted.terminationStatus == 0)

    let run = root.appendingPathComponent("interrupted")
    // 1. Killed in the middle of writing its second checkpoint (a half-written temporary file is left behind).
    let first = try launch(
      ["train", config.path, "--run-dir", run.path], environment: ["SPARSERL_FAULT_KILL_DURING_CHECKPOINT": "2"])
    first.waitUntilExit()
    #expect(first.terminationReason == .uncaughtSignal && first.terminationStatus == SIGKILL)
    #expect(checkpointSteps(run) == [500])
    // 2. Resumed, then killed as soon as a newer checkpoint exists; 3. resumed and killed after 0.3 s.
    for killAfterNewCheckpoint in [true, false] {
      let before = checkpointSteps(run).max() ?? 0
      let resumed = try launch(["resume", run.path])
      let deadline = Date().addingTimeInterval(60)
      if killAfterNewCheckpoint {
        while (checkpointSteps(run).max() ?? 0) <= before && resumed.isRunning && Date() < deadline {
          usleep(2_000)
        }
      } else {
        usleep(300_000)
      }
      if resumed.isRunning { kill(resumed.processIdentifier, SIGKILL) }
      resumed.waitUntilExit()
    }
    // 4. Resumed to the end.
    let last = try launch(["resume", run.path])
    last.waitUntilExit()
    #expect(last.terminationStatus == 0)
    #expect(try metrics(run) == metrics(reference))
    let record = try String(contentsOf: run.appendingPathComponent("run.json"), encoding: .utf8)
    #expect(record.contains("\"status\" : \"finished\""))
  }

  /// Kernel threads never change results: a run trained with two threads, killed while writing a checkpoint and
  /// resumed with one, writes the same metrics files as an uninterrupted one-thread run (critics 256 wide, so
  /// their 80% sparse batch-64 products are above the kernels' split threshold and the two-thread run splits them).
  @Test(.timeLimit(.minutes(5)))
  func runResumedUnderAnotherThreadCountMatchesOneThreadRun() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-threads-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let config = root.appendingPathComponent("run.yaml")
    let wideCritics = configuration.replacingOccurrences(of: "total_steps: 4000", with: "total_steps: 2000")
      .replacingOccurrences(of: "critic: {hidden_sizes: [64, 64]}", with: "critic: {hidden_sizes: [256, 256]}")
    try wideCritics.write(to: config, atomically: true, encoding: .utf8)
    let reference = root.appendingPathComponent("reference")
    let oneThread = try launch(["train", config.path, "--run-dir", reference.path, "--threads", "1"])
    oneThread.waitUntilExit()
    #expect(oneThread.terminationStatus == 0)

    let run = root.appendingPathComponent("two-threads")
    let first = try launch(
      ["train", config.path, "--run-dir", run.path, "--threads", "2"],
      environment: ["SPARSERL_FAULT_KILL_DURING_CHECKPOINT": "3"])
    first.waitUntilExit()
    #expect(first.terminationReason == .uncaughtSignal && first.terminationStatus == SIGKILL)
    #expect(checkpointSteps(run).max() == 1000)
    let resumed = try launch(["resume", run.path, "--threads", "1"])
    resumed.waitUntilExit()
    #expect(resumed.terminationStatus == 0)
    #expect(try metrics(run) == metrics(reference))
  }

  /// Ctrl-C (SIGINT) checkpoints at the current step and exits cleanly with the run marked `interrupted`;
  /// resuming finishes with the same metrics as an uninterrupted run. Then `evaluate` writes one row per noise
  /// level, and gives the same numbers when repeated.
  @Test(.timeLimit(.minutes(5)))
  func interruptedRunResumesExactlyAndEvaluates() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-int-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let config = root.appendingPathComponent("run.yaml")
    try configuration.replacingOccurrences(of: "seed: 3", with: "seed: 4").write(
      to: config, atomically: true, encoding: .utf8)
    let reference = root.appendingPathComponent("reference")
    let uninterrupted = try launch(["train", config.path, "--run-dir", reference.path])
    uninterrupted.waitUntilExit()

    let run = root.appendingPathComponent("interrupted")
    let training = try launch(["train", config.path, "--run-dir", run.path])
    let deadline = Date().addingTimeInterval(60)
    while (checkpointSteps(run).max() ?? 0) < 1000 && training.isRunning && Date() < deadline { usleep(2_000) }
    kill(training.processIdentifier, SIGINT)
    training.waitUntilExit()
    #expect(training.terminationReason == .exit && training.terminationStatus == 0)
    let record = try String(contentsOf: run.appendingPathComponent("run.json"), encoding: .utf8)
    #expect(record.contains("\"status\" : \"interrupted\""))
    let resumed = try launch(["resume", run.path])
    resumed.waitUntilExit()
    #expect(resumed.terminationStatus == 0)
    #expect(try metrics(run) == metrics(reference))

    let outputs = [root.appendingPathComponent("robustness.csv"), root.appendingPathComponent("again.csv")]
    for output in outputs {
      let evaluation = try launch(
        ["evaluate", run.path, "--episodes", "2", "--noise", "0,0.5", "--output", output.path])
      evaluation.waitUntilExit()
      #expect(evaluation.terminationStatus == 0)
    }
    let text = try String(contentsOf: outputs[0], encoding: .utf8)
    #expect(try String(contentsOf: outputs[1], encoding: .utf8) == text)
    let rows = text.split(separator: "\n")
    #expect(rows.first == "noise,mean_return,std_return,min_return,max_return,mean_length,episodes")
    #expect(rows.count == 3 && rows[1].hasPrefix("0,") && rows[2].hasPrefix("0.5,"))
    #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(",200,2") })  // Pendulum episodes last 200 steps
  }
}
