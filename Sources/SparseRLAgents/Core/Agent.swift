import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// Where an agent reports its scalars. The runs layer implements it (CSV, TensorBoard, console); agents know
/// nothing of files or terminals.
public protocol MetricsSink: AnyObject {
  /// Records `values` at environment step `step`. `group` is `train` for learning statistics (losses, Q
  /// values, topology changes) or `episode` for finished training episodes (`return`, `length`).
  func record(group: MetricGroup, step: Int, values: [String: Double])
}

/// The groups of metrics an agent reports.
public enum MetricGroup: String, Sendable, CaseIterable {
  /// Learning statistics (losses, entropy coefficient, buffer size, ...), reported every `log_interval` steps.
  case train
  /// A finished training episode: `return` and `length`.
  case episode
}

/// A sink that drops everything (tests, benchmarks).
public final class DiscardingMetricsSink: MetricsSink {
  /// A sink that drops everything.
  public init() {}
  /// Drops the values.
  public func record(group: MetricGroup, step: Int, values: [String: Double]) {}
}

/// A trainable agent driving its own training environment.
///
/// The runs layer calls `trainStep` until `environmentSteps` reaches the budget, evaluates with
/// `evaluationAction` on a separate environment, and checkpoints with `saveState`. Everything the next
/// `trainStep` depends on is in `saveState`: networks, masks, topology state, optimizers, replay buffer, every
/// random generator, counters, and the training environment's state.
public protocol Agent: AnyObject {
  /// Environment steps taken so far (summed over sub-environments of a vector environment).
  var environmentSteps: Int { get }
  /// Takes the next environment step (one step of each sub-environment for vector agents) and every update
  /// that falls due, reporting through `metrics`.
  func trainStep(metrics: any MetricsSink) throws
  /// The action for evaluation (greedy or deterministic) in the observation space of the training environment.
  func evaluationAction(for observation: [Float]) -> Action
  /// The agent's networks by role (`q`, `actor`, `critic1`, ...; targets excluded), for accounting and export.
  var networks: [(role: String, network: SparseNetwork)] { get }
  /// The names of the scalars reported in each group (the columns of the metrics files).
  var metricNames: [MetricGroup: [String]] { get }
  /// Everything needed to continue exactly.
  func saveState() throws -> BinaryArchive
  /// Restores a state written by `saveState` of an agent built from the same configuration.
  func restoreState(_ archive: BinaryArchive) throws
}

/// Errors agents raise. Each message names the problem.
public enum AgentError: Error, CustomStringConvertible {
  /// A configuration that does not fit the environment (e.g. DQN on a continuous action space).
  case incompatibleEnvironment(String)
  /// A loss or value became NaN or infinite: training stops instead of silently corrupting the networks.
  case nonFiniteValue(what: String, step: Int)
  /// A saved state that does not belong to this agent.
  case invalidState(String)

  public var description: String {
    switch self {
    case .incompatibleEnvironment(let reason): "incompatible environment: \(reason)"
    case .nonFiniteValue(let what, let step):
      "\(what) is not finite at step \(step); training stopped (try a lower learning rate or gradient clipping)"
    case .invalidState(let reason): "invalid agent state: \(reason)"
    }
  }
}
