import Foundation
import SparseRLNetworks
import SparseRLPolicy
import SparseRLTestSupport
import Testing

@testable import SparseRLExperiments

/// The exports at the edges trained policies seldom reach: ties between Q-values, standardised observations
/// beyond the clip, and actions outside the box. Each policy is exported to C (compiled and served) and to ONNX
/// (served by ONNX Runtime), and every export, like the Swift API, must give the actions worked out by hand
/// below.
@Suite struct ExportedHeadTests {
  /// The actions of `policy` for `observations` from the Swift API, the compiled C export and ONNX Runtime.
  func actionsOfEveryExport(_ policy: Policy, _ observations: [[Float]], actionWidth: Int, name: String) throws
    -> [(String, [[Float]])]
  {
    let folder = try temporaryFolder(name)
    defer { try? FileManager.default.removeItem(at: folder) }
    var results = [("Swift API", observations.map { floats(policy.action(for: $0)) })]
    let (_, source, _) = try CPolicyExport.write(policy, folder: folder, stem: "policy")
    let harness = folder.appendingPathComponent("harness.c")
    try cHarness.write(to: harness, atomically: true, encoding: .utf8)
    let executable = folder.appendingPathComponent("harness")
    try compileC([harness, source], output: executable)
    let c = try ActionServer(
      executable: executable, arguments: [], width: policy.observationWidth, actionWidth: actionWidth)
    defer { c.close() }
    results.append(("C export", try c.actions(observations)))
    if PythonReference.isAvailable {
      let model = folder.appendingPathComponent("policy.onnx")
      try Data(try ONNXPolicyExport.model(policy)).write(to: model)
      let onnx = try ActionServer(
        executable: PythonReference.interpreter,
        arguments: [
          PythonReference.scriptsFolder.appendingPathComponent("onnx_policy.py").path, model.path,
          "\(policy.observationWidth)", "\(actionWidth)",
        ], width: policy.observationWidth, actionWidth: actionWidth)
      defer { onnx.close() }
      results.append(("ONNX Runtime", try onnx.actions(observations)))
    }
    return results
  }

  /// Outputs `(x0, x1, x0)`: outputs 0 and 2 always tie, and the greedy action is the first largest plus the
  /// space's start (5): `[2, 1]` -> 5, `[1, 3]` -> 6, `[1, 1]` (a three-way tie) -> 5, `[-1, -4]` -> 5.
  @Test func greedyHeadsPickTheFirstLargestOutputInEveryExport() throws {
    let weight = Parameter(name: "weight", rows: 3, columns: 2, value: [1, 0, 0, 1, 1, 0])
    let policy = try Policy(
      observationShape: [2], standardization: nil, network: Sequential(Linear(weight: weight, bias: nil)),
      head: .greedy(start: 5))
    let observations: [[Float]] = [[2, 1], [1, 3], [1, 1], [-1, -4]]
    for (what, actions) in try actionsOfEveryExport(policy, observations, actionWidth: 1, name: "greedy-ties") {
      #expect(actions == [[5], [6], [5], [5]], "\(what)")
    }
  }

  /// Standardisation `clip((o - mean) / sqrt(variance + eps), -2, 2)` with mean (1, -1), variance (4, 0.25),
  /// eps 0, then `y = z + (0.5, 0)` clipped into the box [-1, 1] x [-3, 3]:
  /// `[2, -1]` -> z (0.5, 0) -> (1, 0); `[11, -2]` -> z (2 clipped from 5, -2) -> (1 clipped from 2.5, -2);
  /// `[-9, 0]` -> z (-2 clipped from -5, 2) -> (-1 clipped from -1.5, 2); `[0, -0.75]` -> z (-0.5, 0.5) -> (0, 0.5);
  /// `[1, 1]` -> z (0, 2 clipped from 4) -> (0.5, 2) (only the standardisation's clip keeps it off the box's 3).
  @Test func standardisationAndBoxClipsAgreeInEveryExport() throws {
    let weight = Parameter(name: "weight", rows: 2, columns: 2, value: [1, 0, 0, 1])
    let bias = Parameter(name: "bias", rows: 2, columns: 1, value: [0.5, 0])
    let policy = try Policy(
      observationShape: [2],
      standardization: ObservationStandardization(mean: [1, -1], variance: [4, 0.25], epsilon: 0, clip: 2),
      network: Sequential(Linear(weight: weight, bias: bias)), head: .clippedBox(low: [-1, -3], high: [1, 3]))
    let observations: [[Float]] = [[2, -1], [11, -2], [-9, 0], [0, -0.75], [1, 1]]
    let expected: [[Float]] = [[1, 0], [1, -2], [-1, 2], [0, 0.5], [0.5, 2]]
    for (what, actions) in try actionsOfEveryExport(policy, observations, actionWidth: 2, name: "clips") {
      #expect(actions.count == expected.count, "\(what)")
      for (action, wanted) in zip(actions, expected) {
        #expect(zip(action, wanted).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(what): \(action) instead of \(wanted)")
      }
    }
  }

  /// A tanh box [0, 4] x [-1, 3] on outputs (u0, u1) = (o0, -o1) with an unused third output: the action is
  /// `low + (tanh(u) + 1) / 2 (high - low)`; u = 0 gives the box's middle (2, 1), large |u| its edges.
  @Test func tanhBoxMapsIntoTheBoxInEveryExport() throws {
    let weight = Parameter(name: "weight", rows: 3, columns: 2, value: [1, 0, 0, -1, 1, 1])
    let policy = try Policy(
      observationShape: [2], standardization: nil, network: Sequential(Linear(weight: weight, bias: nil)),
      head: .tanhBox(low: [0, -1], high: [4, 3]))
    let observations: [[Float]] = [[0, 0], [30, 30], [0.5, -0.25]]
    let expected: [[Float]] = [
      [2, 1], [4, -1], [Float(2 * (tanh(0.5) + 1)), Float(-1 + 2 * (tanh(0.25) + 1))],
    ]
    for (what, actions) in try actionsOfEveryExport(policy, observations, actionWidth: 2, name: "tanh-box") {
      for (action, wanted) in zip(actions, expected) {
        #expect(zip(action, wanted).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(what): \(action) instead of \(wanted)")
      }
    }
  }
}
