import Foundation
import SparseRLAgents
import SparseRLNetworks
import SparseRLNumerics
import SparseRLPolicy

/// Inference speed of a policy, actions per second at batch 1 and batch 32, through three runtimes side by side:
/// the Swift API (`Policy.action(for:)`, `actions(for:)`), the C export compiled with `cc -O2` (a batch is
/// `batch` calls of `policy_act`), and ONNX Runtime (one thread, through Python: `Tests/References/onnx_policy.py`)
/// on the ONNX export.
///
/// The policy is the TD3/SAC actor of Hopper (11 -> 256 -> 256 -> 3, ReLU, tanh into the box), dense or with
/// an ER allocation at each sparsity, freshly initialised (speed does not depend on the values).
public struct InferenceBenchmark {
  /// Seconds each measurement runs for.
  public var seconds: Double
  /// The Python interpreter with onnxruntime (`.venv/bin/python`).
  public var python: URL
  /// `Tests/References/onnx_policy.py`.
  public var script: URL

  /// A benchmark that runs each measurement for `seconds`, ONNX Runtime through `script` in `python`.
  public init(seconds: Double, python: URL, script: URL) {
    self.seconds = seconds
    self.python = python
    self.script = script
  }

  /// One row: actions per second by runtime and batch size (`nil` when the runtime could not be measured).
  public struct Result: Sendable {
    /// Fraction of the hidden weights that are zero (0: dense).
    public var sparsity: Double
    /// Weights the policy multiplies by (its active weights).
    public var activeWeights: Int
    /// Bytes of weight data (values and indices) in the C export's `policy.c`.
    public var cDataBytes: Int
    /// Actions per second through `SparseRLPolicy`, one observation per call and 32 per call.
    public var swift: (batch1: Double, batch32: Double)
    /// Actions per second of the compiled C export (a batch is that many `policy_act` calls).
    public var c: (batch1: Double, batch32: Double)?
    /// Actions per second of ONNX Runtime (one thread) on the ONNX export.
    public var onnx: (batch1: Double, batch32: Double)?
  }

  /// The Hopper-sized actor at `sparsity` (0: dense) as a policy.
  public static func hopperActor(sparsity: Double, seed: UInt64 = 1) throws -> Policy {
    var random = RandomGenerator(seed: seed)
    let model = try NetworkArchitecture().build(inputShape: [11], outputs: 3, random: &random)
    var settings = NetworkSparsity()
    if sparsity > 0 {
      settings.method = .static
      settings.sparsity = sparsity
      settings.distribution = .erdosRenyi
    }
    let network = try SparseNetwork(model: model, sparsity: settings, totalUpdates: 1, random: random.stream("mask"))
    return try Policy(
      observationShape: [11], standardization: nil, network: network.model as! Sequential,
      head: .tanhBox(low: [-1, -1, -1], high: [1, 1, 1]))
  }

  /// Measures `policy` (`observationWidth` inputs) at batch 1 and 32. C and ONNX failures become notes.
  public func measure(_ policy: Policy, sparsity: Double, notes: inout [String]) throws -> Result {
    var random = RandomGenerator(seed: 2)
    let width = policy.observationWidth
    let observations = (0..<32).map { _ in (0..<width).map { _ in random.normal(mean: 0, standardDeviation: 1) } }
    let swift1 = rate(batch: 1) { _ = policy.action(for: observations[0]) }
    let swift32 = rate(batch: 32) { _ = policy.actions(for: observations) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let export = try CPolicyExport.write(policy, folder: folder, stem: "policy")
    var c: (Double, Double)? = nil
    do {
      c = try measureC(folder: folder, source: export.source, width: width)
    } catch {
      notes.append("C at sparsity \(sparsity): \(error)")
    }
    var onnx: (Double, Double)? = nil
    do {
      let model = folder.appendingPathComponent("policy.onnx")
      try Data(try ONNXPolicyExport.model(policy)).write(to: model)
      func run(_ batch: Int) throws -> Double {
        let output = try ReferenceScript.run(
          python: python, script: script,
          arguments: [model.path, "\(width)", "\(policy.head.actionWidth ?? 1)", "--bench", "\(batch)", "\(seconds)"])
        guard
          let value = Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw ReferenceScript.Failure(description: "onnx_policy.py printed no rate") }
        return value
      }
      onnx = (try run(1), try run(32))
    } catch {
      notes.append("ONNX Runtime at sparsity \(sparsity): \(error)")
    }
    let active = policy.network.maskableLayers.reduce(0) { $0 + $1.layer.weight.activeCount }
    return Result(
      sparsity: sparsity, activeWeights: active, cDataBytes: export.dataBytes, swift: (swift1, swift32), c: c,
      onnx: onnx)
  }

  /// Actions per second of `body` (which computes `batch` actions), over about `seconds`.
  private func rate(batch: Int, _ body: () -> Void) -> Double {
    for _ in 0..<10 { body() }
    var count = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    repeat {
      for _ in 0..<20 { body() }
      count += 20 * batch
      elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while elapsed < seconds
    return Double(count) / elapsed
  }

  private func measureC(folder: URL, source: URL, width: Int) throws -> (Double, Double) {
    let harness = folder.appendingPathComponent("bench.c")
    try Self.cHarness.write(to: harness, atomically: true, encoding: .utf8)
    let executable = folder.appendingPathComponent("bench")
    try Self.execute(["cc", "-std=c99", "-O2", "-o", executable.path, harness.path, source.path, "-lm"])
    let output = try Self.execute([executable.path, "\(seconds)"])
    let rates = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
    guard rates.count == 2 else { throw ReferenceScript.Failure(description: "C benchmark printed '\(output)'") }
    return (rates[0], rates[1])
  }

  @discardableResult
  private static func execute(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ReferenceScript.Failure(description: "\(arguments[0]) failed: \(errorText)")
    }
    return text
  }

  /// Times `policy_act` at batch 1 and 32 (a batch is that many calls) and prints both rates.
  static let cHarness = """
    #define _POSIX_C_SOURCE 199309L
    #include <stdio.h>
    #include <stdlib.h>
    #include <time.h>
    #include "policy.h"

    static double now(void) {
      struct timespec t;
      clock_gettime(CLOCK_MONOTONIC, &t);
      return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    }

    int main(int argc, char **argv) {
      static float obs[32][POLICY_OBSERVATION_SIZE];
      float action[POLICY_ACTION_SIZE];
      volatile float sink = 0.0f;
      double seconds = argc > 1 ? atof(argv[1]) : 1.0;
      unsigned state = 12345u;
      for (int b = 0; b < 32; ++b)
        for (int i = 0; i < POLICY_OBSERVATION_SIZE; ++i) {
          state = state * 1664525u + 1013904223u;
          obs[b][i] = (float)(state >> 8) / 16777216.0f * 2.0f - 1.0f;
        }
      int batches[2] = {1, 32};
      for (int k = 0; k < 2; ++k) {
        long count = 0;
        double start = now(), elapsed = 0.0;
        do {
          for (int r = 0; r < 100; ++r)
            for (int b = 0; b < batches[k]; ++b) {
              policy_act(obs[b], action);
              sink += action[0];
            }
          count += 100L * batches[k];
          elapsed = now() - start;
        } while (elapsed < seconds);
        printf("%.1f\\n", (double)count / elapsed);
      }
      return sink == 12345.0f;
    }

    """
}
