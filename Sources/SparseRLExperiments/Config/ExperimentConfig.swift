import Foundation
import SparseRLAgents
import SparseRLNumerics
import Yams

/// The settings of a run that do not depend on the agent.
public struct RunSettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// A registered environment id (`sparserl envs` lists them).
  public var environment = "Pendulum-v1"
  /// Seeds every random generator of the run.
  public var seed = 0
  /// Environment steps of training.
  public var totalSteps = 100_000
  /// Evaluate every this many environment steps (0: only at the end).
  public var evaluationInterval = 5_000
  /// Episodes per evaluation.
  public var evaluationEpisodes = 10
  /// The final score is the mean of the last evaluations covering this fraction of training (the State of Sparse
  /// Training reports the last 10%; RLx2 the last 30 evaluations of 600, 5%).
  public var finalScoreFraction = 0.1
  /// Write a checkpoint every this many environment steps (0: only at the end and on SIGINT/SIGTERM).
  public var checkpointInterval = 10_000
  /// How many checkpoints to keep.
  public var keepCheckpoints = 3
  /// Threads of the kernels (0: every core of the machine). Results are bit-identical for every count
  /// (`KernelThreads`), so a run may resume under another; `sparserl train --threads` and `resume --threads`
  /// override it for one process, and a sweep runs each run with one thread. Every core by default
  /// (docs/benchmarks.md, "Threads").
  public var threads = 0

  /// The defaults: Pendulum-v1, seed 0, 100,000 steps, an evaluation of 10 episodes every 5,000.
  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(!environment.isEmpty, path, "environment", "must name an environment id", &issues)
    check(seed >= 0, path, "seed", "must be non-negative, got \(seed)", &issues)
    check(totalSteps > 0, path, "total_steps", "must be positive, got \(totalSteps)", &issues)
    check(
      evaluationInterval >= 0, path, "evaluation_interval", "must be non-negative, got \(evaluationInterval)", &issues)
    check(evaluationEpisodes > 0, path, "evaluation_episodes", "must be positive, got \(evaluationEpisodes)", &issues)
    check(
      finalScoreFraction > 0 && finalScoreFraction <= 1, path, "final_score_fraction",
      "must be in (0, 1], got \(finalScoreFraction)", &issues)
    check(
      checkpointInterval >= 0, path, "checkpoint_interval", "must be non-negative, got \(checkpointInterval)", &issues)
    check(keepCheckpoints >= 1, path, "keep_checkpoints", "must be at least 1, got \(keepCheckpoints)", &issues)
    check(threads >= 0, path, "threads", "must be non-negative (0: every core), got \(threads)", &issues)
  }

  /// The kernel thread count a process runs this configuration with: `override` (a command-line flag) if
  /// given, else `threads`, where 0 means every core (`KernelThreads.availableCores`).
  public func effectiveThreads(override: Int? = nil) -> Int {
    let requested = override ?? threads
    return requested > 0 ? requested : KernelThreads.availableCores
  }
}

/// A whole experiment configuration: `agent` names the kind, the run settings sit at the top level, and the
/// agent's settings in the section named after its kind (`td3:`), e.g.
///
/// ```yaml
/// agent: td3
/// environment: HalfCheetah-v5
/// total_steps: 3000000
/// td3:
///   actor_sparsity: {method: rigl, sparsity: 0.9}
/// ```
public struct ExperimentConfig<Settings: AgentConfiguration>: Codable, Equatable, ConfigValidatable {
  /// The settings that do not depend on the agent (top-level keys).
  public var run = RunSettings()
  /// The agent's settings (the section named after its kind).
  public var settings = Settings()

  /// The defaults of both.
  public init() {}

  private struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Key.self)
    let kind = try container.decode(AgentKind.self, forKey: Key("agent"))
    guard kind == Settings.kind else {
      throw ConfigError(issues: [
        ConfigIssue(source: "config", key: "agent", message: "expected \(Settings.kind.rawValue)")
      ])
    }
    run = try RunSettings(from: decoder)
    // The tree is decoded with camelCase keys (`stream_ac:` arrives as `streamAc`).
    settings = try container.decode(Settings.self, forKey: Key(ConfigTree.camelCase(Settings.kind.rawValue)))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(Settings.kind, forKey: Key("agent"))
    try container.encode(run.environment, forKey: Key("environment"))
    try container.encode(run.seed, forKey: Key("seed"))
    try container.encode(run.totalSteps, forKey: Key("totalSteps"))
    try container.encode(run.evaluationInterval, forKey: Key("evaluationInterval"))
    try container.encode(run.evaluationEpisodes, forKey: Key("evaluationEpisodes"))
    try container.encode(run.finalScoreFraction, forKey: Key("finalScoreFraction"))
    try container.encode(run.checkpointInterval, forKey: Key("checkpointInterval"))
    try container.encode(run.keepCheckpoints, forKey: Key("keepCheckpoints"))
    try container.encode(run.threads, forKey: Key("threads"))
    try container.encode(settings, forKey: Key(ConfigTree.camelCase(Settings.kind.rawValue)))
  }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    run.validate(path: path, issues: &issues)
    settings.validate(path: Settings.kind.rawValue, issues: &issues)
  }
}
