import SparseRLNetworks
import SparseRLNumerics

/// When and how the training diagnostics are measured (the `diagnostics:` section of an agent's settings).
public struct DiagnosticsSettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// Measure every this many gradient updates (0: never).
  public var interval = 1000
  /// Dormant-unit thresholds tau (Sokar et al. 2023); one `dormant_<tau>` metric each.
  public var dormantThresholds = [0.0, 0.1, 0.2]
  /// The delta of the stable rank.
  public var srankDelta = 0.01
  /// Samples (the first ones of the diagnostic batch) whose per-sample gradients give the interference and the
  /// gradient signal-to-noise ratio. Memory: this many copies of the network's stored gradient.
  public var perSampleGradients = 16

  /// The defaults above.
  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(interval >= 0, path, "interval", "must be non-negative (0: off), got \(interval)", &issues)
    check(
      dormantThresholds.allSatisfy { $0 >= 0 && $0 < 1 }, path, "dormant_thresholds",
      "each must be in [0, 1), got \(dormantThresholds)", &issues)
    check(srankDelta > 0 && srankDelta < 1, path, "srank_delta", "must be in (0, 1), got \(srankDelta)", &issues)
    check(
      perSampleGradients >= 2, path, "per_sample_gradients", "must be at least 2, got \(perSampleGradients)",
      &issues)
  }

  /// Whether diagnostics are due after `updates` gradient updates.
  public func isDue(afterUpdates updates: Int) -> Bool { interval > 0 && updates > 0 && updates % interval == 0 }

  /// The metric names of the network `role`, in a fixed order (`critic1/dormant_0.1`, `critic1/srank`, ...).
  public func metricNames(role: String) -> [String] {
    dormantThresholds.map { "\(role)/dormant_\(NetworkDiagnostics.label($0))" }
      + NetworkDiagnostics.scalarNames.map { "\(role)/\($0)" }
  }
}

/// One network to diagnose on one batch: its layers, the inputs of the batch, and its loss.
///
/// `lossGradient(samples)` must set the gradients of `model`'s parameters to those of the agent's loss averaged
/// over `samples` (indices into the batch, i.e. columns of `inputs`): zero them, run the forward and backward
/// passes on those samples, accumulate. Targets and anything else the loss needs are fixed by the agent before.
public struct DiagnosedNetwork {
  /// The metric prefix (`q`, `actor`, `critic1`).
  public var role: String
  /// The network.
  public var model: any Layer
  /// The batch `[inputs x batch]` the network reads (observations, or observation-action pairs for a critic).
  public var inputs: Matrix
  /// Sets the parameter gradients to the loss gradient over the given samples.
  public var lossGradient: ([Int]) throws -> Void

  /// A network to measure, with its batch and the loss whose per-sample gradients the diagnostics need.
  public init(role: String, model: any Layer, inputs: Matrix, lossGradient: @escaping ([Int]) throws -> Void) {
    self.role = role
    self.model = model
    self.inputs = inputs
    self.lossGradient = lossGradient
  }
}

/// The diagnostics of one network on one batch: dormant-unit ratios (pooled over hidden layers), the stable
/// rank and mean L2 norm of the encoder features, the masked gradient norm and the parameter norm, the gradient
/// interference of Lyle et al. (2023) and the gradient signal-to-noise ratio of Graesser et al. (2022).
///
/// Cost: one forward pass on the batch, one forward/backward on the batch, `perSampleGradients` batch-1
/// forward/backward passes, an O(m^2 P) Gram matrix of the per-sample gradients and the singular values of the
/// features (O(k^3), `SingularValues`). Each part is a profiler phase (`sparserl bench agents --profile`).
public struct NetworkDiagnostics: Equatable, Sendable {
  /// Fraction of hidden units with score <= tau, for each threshold of the settings.
  public var dormantRatios: [Double]
  /// The stable rank of the encoder features (samples x features).
  public var stableRank: Int
  /// The mean over samples of the L2 norm of the encoder features.
  public var featureNorm: Double
  /// The L2 norm of the loss gradient over the batch (stored entries only: masked).
  public var gradientNorm: Double
  /// The L2 norm of every parameter.
  public var parameterNorm: Double
  /// Mean off-diagonal cosine similarity of the per-sample gradients.
  public var interference: Double
  /// Fraction of off-diagonal cosine similarities below zero.
  public var negativeInterference: Double
  /// `|mean| / (std + 1e-10)` of the per-sample gradients (population std), averaged over stored entries.
  public var gradientSNR: Double

  /// The metric names after the dormant ratios.
  static let scalarNames = [
    "srank", "feature_norm", "grad_norm", "param_norm", "interference", "negative_interference", "grad_snr",
  ]

  /// `0`, `0.1`, `0.25`: the shortest decimal spelling of a threshold.
  static func label(_ tau: Double) -> String { tau == tau.rounded() ? String(Int(tau)) : "\(tau)" }

  /// The metrics under `role`'s names (see `DiagnosticsSettings.metricNames`).
  public func metrics(role: String, settings: DiagnosticsSettings) -> [String: Double] {
    var values: [String: Double] = [:]
    for (tau, ratio) in zip(settings.dormantThresholds, dormantRatios) {
      values["\(role)/dormant_\(Self.label(tau))"] = ratio
    }
    let scalars = [
      Double(stableRank), featureNorm, gradientNorm, parameterNorm, interference, negativeInterference, gradientSNR,
    ]
    for (name, value) in zip(Self.scalarNames, scalars) { values["\(role)/\(name)"] = value }
    return values
  }

  /// Measures `network` on its batch. Leaves the parameter gradients holding the last per-sample gradient and
  /// the layers' forward caches holding the diagnostic passes: call it after the update's optimizer step.
  public static func measure(_ network: DiagnosedNetwork, settings: DiagnosticsSettings) throws -> NetworkDiagnostics {
    let model = network.model
    let batch = network.inputs.columns
    let parameters = model.parameters

    // Gradient over the whole batch.
    try Profiler.measure("batch gradient") { try network.lossGradient(Array(0..<batch)) }
    let gradientNorm = norm(parameters.map(\.gradient))
    let parameterNorm = norm(parameters.map(\.value))

    // Per-sample gradients, flattened over the parameters.
    let m = min(settings.perSampleGradients, batch)
    let size = parameters.reduce(0) { $0 + $1.activeCount }
    var perSample = [Float](repeating: 0, count: m * size)
    try Profiler.measure("per-sample gradients") {
      for i in 0..<m {
        try network.lossGradient([i])
        var offset = i * size
        for parameter in parameters {
          for (k, g) in parameter.gradient.enumerated() { perSample[offset + k] = g }
          offset += parameter.activeCount
        }
      }
    }
    let (interference, negative) = Profiler.measure("interference") {
      interferenceStatistics(perSample, samples: m, size: size)
    }
    let snr = Profiler.measure("signal-to-noise") { signalToNoise(perSample, samples: m, size: size) }

    // Activations on the batch.
    let recording = Profiler.measure("recorded forward") { HiddenUnits.forward(model, network.inputs) }
    let layers = HiddenUnits.layers(of: model)
    precondition(layers.count == recording.hidden.count, "HiddenUnits: layers and recorded activations differ")
    var scores: [Double] = []
    for (layer, activations) in zip(layers, recording.hidden) {
      scores += HiddenUnits.scores(activations, positionsPerUnit: layer.positionsPerUnit)
    }
    let ratios = settings.dormantThresholds.map { tau in
      scores.isEmpty ? 0 : Double(scores.filter { $0 <= tau }.count) / Double(scores.count)
    }
    let features = recording.features
    // The features matrix is [features x batch]; its singular values are those of the samples x features matrix.
    let singular = Profiler.measure("singular values") {
      SingularValues.of(features.scalars, rows: features.rows, columns: features.columns)
    }
    var featureNorm = 0.0
    for b in 0..<features.columns {
      var sum = 0.0
      for f in 0..<features.rows { sum += Double(features[f, b]) * Double(features[f, b]) }
      featureNorm += sum.squareRoot()
    }
    featureNorm /= Double(max(features.columns, 1))
    return NetworkDiagnostics(
      dormantRatios: ratios, stableRank: SingularValues.stableRank(singular, delta: settings.srankDelta),
      featureNorm: featureNorm, gradientNorm: gradientNorm, parameterNorm: parameterNorm, interference: interference,
      negativeInterference: negative, gradientSNR: snr)
  }

  private static func norm(_ arrays: [[Float]]) -> Double {
    var sum = 0.0
    for array in arrays { for x in array { sum += Double(x) * Double(x) } }
    return sum.squareRoot()
  }

  /// Mean off-diagonal cosine and fraction of negative off-diagonal cosines of the rows of `g` (`samples x
  /// size`); a zero gradient has cosine 0 with everything.
  static func interferenceStatistics(_ g: [Float], samples m: Int, size: Int) -> (mean: Double, negative: Double) {
    guard m >= 2 else { return (0, 0) }
    var gram = [Double](repeating: 0, count: m * m)
    g.withUnsafeBufferPointer { g in
      for i in 0..<m {
        for j in i..<m {
          var dot = 0.0
          for k in 0..<size { dot += Double(g[i * size + k]) * Double(g[j * size + k]) }
          gram[i * m + j] = dot
          gram[j * m + i] = dot
        }
      }
    }
    var sum = 0.0
    var negatives = 0
    for i in 0..<m {
      for j in 0..<m where i != j {
        let scale = (gram[i * m + i] * gram[j * m + j]).squareRoot()
        let cosine = scale > 0 ? gram[i * m + j] / scale : 0
        sum += cosine
        if cosine < 0 { negatives += 1 }
      }
    }
    let pairs = Double(m * (m - 1))
    return (sum / pairs, Double(negatives) / pairs)
  }

  /// `|mean_i g_ik| / (std_i g_ik + 1e-10)` averaged over `k`, population standard deviation.
  static func signalToNoise(_ g: [Float], samples m: Int, size: Int) -> Double {
    guard size > 0 && m > 0 else { return 0 }
    var total = 0.0
    g.withUnsafeBufferPointer { g in
      for k in 0..<size {
        var mean = 0.0
        for i in 0..<m { mean += Double(g[i * size + k]) }
        mean /= Double(m)
        var variance = 0.0
        for i in 0..<m {
          let d = Double(g[i * size + k]) - mean
          variance += d * d
        }
        total += abs(mean) / ((variance / Double(m)).squareRoot() + 1e-10)
      }
    }
    return total / Double(size)
  }
}

/// The hook agents call once per gradient update: measures every network `networks()` returns when the
/// settings say it is due, and records the results in the `train` group.
public enum TrainingDiagnostics {
  /// Measures and records when due after `updates` updates; `networks` is only called then.
  public static func recordIfDue(
    settings: DiagnosticsSettings, updates: Int, step: Int, metrics: any MetricsSink,
    networks: () throws -> [DiagnosedNetwork]
  ) throws {
    guard settings.isDue(afterUpdates: updates) else { return }
    var values: [String: Double] = [:]
    try Profiler.measure("diagnostics") {
      for network in try networks() {
        let result = try Profiler.measure(network.role) { try NetworkDiagnostics.measure(network, settings: settings) }
        values.merge(result.metrics(role: network.role, settings: settings)) { $1 }
      }
    }
    metrics.record(group: .train, step: step, values: values)
  }

  /// The metric names of the networks `roles` (empty when diagnostics are off).
  public static func metricNames(settings: DiagnosticsSettings, roles: [String]) -> [String] {
    settings.interval > 0 ? roles.flatMap { settings.metricNames(role: $0) } : []
  }
}

extension Matrix {
  /// The columns `indices` (samples of a feature-major batch), in that order.
  public func selectingColumns(_ indices: [Int]) -> Matrix {
    var result = Matrix(rows: rows, columns: indices.count)
    for r in 0..<rows {
      for (c, index) in indices.enumerated() { result[r, c] = self[r, index] }
    }
    return result
  }
}
