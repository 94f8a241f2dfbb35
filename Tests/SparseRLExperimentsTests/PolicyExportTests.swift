import Foundation
import SparseRLAgents
import SparseRLEnvironments
import SparseRLNumerics
import SparseRLPolicy
import SparseRLTestSupport
import Testing

@testable import SparseRLExperiments

struct ExportTestFailure: Error, CustomStringConvertible {
  var description: String
}

/// A process that serves actions over stdin/stdout: a request is a `UInt32` count `n` and `n * width` floats,
/// the reply `n * actionWidth` floats (little-endian). The compiled C harness and `onnx_policy.py` speak it.
final class ActionServer {
  let process = Process()
  let input = Pipe()
  let output = Pipe()
  let width: Int
  let actionWidth: Int

  init(executable: URL, arguments: [String], width: Int, actionWidth: Int) throws {
    self.width = width
    self.actionWidth = actionWidth
    process.executableURL = executable
    process.arguments = arguments
    process.standardInput = input
    process.standardOutput = output
    try process.run()
  }

  func actions(_ observations: [[Float]]) throws -> [[Float]] {
    var result: [[Float]] = []
    for start in stride(from: 0, to: observations.count, by: 100) {
      let chunk = observations[start..<min(start + 100, observations.count)]
      var request = Data()
      withUnsafeBytes(of: UInt32(chunk.count).littleEndian) { request.append(contentsOf: $0) }
      for observation in chunk {
        precondition(observation.count == width)
        observation.withUnsafeBytes { request.append(contentsOf: $0) }
      }
      input.fileHandleForWriting.write(request)
      let needed = chunk.count * actionWidth * 4
      var reply = Data()
      while reply.count < needed {
        let piece = output.fileHandleForReading.readData(ofLength: needed - reply.count)
        guard !piece.isEmpty else {
          throw ExportTestFailure(description: "action server \(process.executableURL!.path) stopped")
        }
        reply.append(piece)
      }
      let floats = reply.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
      for k in 0..<chunk.count { result.append(Array(floats[(k * actionWidth)..<((k + 1) * actionWidth)])) }
    }
    return result
  }

  func close() {
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
  }
}

/// One agent kind on one environment, trained for a few hundred steps.
struct ExportCase: CustomTestStringConvertible, Sendable {
  var name: String
  var presets: [String]
  var overrides: [String]
  var needsMuJoCo: Bool
  var testDescription: String { name }

  static let all: [ExportCase] = [
    ExportCase(
      name: "td3-hopper", presets: ["rlx2/td3-hopper"],
      overrides: ["total_steps=300", "td3.warmup_steps=100", "td3.batch_size=32"], needsMuJoCo: true),
    ExportCase(
      name: "sac-hopper", presets: ["sparse-training/sac-hopper"],
      overrides: [
        "total_steps=300", "sac.warmup_steps=100", "sac.batch_size=32", "sac.actor_sparsity.method=static",
        "sac.actor_sparsity.sparsity=0.9",
      ], needsMuJoCo: true),
    ExportCase(
      name: "dqn-cartpole", presets: ["sparse-training/dqn-cartpole"],
      overrides: [
        "total_steps=400", "dqn.learning_starts=100", "dqn.sparsity.method=static", "dqn.sparsity.sparsity=0.8",
      ], needsMuJoCo: false),
    ExportCase(
      name: "dqn-breakout", presets: ["minatar/dqn-breakout"],
      overrides: [
        "total_steps=300", "dqn.learning_starts=100", "dqn.sparsity.method=static", "dqn.sparsity.sparsity=0.9",
      ], needsMuJoCo: false),
  ]
}

/// Runs `cc` (C99, -O2, warnings as errors) on `sources`; returns the executable.
func compileC(_ sources: [URL], output: URL) throws {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments =
    ["cc", "-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-Werror", "-o", output.path]
    + sources.map(\.path) + ["-lm"]
  let errors = Pipe()
  process.standardError = errors
  try process.run()
  let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw ExportTestFailure(description: "cc failed: \(message)")
  }
}

/// The external symbols an object compiled from `source` needs.
func undefinedSymbols(_ source: URL) throws -> Set<String> {
  let object = source.deletingPathExtension().appendingPathExtension("o")
  let compile = Process()
  compile.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  compile.arguments = ["cc", "-std=c99", "-O2", "-c", "-o", object.path, source.path]
  try compile.run()
  compile.waitUntilExit()
  let nm = Process()
  nm.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  nm.arguments = ["nm", "-u", object.path]
  let output = Pipe()
  nm.standardOutput = output
  try nm.run()
  let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  nm.waitUntilExit()
  return Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
}

/// The harness serving `policy_act` over the `ActionServer` protocol.
let cHarness = """
  #include <stdint.h>
  #include <stdio.h>
  #include "policy.h"

  int main(void) {
    static float obs[POLICY_OBSERVATION_SIZE];
    float action[POLICY_ACTION_SIZE];
    uint32_t n;
    while (fread(&n, 4, 1, stdin) == 1) {
      for (uint32_t i = 0; i < n; ++i) {
        if (fread(obs, sizeof(float), POLICY_OBSERVATION_SIZE, stdin) != POLICY_OBSERVATION_SIZE) return 1;
        policy_act(obs, action);
        fwrite(action, sizeof(float), POLICY_ACTION_SIZE, stdout);
      }
      fflush(stdout);
    }
    return 0;
  }

  """

/// `action` as floats (a discrete index as one float), the form the C and ONNX exports return.
func floats(_ action: PolicyAction) -> [Float] {
  switch action {
  case .discrete(let index): [Float(index)]
  case .continuous(let values): values
  }
}

func floats(_ action: Action) -> [Float] {
  switch action {
  case .discrete(let index): [Float(index)]
  case .continuous(let values): values
  }
}

/// The action for the environment from the float form.
func environmentAction(_ values: [Float], discrete: Bool) -> Action {
  discrete ? .discrete(Int(values[0])) : .continuous(values)
}

/// Observations from seeded episodes with uniformly random actions.
func collectObservations(environment id: String, count: Int, seed: UInt64) throws -> [[Float]] {
  let environment = try EnvironmentRegistry.make(id)
  var random = RandomGenerator(seed: seed)
  var observations: [[Float]] = []
  var observation = try environment.reset(seed: seed).observation
  while observations.count < count {
    observations.append(observation)
    let step = try environment.step(environment.actionSpace.sample(using: &random))
    observation = step.isLast ? try environment.reset(seed: nil).observation : step.observation
  }
  return observations
}

/// The return of one episode of `environment` reset with `seed`, acting with `act`.
func episodeReturn(environment id: String, seed: UInt64, act: ([Float]) throws -> Action) throws -> (Double, Int) {
  let environment = try EnvironmentRegistry.make(id)
  var observation = try environment.reset(seed: seed).observation
  var total = 0.0
  var length = 0
  while true {
    let step = try environment.step(try act(observation))
    total += step.reward
    length += 1
    if step.isLast { return (total, length) }
    observation = step.observation
  }
}

@Suite(.serialized) struct PolicyExportTests {
  static var mujocoRuns: Bool { MuJoCo.isAvailable() || PythonReference.isRequired }

  /// Trains a tiny run, exports its policy three ways and checks that ONNX Runtime, the compiled C export and the
  /// Swift API give the run's own evaluation actions on 1,000 observations and the same seeded episode return.
  @Test(arguments: ExportCase.all)
  func exportsActLikeTheRunsEvaluationPolicy(_ example: ExportCase) throws {
    if example.needsMuJoCo && !PolicyExportTests.mujocoRuns { return }
    let folder = try temporaryFolder(example.name)
    defer { try? FileManager.default.removeItem(at: folder) }
    let experiment = try Experiment.resolve(
      layers: try example.presets.map(Presets.layer),
      overrides: example.overrides + ["evaluation_interval=0", "evaluation_episodes=1", "checkpoint_interval=0"])
    let run = try RunDirectory.create(at: folder.appendingPathComponent("run"))
    _ = try Trainer(experiment: experiment, run: run, progressStyle: .silent).start()

    // The run's own evaluation policy: the agent restored from its final checkpoint.
    let agent = try experiment.makeAgent(makeEnvironment: { try experiment.makeTrainingEnvironment() })
    let checkpoint = try #require(
      CheckpointStore(folder: run.checkpoints).loadNewest(
        decode: { try CheckpointFormat.decode($0, config: experiment.resolvedYAML) }, onRejected: { _, _ in }))
    try agent.restoreState(checkpoint.value.agent)

    let id = experiment.run.environment
    let observations = try collectObservations(environment: id, count: 1000, seed: 11)
    let expected = observations.map { floats(agent.evaluationAction(for: $0)) }
    let discrete = if case .discrete = try EnvironmentRegistry.make(id).actionSpace { true } else { false }

    // Swift API on policy.srl.
    let policy = try Policy(contentsOf: run.policy)
    #expect(policy.metadata["agent"] == experiment.kind.rawValue)
    let width = policy.observationWidth
    let actionWidth = expected[0].count
    let single = observations.map { floats(policy.action(for: $0)) }
    let batched = policy.actions(for: observations).map(floats)
    check(single, expected, discrete: discrete, what: "Swift API")
    check(batched, expected, discrete: discrete, what: "Swift API, batched")

    // C export, compiled and served.
    let written = try PolicyExport.export(
      source: run.url, format: .c, output: folder.appendingPathComponent("policy.c"))
    #expect(written.dataBytes! > 0)
    #expect(
      try undefinedSymbols(folder.appendingPathComponent("policy.c")).isSubset(of: ["tanhf", "memset", "memcpy"]))
    let harness = folder.appendingPathComponent("harness.c")
    try cHarness.write(to: harness, atomically: true, encoding: .utf8)
    let executable = folder.appendingPathComponent("harness")
    try compileC([harness, folder.appendingPathComponent("policy.c")], output: executable)
    let c = try ActionServer(executable: executable, arguments: [], width: width, actionWidth: actionWidth)
    defer { c.close() }
    check(try c.actions(observations), expected, discrete: discrete, what: "C export")

    // ONNX export under ONNX Runtime (checked by onnx.checker first).
    var onnx: ActionServer? = nil
    if PythonReference.isAvailable {
      let model = folder.appendingPathComponent("policy.onnx")
      _ = try PolicyExport.export(source: run.url, format: .onnx, output: model)
      let server = try ActionServer(
        executable: PythonReference.interpreter,
        arguments: [
          PythonReference.scriptsFolder.appendingPathComponent("onnx_policy.py").path, model.path, "\(width)",
          "\(actionWidth)",
        ], width: width, actionWidth: actionWidth)
      onnx = server
      check(try server.actions(observations), expected, discrete: discrete, what: "ONNX Runtime")
    }
    defer { onnx?.close() }

    // The same return on a seeded evaluation episode.
    let reference = try episodeReturn(environment: id, seed: 5) { agent.evaluationAction(for: $0) }
    let swift = try episodeReturn(environment: id, seed: 5) {
      environmentAction(floats(policy.action(for: $0)), discrete: discrete)
    }
    let fromC = try episodeReturn(environment: id, seed: 5) {
      environmentAction(try c.actions([$0])[0], discrete: discrete)
    }
    #expect(swift == reference)
    #expect(fromC.1 == reference.1 && abs(fromC.0 - reference.0) <= 1e-6 * max(1, abs(reference.0)))
    if let onnx {
      let fromONNX = try episodeReturn(environment: id, seed: 5) {
        environmentAction(try onnx.actions([$0])[0], discrete: discrete)
      }
      #expect(fromONNX.1 == reference.1 && abs(fromONNX.0 - reference.0) <= 1e-6 * max(1, abs(reference.0)))
    }
  }

  /// A corrupt or truncated `policy.srl` is refused by the API and by `export`, naming the problem, and nothing
  /// is written.
  @Test func corruptOrTruncatedPolicyFilesAreRefused() throws {
    let folder = try temporaryFolder("corrupt")
    defer { try? FileManager.default.removeItem(at: folder) }
    let experiment = try Experiment.resolve(
      layers: [try Presets.layer("sparse-training/dqn-cartpole")],
      overrides: ["total_steps=150", "dqn.learning_starts=100", "evaluation_interval=0", "evaluation_episodes=1"])
    let run = try RunDirectory.create(at: folder.appendingPathComponent("run"))
    _ = try Trainer(experiment: experiment, run: run, progressStyle: .silent).start()
    let bytes = try [UInt8](Data(contentsOf: run.policy))
    var flipped = bytes
    flipped[bytes.count - 5] ^= 0x01
    for (damaged, reason) in [(flipped, "checksum mismatch"), (Array(bytes.prefix(bytes.count / 3)), "truncated")] {
      try Data(damaged).write(to: run.policy)
      for format in PolicyExport.Format.allCases {
        let output = folder.appendingPathComponent("out-\(format.rawValue)")
        let error = try #require(throws: PolicyError.self) {
          try PolicyExport.export(source: run.url, format: format, output: output)
        }
        #expect("\(error)".contains("is not a valid SparseRL policy file") && "\(error)".contains(reason))
        #expect(!FileManager.default.fileExists(atPath: output.path))
      }
      #expect(throws: PolicyError.self) { try Policy(contentsOf: run.policy) }
    }
    // Without policy.srl (an unfinished run) the newest checkpoint gives the same policy.
    try Data(bytes).write(to: run.policy)
    let fromFile = try Policy(contentsOf: run.policy)
    try FileManager.default.removeItem(at: run.policy)
    let fromCheckpoint = try RunPolicy.load(run.url)
    #expect(fromCheckpoint.encoded() == fromFile.encoded())
  }

  func check(_ actual: [[Float]], _ expected: [[Float]], discrete: Bool, what: String) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) actions")
    var worst: Float = 0
    var mismatches = 0
    for (a, e) in zip(actual, expected) {
      if a.count != e.count {
        mismatches += 1
        continue
      }
      if discrete {
        if a != e { mismatches += 1 }
      } else {
        for (x, y) in zip(a, e) { worst = max(worst, abs(x - y)) }
      }
    }
    #expect(mismatches == 0, "\(what): \(mismatches) of \(expected.count) actions differ")
    #expect(worst <= 1e-5, "\(what): largest action difference \(worst)")
  }
}
