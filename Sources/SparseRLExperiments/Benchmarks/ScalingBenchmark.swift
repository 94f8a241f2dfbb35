import Foundation
import SparseRLAgents
import SparseRLEnvironments

/// The benchmarks of the scaling paper's additions, side by side in one run on one core:
///
/// - streaming: environment steps per second (each with its batch-1 update) of Stream AC and Stream Q, dense
///   against a static mask, at several hidden widths (the batch-1 matrix-vector kernels);
/// - diagnostics: DQN's training steps per second with the diagnostics off and at their default interval, and
///   the cost of one measurement in updates;
/// - SimBa critics: SimBa-SAC update steps per second at several critic widths and sparsities (the paper's
///   claim that a wide sparse critic costs no more than a narrow dense one).
public struct ScalingBenchmark {
  /// One streaming measurement.
  public struct StreamingResult: Sendable {
    /// `Stream AC` or `Stream Q`.
    public let agent: String
    /// The environment id.
    public let environment: String
    /// Units of each of the two hidden layers.
    public let width: Int
    /// Fraction of hidden weights masked to zero (0: dense).
    public let sparsity: Double
    /// Environment steps per second, each with its batch-1 update.
    public let stepsPerSecond: Double
  }

  /// One diagnostics measurement.
  public struct DiagnosticsResult: Sendable {
    /// Updates between two diagnostics measurements (0: diagnostics off).
    public let interval: Int
    /// Training steps per second.
    public let stepsPerSecond: Double
    /// Diagnostics recorded during the timed steps.
    public let measurements: Int
  }

  /// One SimBa-SAC measurement.
  public struct SimBaResult: Sendable {
    /// The critic's SimBa width (2 blocks).
    public let criticWidth: Int
    /// The critics' static sparsity (0: dense).
    public let sparsity: Double
    /// Stored weights of one critic's weight matrices.
    public let criticWeights: Int
    /// SAC update steps per second (one update per environment step).
    public let updatesPerSecond: Double
  }

  /// Timed steps per measurement.
  public let steps: Int

  /// A benchmark of `steps` timed steps per streaming measurement.
  public init(steps: Int) {
    precondition(steps > 0, "the benchmark needs steps > 0")
    self.steps = steps
  }

  private static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }

  /// Times `steps` training steps of `agent` after `warmup` untimed ones.
  private func time(_ agent: any Agent, warmup: Int, sink: any MetricsSink = DiscardingMetricsSink()) throws -> Double {
    while agent.environmentSteps < warmup { try agent.trainStep(metrics: sink) }
    let start = ContinuousClock.now
    for _ in 0..<steps { try agent.trainStep(metrics: sink) }
    return Double(steps) / Self.seconds(ContinuousClock.now - start)
  }

  /// Stream AC on `continuousId` and Stream Q on `discreteId` (nil: skipped), dense and static at `sparsity`, at
  /// each hidden width (two hidden layers), diagnostics off.
  public func streaming(continuousId: String?, discreteId: String?, widths: [Int], sparsity: Double) throws
    -> [StreamingResult]
  {
    var results: [StreamingResult] = []
    for width in widths {
      for level in [0, sparsity] {
        let mask = level > 0 ? NetworkSparsity(method: .static, sparsity: level) : NetworkSparsity()
        if let id = continuousId {
          var config = StreamACConfig()
          config.actorNetwork.hiddenSizes = [width, width]
          config.criticNetwork.hiddenSizes = [width, width]
          (config.actorSparsity, config.criticSparsity) = (mask, mask)
          config.diagnostics.interval = 0
          let agent = try StreamACAgent(
            config: config, environment: EnvironmentRegistry.make(id), seed: 0, totalSteps: 1_000_000)
          results.append(
            StreamingResult(
              agent: "Stream AC", environment: id, width: width, sparsity: level,
              stepsPerSecond: try time(agent, warmup: 200)))
        }
        if let id = discreteId {
          var config = StreamQConfig()
          config.network.hiddenSizes = [width, width]
          config.sparsity = mask
          config.diagnostics.interval = 0
          let agent = try StreamQAgent(
            config: config, environment: EnvironmentRegistry.make(id), seed: 0, totalSteps: 1_000_000)
          results.append(
            StreamingResult(
              agent: "Stream Q", environment: id, width: width, sparsity: level,
              stepsPerSecond: try time(agent, warmup: 200)))
        }
      }
    }
    return results
  }

  /// DQN (published 2x512, batch 128) on `id` with the diagnostics off and every `interval` updates; `steps`
  /// timed steps after the 1,000-step warm-up, alternating the two settings `repeats` times.
  public func diagnostics(id: String, interval: Int, repeats: Int) throws -> [DiagnosticsResult] {
    var results: [DiagnosticsResult] = []
    for _ in 0..<repeats {
      for setting in [0, interval] {
        var config = DQNConfig()
        config.bufferSize = steps + 2000
        config.diagnostics.interval = setting
        let agent = try DQNAgent(
          config: config, environment: EnvironmentRegistry.make(id), seed: 0, totalSteps: 1_000_000)
        let counter = CountingSink()
        let rate = try time(agent, warmup: config.learningStarts, sink: counter)
        results.append(DiagnosticsResult(interval: setting, stepsPerSecond: rate, measurements: counter.diagnostics))
      }
    }
    return results
  }

  /// SimBa-SAC (`SACConfig.simba`, actor 128 x 1 block dense) on `id` with each `(critic width, static critic
  /// sparsity)` of `critics`, one update per environment step, diagnostics off: `steps` timed steps after a
  /// 300-step random warm-up, the rows measured back to back.
  public func simbaCritics(id: String, critics: [(width: Int, sparsity: Double)]) throws -> [SimBaResult] {
    try critics.map { critic in
      var config = SACConfig.simba(criticWidth: critic.width)
      config.updatesPerStep = 1
      config.warmupSteps = 300
      config.replay = ReplaySettings(capacity: 300 + steps + 10, minCapacity: 100)
      config.diagnostics.interval = 0
      if critic.sparsity > 0 { config.criticSparsity = NetworkSparsity(method: .static, sparsity: critic.sparsity) }
      let agent = try SACAgent(
        config: config, environment: EnvironmentRegistry.make(id), seed: 0, totalSteps: 1_000_000)
      let weights = agent.networks[1].network.model.maskableLayers.reduce(0) { $0 + $1.layer.weight.activeCount }
      let rate = try time(agent, warmup: config.warmupSteps)
      return SimBaResult(
        criticWidth: critic.width, sparsity: critic.sparsity, criticWeights: weights, updatesPerSecond: rate)
    }
  }

  /// SimBa-SAC (`SACConfig.simba`, dense critics `criticWidth` x 2 blocks) on `id` with the diagnostics off and
  /// at every update, one update per environment step: `steps` timed steps after a 300-step random warm-up,
  /// alternating the two settings `repeats` times. Measuring at every update times one measurement against one
  /// update; `markdown(simbaDiagnostics:interval:)` scales it to an interval.
  public func simbaDiagnostics(id: String, criticWidth: Int, repeats: Int) throws -> [DiagnosticsResult] {
    var results: [DiagnosticsResult] = []
    for _ in 0..<repeats {
      for setting in [0, 1] {
        var config = SACConfig.simba(criticWidth: criticWidth)
        config.updatesPerStep = 1
        config.warmupSteps = 300
        config.replay = ReplaySettings(capacity: 300 + steps + 10, minCapacity: 100)
        config.diagnostics.interval = setting
        let agent = try SACAgent(
          config: config, environment: EnvironmentRegistry.make(id), seed: 0, totalSteps: 1_000_000)
        let counter = CountingSink()
        let rate = try time(agent, warmup: config.warmupSteps, sink: counter)
        results.append(DiagnosticsResult(interval: setting, stepsPerSecond: rate, measurements: counter.diagnostics))
      }
    }
    return results
  }

  /// The SimBa-SAC diagnostics table: mean update rate off and measuring at every update, the cost of one
  /// measurement in updates (`c = rate_off / rate_every - 1`) and the slowdown it implies at one measurement per
  /// `interval` updates (`1 - 1 / (1 + c / interval)`).
  public static func markdown(simbaDiagnostics results: [DiagnosticsResult], interval: Int) -> String {
    func mean(_ setting: Int) -> Double {
      let rates = results.filter { $0.interval == setting }.map(\.stepsPerSecond)
      return rates.reduce(0, +) / Double(max(rates.count, 1))
    }
    let (off, every) = (mean(0), mean(1))
    let cost = off / every - 1
    let slowdown = 1 - 1 / (1 + cost / Double(interval))
    return [
      "| diagnostics | runs | measurements per run | SAC updates/s (mean) | one measurement, in updates | slowdown at every \(interval) updates |",
      "|---|---|---|---|---|---|",
      "| off | \(results.filter { $0.interval == 0 }.count) | 0 | \(String(format: "%.3f", off)) | - | - |",
      "| every update | \(results.filter { $0.interval == 1 }.count) | \(results.first { $0.interval == 1 }?.measurements ?? 0) | \(String(format: "%.3f", every)) | \(String(format: "%.2f", cost)) | \(String(format: "%.2f%%", slowdown * 100)) |",
    ].joined(separator: "\n")
  }

  /// The SimBa table, each row's rate against the first row's, and its per-weight speed (critic weights times
  /// updates per second) against the first row's.
  public static func markdown(_ results: [SimBaResult]) -> String {
    var lines = [
      "| critic (SimBa, 2 blocks) | mask | weights per critic | SAC updates/s | vs first row | per-weight speed vs first row |",
      "|---|---|---|---|---|---|",
    ]
    for r in results {
      let ratio = results.first.map { String(format: "%.2fx", r.updatesPerSecond / $0.updatesPerSecond) } ?? "-"
      let perWeight =
        results.first.map {
          String(
            format: "%.2fx",
            Double(r.criticWeights) * r.updatesPerSecond / (Double($0.criticWeights) * $0.updatesPerSecond))
        } ?? "-"
      let percent = (r.sparsity * 1000).rounded() / 10
      let percentText = percent == percent.rounded() ? String(Int(percent)) : String(percent)
      let mask = r.sparsity == 0 ? "dense" : "\(percentText)% static"
      lines.append(
        "| \(r.criticWidth) | \(mask) | \(r.criticWeights) | \(String(format: "%.2f", r.updatesPerSecond)) | \(ratio) | \(perWeight) |"
      )
    }
    return lines.joined(separator: "\n")
  }

  /// Counts the records that carry diagnostics.
  private final class CountingSink: MetricsSink {
    var diagnostics = 0
    func record(group: MetricGroup, step: Int, values: [String: Double]) {
      if values.keys.contains(where: { $0.hasSuffix("/srank") }) { diagnostics += 1 }
    }
  }

  /// The streaming table, with the sparse/dense ratio per agent and width.
  public static func markdown(_ results: [StreamingResult]) -> String {
    var lines = [
      "| agent | environment | hidden | mask | steps/s (batch-1 update each) | sparse / dense |",
      "|---|---|---|---|---|---|",
    ]
    for r in results {
      let dense = results.first { $0.agent == r.agent && $0.width == r.width && $0.sparsity == 0 }
      let ratio = dense.map { String(format: "%.2fx", r.stepsPerSecond / $0.stepsPerSecond) } ?? "-"
      let mask = r.sparsity == 0 ? "dense" : "\(Int((r.sparsity * 100).rounded()))% static"
      lines.append(
        "| \(r.agent) | \(r.environment) | \(r.width)x2 | \(mask) | \(String(format: "%.0f", r.stepsPerSecond)) | \(ratio) |"
      )
    }
    return lines.joined(separator: "\n")
  }

  /// The diagnostics table: mean steps/s per setting and the slowdown.
  public static func markdown(_ results: [DiagnosticsResult]) -> String {
    func mean(_ interval: Int) -> Double {
      let rates = results.filter { $0.interval == interval }.map(\.stepsPerSecond)
      return rates.reduce(0, +) / Double(max(rates.count, 1))
    }
    var lines = ["| diagnostics | runs | measurements per run | steps/s (mean) | slowdown |", "|---|---|---|---|---|"]
    let off = mean(0)
    for interval in Set(results.map(\.interval)).sorted() {
      let rows = results.filter { $0.interval == interval }
      let label = interval == 0 ? "off" : "every \(interval) updates"
      let slowdown = interval == 0 ? "-" : String(format: "%.1f%%", (1 - mean(interval) / off) * 100)
      lines.append(
        "| \(label) | \(rows.count) | \(rows.first?.measurements ?? 0) | \(String(format: "%.1f", mean(interval))) | \(slowdown) |"
      )
    }
    return lines.joined(separator: "\n")
  }
}
