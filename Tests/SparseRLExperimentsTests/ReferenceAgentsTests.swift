import Foundation
import Testing

@testable import SparseRLExperiments

/// `bench agents --references` without PyTorch or JAX: a stand-in interpreter records the arguments it was given
/// and prints what `scripts/bench_references.py` prints (its JSON keys, snake case), so the contract between the
/// script and the table is checked where the optional `.venv-references` does not exist.
@Suite struct ReferenceAgentsTests {
  /// A folder with an executable stand-in `python` that writes its arguments to `arguments.txt` and prints
  /// `output` (or fails with `error` on stderr).
  private func standIn(output: String, failing error: String? = nil) throws -> (python: URL, folder: URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-refs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let python = folder.appendingPathComponent("python")
    let body =
      error.map { "echo '\($0)' >&2\nexit 3" } ?? "cat <<'JSON'\n\(output)\nJSON"
    try "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(folder.path)/arguments.txt'\n\(body)\n"
      .write(to: python, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
    try "".write(to: folder.appendingPathComponent("bench_references.py"), atomically: true, encoding: .utf8)
    return (python, folder)
  }

  private static func result(_ library: String, _ algorithm: String, threads: Int, rate: Double) -> String {
    """
    {"agent": "\(library)-\(algorithm)", "library": "\(library)", "algorithm": "\(algorithm)",
     "environment": "HalfCheetah-v5", "steps": 300, "steps_per_second": \(rate), "warmup_steps": 1000,
     "skip_steps": 50, "buffer_size": 1000000, "threads": \(threads), "torch_threads": \(threads)}
    """
  }

  /// The script gets the environment, steps, warm-up, every thread count and both replay capacities; its JSON
  /// decodes; the table puts each of our rows over the fastest thread count of SB3's and SBX's agent of the same
  /// algorithm (RLx2-TD3 over TD3), and each reference row over its own one-thread rate.
  @Test func referencesAreRunAndComparedInTheTable() throws {
    let results = [
      Self.result("SB3", "TD3", threads: 1, rate: 40), Self.result("SB3", "TD3", threads: 2, rate: 50),
      Self.result("SBX", "TD3", threads: 1, rate: 80), Self.result("SBX", "TD3", threads: 2, rate: 64),
      Self.result("SB3", "SAC", threads: 1, rate: 25),
    ]
    let output =
      "{\"threads\": [1, 2], \"cpu_count\": 2, \"versions\": {\"torch\": \"2.5\"}, \"results\": ["
      + results.joined(separator: ", ") + "]}"
    let (python, folder) = try standIn(output: output)
    let references = ReferenceAgents(python: python, script: folder.appendingPathComponent("bench_references.py"))
    #expect(references.unavailableReason == nil)
    let report = try references.measure(
      environment: "HalfCheetah-v5", threads: [1, 2], steps: 300, warmupSteps: 1000,
      bufferSizes: (td3: 1_000_000, sac: 3_000_000))
    let arguments = try String(contentsOf: folder.appendingPathComponent("arguments.txt"), encoding: .utf8)
      .split(separator: "\n").map(String.init)
    #expect(
      arguments.dropFirst()
        == [
          "--env", "HalfCheetah-v5", "--steps", "300", "--warmup-steps", "1000", "--threads", "1", "2",
          "--buffer-size", "1000000", "3000000",
        ])
    #expect(report.results.count == 5 && report.versions["torch"] == "2.5")
    #expect(report.results[1].stepsPerSecond == 50 && report.results[1].torchThreads == 2)
    #expect(report.results[0].label == "SB3 TD3 (PyTorch)" && report.results[2].label == "SBX TD3 (JAX)")

    func ours(_ agent: AgentBenchmark.AgentKind, _ sparsity: Double, _ rate: Double) -> AgentBenchmark.Result {
      AgentBenchmark.Result(
        agent: agent, environment: "HalfCheetah-v5", sparsity: sparsity, networks: "2x256", steps: 300,
        stepsPerSecond: rate, threads: 1, replayBytes: nil, replayRawBytes: nil)
    }
    let table = AgentBenchmark.markdown(
      [ours(.td3, 0, 100), ours(.rlx2, 0.9, 400), ours(.sac, 0, 30)], references: report.results
    ).split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
    #expect(table[0].suffix(2) == ["over SB3", "over SBX"])
    // TD3 100 steps/s: over SB3's fastest (50, 2 threads) 2x, over SBX's fastest (80, 1 thread) 1.25x.
    #expect(table[2].suffix(2) == ["2.00x", "1.25x"])
    #expect(table[3].suffix(2) == ["8.00x", "5.00x"], "RLx2-TD3 against the TD3 references")
    #expect(table[4].suffix(2) == ["1.20x", "-"], "SAC: no SBX SAC measured")
    let sb3TwoThreads = try #require(table.first { $0.first == "SB3 TD3 (PyTorch)" && $0[4] == "2" })
    #expect(sb3TwoThreads[5] == "50" && sb3TwoThreads[7] == "1.25x")
  }

  /// A script that fails is reported with its exit status and what it wrote on stderr.
  @Test func aFailingScriptIsReportedWithItsError() throws {
    let (python, folder) = try standIn(output: "", failing: "ModuleNotFoundError: No module named sbx")
    let references = ReferenceAgents(python: python, script: folder.appendingPathComponent("bench_references.py"))
    #expect {
      _ = try references.measure(
        environment: "HalfCheetah-v5", threads: [1], steps: 10, warmupSteps: 10, bufferSizes: (td3: 10, sac: 10))
    } throws: { error in
      String(describing: error).contains("No module named sbx")
    }
    let missing = ReferenceAgents(
      python: folder.appendingPathComponent("no-python"), script: folder.appendingPathComponent("bench_references.py"))
    #expect(missing.unavailableReason?.contains("scripts/setup-references.sh") == true)
  }
}
