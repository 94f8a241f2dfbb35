import Foundation
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLPolicy

/// A small sparse MLP policy 5 -> 16 -> 3 (tanh box) with a standardisation.
func makeBoxPolicy(seed: UInt64) throws -> Policy {
  var random = RandomGenerator(seed: seed)
  let pattern = SparsePattern(
    rows: 16, columns: 5, mask: (0..<80).map { _ in random.nextDouble() < 0.4 })
  let network = Sequential(
    Linear(inFeatures: 5, outFeatures: 16, pattern: pattern, random: &random), ReLU(),
    Linear(inFeatures: 16, outFeatures: 6, random: &random))
  return try Policy(
    observationShape: [5],
    standardization: ObservationStandardization(
      mean: [0.1, -0.2, 0.3, 0, 1], variance: [1, 2, 0.5, 4, 0.25], epsilon: 1e-8, clip: 5),
    network: network, head: .tanhBox(low: [-1, -2, 0], high: [1, 2, 3]))
}

@Suite struct PolicyTests {
  /// Naive reference: standardise, dense matrix products, tanh of the first outputs, affine map into the box.
  func reference(_ policy: Policy, _ observation: [Float]) -> [Double] {
    let s = policy.standardization!
    var x = observation.indices.map { i in
      min(max((Double(observation[i]) - s.mean[i]) / (s.variance[i] + s.epsilon).squareRoot(), -5), 5)
    }
    for layer in policy.network.layers {
      if let linear = layer as? Linear {
        let w = linear.weight.denseValue()
        x = (0..<linear.outFeatures).map { r in
          (0..<linear.inFeatures).reduce(Double(linear.bias!.value[r])) { $0 + Double(w[r, $1]) * x[$1] }
        }
      } else {
        x = x.map { max($0, 0) }
      }
    }
    guard case .tanhBox(let low, let high) = policy.head else { return [] }
    return (0..<low.count).map { i in Double(low[i]) + (tanh(x[i]) + 1) / 2 * Double(high[i] - low[i]) }
  }

  @Test func actionsMatchANaiveReferenceAndSurviveTheFile() throws {
    let policy = try makeBoxPolicy(seed: 1)
    var random = RandomGenerator(seed: 2)
    let observations = (0..<40).map { _ in (0..<5).map { _ in random.normal(mean: 0, standardDeviation: 2) } }
    let loaded = try Policy(encoded: policy.encoded())
    let batched = loaded.actions(for: observations)
    for (b, observation) in observations.enumerated() {
      guard case .continuous(let action) = policy.action(for: observation) else {
        Issue.record("expected a continuous action")
        return
      }
      let expected = reference(policy, observation)
      for i in 0..<3 { #expect(abs(Double(action[i]) - expected[i]) < 1e-5) }
      #expect(loaded.action(for: observation) == .continuous(action))
      guard case .continuous(let fromBatch) = batched[b] else { return }
      for i in 0..<3 { #expect(abs(fromBatch[i] - action[i]) < 1e-5) }
    }
    #expect(loaded.network.parameters.map(\.pattern) == policy.network.parameters.map(\.pattern))
  }

  @Test func greedyHeadPicksTheFirstLargestOutputPlusStart() throws {
    let weight = Parameter(name: "weight", rows: 3, columns: 2, value: [1, 0, 0, 1, 1, 0])
    let network = Sequential(Linear(weight: weight, bias: nil))
    let policy = try Policy(observationShape: [2], standardization: nil, network: network, head: .greedy(start: 5))
    #expect(policy.action(for: [2, 1]) == .discrete(5))  // outputs 2, 1, 2: the first maximum
    #expect(policy.action(for: [1, 3]) == .discrete(6))
    #expect(try Policy(encoded: policy.encoded()).actions(for: [[2, 1], [1, 3]]) == [.discrete(5), .discrete(6)])
  }

  @Test func corruptTruncatedAndForeignFilesAreRefusedWithTheirReason() throws {
    let bytes = try makeBoxPolicy(seed: 3).encoded()
    func reason(_ data: [UInt8]) -> String {
      do {
        _ = try Policy(encoded: data, source: "p.srl")
        return "loaded"
      } catch { return "\(error)" }
    }
    var flipped = bytes
    flipped[bytes.count / 2] ^= 0x40
    #expect(reason(flipped).contains("p.srl is not a valid SparseRL policy file: archive checksum mismatch"))
    #expect(reason(Array(bytes.prefix(bytes.count - 10))).contains("truncated"))
    #expect(reason(Array("hello world, not a policy".utf8)).contains("bad magic"))
    var legacy = BinaryArchive()
    legacy["kind"] = .string("sparserl-policy")
    #expect(reason(legacy.encoded()).contains("policy format version 1"))
    var future = try BinaryArchive(decoding: bytes)
    future["policyVersion"] = .int(3)
    #expect(reason(future.encoded()).contains("policy format version 3 is not supported"))
    var other = try BinaryArchive(decoding: bytes)
    other["kind"] = .string("checkpoint")
    #expect(reason(other.encoded()).contains("kind is not sparserl-policy"))
    var badLayer = try BinaryArchive(decoding: bytes)
    var layers = try badLayer.archive("layers")
    var first = try layers.archive("0")
    first["inFeatures"] = .int(4)
    layers["0"] = .archive(first)
    badLayer["layers"] = .archive(layers)
    #expect(reason(badLayer.encoded()).contains("is not a valid SparseRL policy file"))
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-policy-\(getpid()).srl")
    #expect(throws: PolicyError.self) { try Policy(contentsOf: missing) }
  }
}
