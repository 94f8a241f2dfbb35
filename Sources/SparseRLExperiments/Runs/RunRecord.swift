import Foundation
import SparseRLAgents
import SparseRLSparsity

/// `run.json`: what a run is and how it went, for people and for scripts that aggregate runs.
public struct RunRecord: Codable, Equatable, Sendable {
  /// `running`, `interrupted` (stopped by a signal; resumable), `failed` (stopped by an error, see `error`) or
  /// `finished`.
  public var status: String
  /// The SparseRL version that wrote the record.
  public var version: String
  /// The agent kind (`dqn`, `ppo`, `sac`, `td3`).
  public var agent: String
  /// The environment id.
  public var environment: String
  /// The run seed.
  public var seed: Int
  /// The environment-step budget.
  public var totalSteps: Int
  /// Environment steps taken so far.
  public var environmentSteps: Int
  /// Mean of the last evaluations covering `final_score_fraction` of training (nil before the first one).
  public var finalScore: Double?
  /// Evaluations so far.
  public var evaluations: Int
  /// Training wall time over every session of the run, in seconds.
  public var wallTimeSeconds: Double
  /// Environment steps per second of wall time.
  public var stepsPerSecond: Double
  /// The accounting of each network (targets excluded).
  public var networks: [NetworkRecord]
  /// Why the run stopped, when `status` is `failed`.
  public var error: String? = nil
  /// The environment step at which the run failed.
  public var failedAtStep: Int? = nil

  /// Accounting of one network as it is at the time of writing.
  public struct NetworkRecord: Codable, Equatable, Sendable {
    /// The network's role (`q`, `actor`, `critic`, `critic1`, `critic2`).
    public var role: String
    /// Its topology method (`dense`, `static`, `set`, `rigl`, `pruning`).
    public var method: String
    /// Weights stored.
    public var activeWeights: Int
    /// Weights of the dense network.
    public var totalWeights: Int
    /// Biases (dense).
    public var biases: Int
    /// The fraction of zero weights now.
    public var sparsity: Double
    /// Bytes of the sparse store (values and indices) and of the same weights stored densely.
    public var sparseBytes: Int
    /// Bytes of the same weights stored densely.
    public var denseBytes: Int
    /// FLOPs of one forward pass per sample, and the dense network's.
    public var inferenceFLOPs: Int
    /// The dense network's inference FLOPs per sample.
    public var denseInferenceFLOPs: Int
    /// FLOPs of one training update per sample (forward, backward, RigL's dense gradient amortised over ΔT).
    public var trainingFLOPsPerSample: Double
    /// The dense network's training FLOPs per sample.
    public var denseTrainingFLOPsPerSample: Double

    /// The JSON keys, spelled so that the snake_case conversion gives words: `inferenceFLOPs` would become
    /// `inference_flo_ps` (the conversion splits before the last capital of a run of capitals).
    private enum CodingKeys: String, CodingKey {
      case role, method, activeWeights, totalWeights, biases, sparsity, sparseBytes, denseBytes
      case inferenceFLOPs = "inferenceFlops"
      case denseInferenceFLOPs = "denseInferenceFlops"
      case trainingFLOPsPerSample = "trainingFlopsPerSample"
      case denseTrainingFLOPsPerSample = "denseTrainingFlopsPerSample"
    }

    /// The record of `network` as it is now.
    public init(role: String, network: SparseNetwork) {
      let cost = network.cost
      self.role = role
      method = network.sparsity.isSparse ? network.sparsity.method.rawValue : "dense"
      activeWeights = cost.activeWeights
      totalWeights = cost.totalWeights
      biases = cost.biases
      sparsity = 1 - cost.density
      sparseBytes = cost.sparseBytes
      denseBytes = cost.denseBytes
      inferenceFLOPs = cost.inferenceFLOPs
      denseInferenceFLOPs = cost.denseInferenceFLOPs
      let interval =
        network.sparsity.isSparse && network.sparsity.method == .rigl ? network.sparsity.updateInterval : nil
      let training = cost.trainingFLOPs(batchSize: 1, denseGradientInterval: interval)
      trainingFLOPsPerSample = training.sparse
      denseTrainingFLOPsPerSample = training.dense
    }
  }

  /// Active and total parameters (weights and biases) over all networks.
  public var parameters: (active: Int, total: Int) {
    networks.reduce((0, 0)) { ($0.0 + $1.activeWeights + $1.biases, $0.1 + $1.totalWeights + $1.biases) }
  }

  /// Training FLOPs per sample over all networks, as a fraction of the dense networks'.
  public var trainingFLOPsRatio: Double {
    let dense = networks.reduce(0) { $0 + $1.denseTrainingFLOPsPerSample }
    return dense > 0 ? networks.reduce(0) { $0 + $1.trainingFLOPsPerSample } / dense : 1
  }

  /// Writes the record atomically as pretty-printed JSON with snake_case keys.
  public func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    try AtomicFile.write([UInt8](try encoder.encode(self)) + [10], to: url)
  }

  /// Reads a record written by `write`.
  ///
  /// Records written before the FLOP keys were spelled as words (`inference_flo_ps`) read too.
  public static func read(from url: URL) throws -> RunRecord {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .custom { path in
      let words = path.last!.stringValue.replacingOccurrences(of: "_flo_ps", with: "_flops").split(separator: "_")
      guard let first = words.first else { return path.last! }
      return RecordKey(words.dropFirst().reduce(String(first)) { $0 + $1.prefix(1).uppercased() + $1.dropFirst() })
    }
    return try decoder.decode(RunRecord.self, from: Data(contentsOf: url))
  }

  /// A key of `run.json` as `read` maps it.
  private struct RecordKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
}
