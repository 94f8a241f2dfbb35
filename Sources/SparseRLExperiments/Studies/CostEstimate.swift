import Foundation
import SparseRLAgents
import Yams

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Estimated wall time of the runs of a study: total steps x measured steps per second for the agent and network.
/// The rate comes from the run's own record (a run that has started), from another run of the study with the same
/// agent, environment and network sizes, or else from a short probe: the agent is built and trained for a few
/// hundred steps past its warm-up (at most `probeSeconds`) in this process. The probe counts the CPU time of its
/// thread, not wall time, so a busy machine does not inflate the estimate of single-core training time.
public struct CostEstimate {
  /// Where a rate came from.
  public enum Source: String, Sendable {
    /// The run records of this study.
    case record
    /// A short probe in this process.
    case probe
  }

  /// One run's estimate.
  public struct Line {
    /// The run.
    public var name: String
    /// Environment steps of the whole run.
    public var totalSteps: Int
    /// Steps still to do (the run's record says how far it got).
    public var remainingSteps: Int
    /// The measured rate (nil: none could be measured).
    public var stepsPerSecond: Double?
    /// Where the rate came from.
    public var source: Source?
    /// Estimated seconds of single-core training still to do.
    public var seconds: Double? { stepsPerSecond.map { Double(remainingSteps) / max($0, 1e-9) } }
  }

  /// At most this many seconds of training per probe.
  public var probeSeconds = 3.0
  /// At most this many training steps past the warm-up per probe.
  public var probeSteps = 300

  /// An estimator whose probes train for at most `probeSeconds`.
  public init(probeSeconds: Double = 3.0) { self.probeSeconds = probeSeconds }

  /// A key for runs that train at the same speed: agent, environment and the accounting of every network.
  static func speedKey(agent: String, environment: String, networks: [RunRecord.NetworkRecord]) -> String {
    ([agent, environment] + networks.map { "\($0.role):\($0.method):\($0.activeWeights)/\($0.totalWeights)" })
      .joined(separator: "|")
  }

  /// Estimates every prepared run that can be resolved.
  public func estimate(_ runs: [PreparedRun], in study: StudyDirectory) -> [Line] {
    var rates: [String: (Double, Source)] = [:]
    // Rates recorded by runs of the study that have trained.
    for run in runs {
      guard let record = try? RunRecord.read(from: study.run(run.point.name).record),
        record.stepsPerSecond > 0,
        record.environmentSteps > 0
      else { continue }
      rates[Self.speedKey(agent: record.agent, environment: record.environment, networks: record.networks)] = (
        record.stepsPerSecond, .record
      )
    }
    return runs.compactMap { run -> Line? in
      guard let experiment = run.experiment else { return nil }
      let record = try? RunRecord.read(from: study.run(run.point.name).record)
      let done = record?.status == "finished" ? experiment.run.totalSteps : (record?.environmentSteps ?? 0)
      var line = Line(
        name: run.point.name, totalSteps: experiment.run.totalSteps,
        remainingSteps: max(experiment.run.totalSteps - done, 0))
      guard let agent = try? experiment.makeAgent(makeEnvironment: { try experiment.makeTrainingEnvironment() })
      else { return line }
      let key = Self.speedKey(
        agent: experiment.kind.rawValue, environment: experiment.run.environment,
        networks: agent.networks.map { RunRecord.NetworkRecord(role: $0.role, network: $0.network) })
      if rates[key] == nil, let rate = try? probe(agent, experiment: experiment) { rates[key] = (rate, .probe) }
      line.stepsPerSecond = rates[key]?.0
      line.source = rates[key]?.1
      return line
    }
  }

  /// Trains `agent` through its warm-up and `probeSteps` more steps (or `probeSeconds`), and returns the rate of
  /// the whole (warm-up included) as the run would see it over `total_steps`.
  func probe(_ agent: any Agent, experiment: Experiment) throws -> Double {
    let total = experiment.run.totalSteps
    let warmup = Self.warmupSteps(experiment)
    let target = min(total, warmup + probeSteps)
    let sink = DiscardingMetricsSink()
    let start = Date()
    let cpuStart = Self.threadCPUSeconds()
    var warmupEnd: (steps: Int, seconds: Double)? = nil
    while agent.environmentSteps < target && Date().timeIntervalSince(start) < probeSeconds {
      try agent.trainStep(metrics: sink)
      if warmupEnd == nil && agent.environmentSteps >= warmup {
        warmupEnd = (agent.environmentSteps, Self.threadCPUSeconds() - cpuStart)
      }
    }
    let elapsed = Self.threadCPUSeconds() - cpuStart
    let steps = agent.environmentSteps
    guard steps > 0, elapsed > 0 else { return 0 }
    guard let warmupEnd, steps > warmupEnd.steps, total > warmup else { return Double(steps) / elapsed }
    // Time for the whole run: warm-up at the warm-up rate, the rest at the learning rate.
    let warmupRate = Double(max(warmupEnd.steps, 1)) / max(warmupEnd.seconds, 1e-6)
    let learningRate = Double(steps - warmupEnd.steps) / max(elapsed - warmupEnd.seconds, 1e-6)
    let seconds = Double(warmup) / warmupRate + Double(total - warmup) / learningRate
    return Double(total) / seconds
  }

  /// CPU seconds the calling thread has used.
  static func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }

  /// The warm-up (random-action or no-learning) steps of the agent's configuration.
  static func warmupSteps(_ experiment: Experiment) -> Int {
    guard let root = (try? Yams.compose(yaml: experiment.resolvedYAML))??.mapping,
      let section = root[experiment.kind.rawValue]?.mapping
    else { return 0 }
    return section["warmup_steps"]?.int ?? section["learning_starts"]?.int ?? 0
  }

  /// `2h 05m`, `3m 20s`, `12s`.
  public static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh %02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm %02ds", s / 60, s % 60) }
    return "\(s)s"
  }
}
