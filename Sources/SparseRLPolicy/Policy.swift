import Foundation
import SparseRLNetworks
import SparseRLNumerics

/// An action of a policy, in the environment's action space.
public enum PolicyAction: Equatable, Sendable {
  /// A discrete action (the space's start included).
  case discrete(Int)
  /// A continuous action inside the environment's box.
  case continuous([Float])
}

/// Observation standardisation applied before the network:
/// `clip((o - mean) / sqrt(variance + epsilon), -clip, clip)` per element (PPO's frozen running statistics).
public struct ObservationStandardization: Equatable, Sendable {
  /// Mean of each observation element.
  public var mean: [Double]
  /// Variance of each observation element.
  public var variance: [Double]
  /// Added to the variance under the square root.
  public var epsilon: Double
  /// Normalised values are clipped to `[-clip, clip]`.
  public var clip: Float

  /// A standardisation from its statistics.
  public init(mean: [Double], variance: [Double], epsilon: Double, clip: Float) {
    precondition(mean.count == variance.count, "standardization: \(mean.count) means, \(variance.count) variances")
    self.mean = mean
    self.variance = variance
    self.epsilon = epsilon
    self.clip = clip
  }

  /// The standardised observation (computed in `Double`, as `ObservationNormalization` does).
  public func apply(_ observation: [Float]) -> [Float] {
    (0..<observation.count).map { i in
      let z = (Double(observation[i]) - mean[i]) / (variance[i] + epsilon).squareRoot()
      return min(max(Float(z), -clip), clip)
    }
  }
}

/// How a policy turns the network's output into the environment's action.
public enum PolicyHead: Equatable, Sendable {
  /// The index of the largest output (the first on ties) plus `start` (DQN's greedy action, PPO's categorical
  /// mode).
  case greedy(start: Int)
  /// `tanh` of the first `low.count` outputs, mapped from `[-1, 1]` to `[low, high]` by
  /// `low + (a + 1) / 2 (high - low)` (in `Double`) and clamped into the box (TD3's actor; SAC's mean, the
  /// first half of its outputs).
  case tanhBox(low: [Float], high: [Float])
  /// The first `low.count` outputs clamped into `[low, high]` (PPO's Gaussian mean).
  case clippedBox(low: [Float], high: [Float])

  /// The network outputs the head reads (at least; a greedy head reads all of them).
  public var actionWidth: Int? {
    switch self {
    case .greedy: nil
    case .tanhBox(let low, _), .clippedBox(let low, _): low.count
    }
  }

  /// The action for one column `b` of the network's output `[outputs x batch]`.
  public func action(_ output: Matrix, column b: Int) -> PolicyAction {
    switch self {
    case .greedy(let start):
      var best = 0
      for a in 1..<output.rows where output[a, b] > output[best, b] { best = a }
      return .discrete(start + best)
    case .tanhBox(let low, let high):
      return .continuous(
        (0..<low.count).map { i in
          // The agents' tanh, so the policy acts bit for bit as the run's evaluation policy.
          let a = FloatMath.tanh(output[i, b])
          let mapped = Double(low[i]) + (Double(a) + 1) / 2 * (Double(high[i]) - Double(low[i]))
          return min(max(Float(mapped), low[i]), high[i])
        })
    case .clippedBox(let low, let high):
      return .continuous((0..<low.count).map { i in min(max(output[i, b], low[i]), high[i]) })
    }
  }
}

/// A trained policy, ready to act: raw observation -> optional standardisation -> network -> head ->
/// environment action. Deterministic; no training code.
///
/// Build one from an agent (`SparseRLAgents`' `evaluationPolicy()`), or load a policy file (`.srl`, see
/// `PolicyFile`) with `init(contentsOf:)`. Not thread-safe: the network reuses its buffers between calls.
public final class Policy {
  /// Shape of one raw observation (`[features]` or `[channels, height, width]`).
  public let observationShape: [Int]
  /// Standardisation applied to raw observations, or `nil`.
  public let standardization: ObservationStandardization?
  /// The network (its layers are `Linear`, `Conv2d`, `ReLU`, `LeakyReLU`, `Tanh`, `Flatten`, `LayerNorm`,
  /// `ResidualBlock`).
  public let network: Sequential
  /// Outputs of the network.
  public let outputs: Int
  /// The map from network output to action.
  public let head: PolicyHead
  /// Descriptive strings kept with the policy (`agent`, `environment`, `config`).
  public var metadata: [String: String]

  /// A policy from its parts. Throws `PolicyError.invalid` when the parts do not fit together.
  public init(
    observationShape: [Int], standardization: ObservationStandardization?, network: Sequential, head: PolicyHead,
    metadata: [String: String] = [:]
  ) throws {
    guard !observationShape.isEmpty, observationShape.allSatisfy({ $0 > 0 }) else {
      throw PolicyError.invalid("observation shape \(observationShape) must be non-empty and positive")
    }
    let width = observationShape.reduce(1, *)
    if let standardization, standardization.mean.count != width {
      throw PolicyError.invalid(
        "standardization has \(standardization.mean.count) elements for observations of \(width)")
    }
    for layer in network.layers where !Policy.isSupported(layer) {
      throw PolicyError.invalid("layer type \(type(of: layer)) is not supported in a policy")
    }
    let outputs = network.outputFeatures(forInput: width)
    switch head {
    case .greedy:
      guard outputs >= 1 else { throw PolicyError.invalid("a greedy head needs at least one output") }
    case .tanhBox(let low, let high), .clippedBox(let low, let high):
      guard low.count == high.count, !low.isEmpty, low.count <= outputs else {
        throw PolicyError.invalid("box of \(low.count)/\(high.count) bounds for \(outputs) network outputs")
      }
      guard zip(low, high).allSatisfy({ $0.isFinite && $1.isFinite && $0 < $1 }) else {
        throw PolicyError.invalid("box bounds must be finite with low < high")
      }
    }
    self.observationShape = observationShape
    self.standardization = standardization
    self.network = network
    self.outputs = outputs
    self.head = head
    self.metadata = metadata
  }

  /// Loads a policy file. Throws `PolicyError` naming the problem (not a policy file, another format version,
  /// truncated or corrupted data, an inconsistent network).
  public convenience init(contentsOf url: URL) throws {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw PolicyError.unreadable(path: url.path, reason: error.localizedDescription)
    }
    try self.init(encoded: [UInt8](data), source: url.path)
  }

  /// Decodes the bytes of a policy file (`source` names it in errors).
  public convenience init(encoded bytes: [UInt8], source: String = "policy") throws {
    let parts = try PolicyFile.decode(bytes, source: source)
    try self.init(
      observationShape: parts.observationShape, standardization: parts.standardization, network: parts.network,
      head: parts.head, metadata: parts.metadata)
  }

  /// Elements of one raw observation.
  public var observationWidth: Int { observationShape.reduce(1, *) }

  /// The action for one raw observation (`observationWidth` elements, channel-major for images).
  public func action(for observation: [Float]) -> PolicyAction {
    precondition(
      observation.count == observationWidth,
      "policy: observation has \(observation.count) elements, expected \(observationWidth)")
    let input = standardization?.apply(observation) ?? observation
    let output = network.forward(Matrix(rows: input.count, columns: 1, scalars: input))
    return head.action(output, column: 0)
  }

  /// The actions for a batch of raw observations, computed in one forward pass.
  public func actions(for observations: [[Float]]) -> [PolicyAction] {
    guard !observations.isEmpty else { return [] }
    let width = observationWidth
    var input = Matrix(rows: width, columns: observations.count)
    for (b, observation) in observations.enumerated() {
      precondition(
        observation.count == width, "policy: observation \(b) has \(observation.count) elements, expected \(width)")
      let standardized = standardization?.apply(observation) ?? observation
      for j in 0..<width { input[j, b] = standardized[j] }
    }
    let output = network.forward(input)
    return (0..<observations.count).map { head.action(output, column: $0) }
  }

  /// The policy file's bytes (see `PolicyFile`).
  public func encoded() -> [UInt8] { PolicyFile.encode(self) }

  /// Writes the policy file to `url` (atomically: an existing file is replaced only by a complete one).
  public func write(to url: URL) throws {
    do { try Data(encoded()).write(to: url, options: .atomic) } catch {
      throw PolicyError.unreadable(path: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
  }

  static func isSupported(_ layer: any Layer) -> Bool {
    layer is Linear || layer is Conv2d || layer is ReLU || layer is LeakyReLU || layer is Tanh || layer is Flatten
      || layer is LayerNorm || layer is ResidualBlock
  }
}

/// Why a policy could not be loaded or built. Each message names the problem.
public enum PolicyError: Error, CustomStringConvertible, Equatable {
  /// The file could not be read or written.
  case unreadable(path: String, reason: String)
  /// The data is not a valid policy file (`reason` says why: corruption, truncation, wrong kind, version).
  case invalidFile(source: String, reason: String)
  /// The parts of a policy do not fit together.
  case invalid(String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read policy file \(path): \(reason)"
    case .invalidFile(let source, let reason): "\(source) is not a valid SparseRL policy file: \(reason)"
    case .invalid(let reason): "invalid policy: \(reason)"
    }
  }
}
