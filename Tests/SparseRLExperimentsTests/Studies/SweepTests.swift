import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `sparserl` executable built next to the test bundle.
let sparserlExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  .appendingPathComponent("sparserl")

/// Runs `sparserl` to the end and returns its exit status and output.
@discardableResult
func sparserl(_ arguments: [String], in folder: URL? = nil) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = sparserlExecutable
  process.arguments = arguments
  if let folder { process.currentDirectoryURL = folder }
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Every file under `folder` (relative path -> bytes), optionally without some top-level entries.
func snapshot(_ folder: URL, excluding: Set<String> = []) throws -> [String: Data] {
  var files: [String: Data] = [:]
  let base = folder.standardizedFileURL.path
  guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
  else { return [:] }
  for case let url as URL in enumerator {
    guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
    let relative = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
    if let first = relative.split(separator: "/").first, excluding.contains(String(first)) { continue }
    files[relative] = try Data(contentsOf: url)
  }
  return files
}

/// The files of a run that an uninterrupted and an interrupted-and-resumed run must have byte for byte.
func deterministicFiles(_ run: URL) throws -> [String: Data] {
  try Dictionary(
    uniqueKeysWithValues: ["config.yaml", "train.csv", "episodes.csv", "eval.csv", "policy.srl"].map {
      ($0, try Data(contentsOf: run.appendingPathComponent($0)))
    })
}

/// A small DQN on CartPole with a per-point overlay file, so that one grid point can be given a bad configuration.
/// The budget 0.5 halves every step count (3000 steps; checkpoints every 150, the 20-per-run floor of a
/// measurement interval).
func writeGridStudy(in root: URL, name: String = "grid") throws -> URL {
  try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
  try """
  agent: dqn
  environment: CartPole-v1
  total_steps: 6000
  evaluation_interval: 1000
  evaluation_episodes: 2
  checkpoint_interval: 200
  dqn:
    network: {hidden_sizes: [32, 32]}
    batch_size: 32
    learning_starts: 200
    buffer_size: 2000
    target_update_interval: 100
    log_interval: 100
  """.write(to: root.appendingPathComponent("dqn-small.yaml"), atomically: true, encoding: .utf8)
  for method in ["static", "rigl"] {
    for sparsity in ["0.5", "0.8"] {
      for seed in 0..<2 {
        let bad = method == "static" && sparsity == "0.8" && seed == 0
        try (bad ? "environment: CartPol-v1\n" : "# nothing to change\n").write(
          to: root.appendingPathComponent("point-\(method)-\(sparsity)-\(seed).yaml"), atomically: true,
          encoding: .utf8)
      }
    }
  }
  let study = root.appendingPathComponent("\(name).yaml")
  try """
  name: \(name)
  base: [dqn-small.yaml, "point-{method}-{sparsity}-{seed}.yaml"]
  seeds: 2
  budget: 0.5
  axes:
    method:
      - {name: static, set: {dqn.sparsity.method: static}}
      - {name: rigl, set: {dqn.sparsity.method: rigl, dqn.sparsity.update_interval: 100}}
    sparsity:
      keys: [dqn.sparsity.sparsity]
      values: [0.5, 0.8]
  report: {group: [method, sparsity], baseline: {method: static, sparsity: "0.5"}}
  """.write(to: study, atomically: true, encoding: .utf8)
  return study
}

@Suite(.serialized) struct SweepTests {
  /// A 2 x 2 x 2 study (method x sparsity x seed): one run is SIGKILLed mid-run and one has a bad configuration.
  /// The first sweep finishes the other six and reports the two; the second resumes the killed run, which then
  /// has the files of an uninterrupted run, reports the bad one as failed with its error, and leaves the six
  /// finished runs untouched.
  @Test(.timeLimit(.minutes(10)))
  func sweepSurvivesAKilledRunAndABadConfiguration() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-sweep-\(UUID().uuidString)")
    let studyFile = try writeGridStudy(in: root)
    let folder = root.appendingPathComponent("out")
    let killed = "method-rigl_sparsity-0.8_seed-1"
    let bad = "method-static_sparsity-0.8_seed-0"

    let sweep = Process()
    sweep.executableURL = sparserlExecutable
    sweep.arguments = ["sweep", studyFile.path, "--dir", folder.path, "--jobs", "2"]
    sweep.standardOutput = FileHandle.nullDevice
    sweep.standardError = FileHandle.nullDevice
    try sweep.run()
    // Kill the run as soon as it has written a checkpoint (it has 3000 steps to go, checkpoints every 100).
    let pidFile = folder.appendingPathComponent("sweep/logs/\(killed).pid")
    let checkpoints = folder.appendingPathComponent("\(killed)/checkpoints")
    var killedPid: Int32? = nil
    let deadline = Date().addingTimeInterval(240)
    while killedPid == nil && sweep.isRunning && Date() < deadline {
      if let text = try? String(contentsOf: pidFile, encoding: .utf8),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
        ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).contains(where: {
          $0.hasSuffix(".srl")
        })
      {
        kill(pid, SIGKILL)
        killedPid = pid
      }
      usleep(1_000)
    }
    sweep.waitUntilExit()
    #expect(killedPid != nil, "the run to kill never checkpointed")
    #expect(sweep.terminationStatus == 1, "a sweep with a failed or interrupted run exits with status 1")

    let status = try sparserl(["sweep", "status", folder.path]).output
    let lines = status.split(separator: "\n")
    #expect(lines.contains { $0.hasPrefix(killed) && $0.contains("interrupted") }, "\(status)")
    #expect(lines.contains { $0.hasPrefix(bad) && $0.contains("failed") && $0.contains("CartPol-v1") }, "\(status)")
    #expect(status.contains("6 finished, 1 interrupted, 1 failed"), "\(status)")
    let record = try String(contentsOf: folder.appendingPathComponent("\(bad)/run.json"), encoding: .utf8)
    #expect(
      record.contains("\"status\" : \"failed\"") && record.contains("CartPol-v1")
        && record.contains("\"failed_at_step\" : 0"))
    // The budget scaled every step count of the resolved configurations.
    let config = try String(contentsOf: folder.appendingPathComponent("sweep/configs/\(killed).yaml"), encoding: .utf8)
    #expect(config.contains("total_steps: 3000") && config.contains("learning_starts: 100"))
    #expect(config.contains("update_interval: 50") && config.contains("checkpoint_interval: 150"))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("study.yaml").path))

    let finished = try snapshot(folder, excluding: ["sweep", killed, bad, "study.yaml"])
    #expect(finished.keys.contains { $0.hasSuffix("policy.srl") })
    let second = try sparserl(["sweep", studyFile.path, "--dir", folder.path, "--jobs", "2"])
    #expect(second.status == 1, "the bad run still fails: \(second.output)")
    #expect(second.output.contains("7 finished, 1 failed"), "\(second.output)")
    #expect(try snapshot(folder, excluding: ["sweep", killed, bad, "study.yaml"]) == finished)

    // The killed run, resumed, equals an uninterrupted run of the same configuration.
    let reference = root.appendingPathComponent("reference")
    let train = try sparserl([
      "train", folder.appendingPathComponent("sweep/configs/\(killed).yaml").path, "--run-dir", reference.path,
      "--plain",
    ])
    #expect(train.status == 0, "\(train.output)")
    #expect(try deterministicFiles(folder.appendingPathComponent(killed)) == deterministicFiles(reference))

    // A third sweep has nothing to do; the dry run lists every run with its cost from the run records.
    let third = try sparserl(["sweep", folder.path])
    #expect(third.output.contains("0 to run"), "\(third.output)")
    let dry = try sparserl(["sweep", studyFile.path, "--dir", folder.path, "--dry-run"])
    #expect(dry.status == 0, "\(dry.output)")
    let dryLines = dry.output.split(separator: "\n")
    #expect(dryLines.filter { $0.hasPrefix("method-") && $0.contains("record") }.count == 7, "\(dry.output)")
    #expect(
      dryLines.contains { $0.hasPrefix(bad) && $0.contains("failed") && $0.contains("no estimate") }, "\(dry.output)")
    #expect(dry.output.contains("total:"), "\(dry.output)")
    try? FileManager.default.removeItem(at: root)
  }

  /// --dry-run on a fresh study measures speed with a short probe and writes nothing; the point whose
  /// environment does not exist has no estimate.
  @Test(.timeLimit(.minutes(3)))
  func dryRunProbesAndWritesNothing() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-dry-\(UUID().uuidString)")
    let studyFile = try writeGridStudy(in: root, name: "dry")
    let folder = root.appendingPathComponent("out")
    let dry = try sparserl(["sweep", studyFile.path, "--dir", folder.path, "--dry-run", "--probe-seconds", "0.5"])
    #expect(dry.status == 0, "\(dry.output)")
    let lines = dry.output.split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("method-") && $0.contains("probe") }.count == 7, "\(dry.output)")
    #expect(
      lines.contains { $0.hasPrefix("method-static_sparsity-0.8_seed-0") && $0.contains("no estimate") },
      "\(dry.output)")
    #expect(!FileManager.default.fileExists(atPath: folder.path), "a dry run writes nothing")
    try? FileManager.default.removeItem(at: root)
  }
}
