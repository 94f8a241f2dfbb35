import Foundation
import SparseRLAgents
import SparseRLSparsity

/// `run.json`: what a run is and how it went, for people and for scripts that aggregate runs.
public struct RunRecord: Codable, Equatable, Sendable {
  /// `running`, `interrupted` (stopped by a signal; resumable), `failed` (stopped by an error, see `error`) or
  /// `finished`.
  public var status: String
  public var version: String
  public var agent: String
  public var environment: String
  public var seed: Int
  public var totalSteps: Int
  public var environmentSteps: Int
  /// Mean of the last evaluations covering `final_score_fraction` of training (nil before the first one).
  public var finalScore: Double?
  public var evaluations: Int
  /// Training wall time over every session of the run, in seconds.
  public var wallTimeSeconds: Double
  public var stepsPerSecond: Double
  public var networks: [NetworkRecord]
  /// Why the run stopped, when `status` is `failed`.
  public var error: String? = nil
  /// The environment step at which the run failed.
  public var failedAtStep: Int? = nil

  /// Accounting of one network as it is at the time of writing.
  public struct NetworkRecord: Codable, Equatable, Sendable {
    public var role: String
    public var method: String
    public var activeWeights: Int
    public var totalWeights: Int
    public var biases: Int
    public var sparsity: Double
    /// Bytes of the sparse store (values and indices) and of the same weights stored densely.
    public var sparseBytes: Int
    public var denseBytes: Int
    /// FLOPs of one forward pass per sample, and the dense network's.
    public var inferenceFLOPs: Int
    public var denseInferenceFLOPs: Int
    /// FLOPs of one training update per sample (forward, backward, RigL's dense gradient amortised over ΔT).
    public var trainingFLOPsPerSample: Double
    public var denseTrainingFLOPsPerSample: Double

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
  public static func read(from url: URL) throws -> RunRecord {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(RunRecord.self, from: Data(contentsOf: url))
  }
}
