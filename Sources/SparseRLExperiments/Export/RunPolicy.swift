import Foundation
import Logging
import SparseRLAgents
import SparseRLPolicy

/// The evaluation policy of a run, as `policy.srl` holds it and `sparserl export` reads it.
public enum RunPolicy {
  /// The evaluation policy of `agent` with the experiment's agent kind, environment and resolved configuration
  /// as metadata. Throws when the agent cannot provide one.
  public static func policy(of agent: any Agent, experiment: Experiment) throws -> Policy {
    guard let exporting = agent as? any PolicyExporting else {
      throw RunDirectory.Problem(description: "\(type(of: agent)) has no exportable evaluation policy")
    }
    let policy = try exporting.evaluationPolicy()
    policy.metadata = [
      "agent": experiment.kind.rawValue, "environment": experiment.run.environment, "config": experiment.resolvedYAML,
    ]
    return policy
  }

  /// The policy of `source`: a policy file, or a run directory's `policy.srl`. A run without `policy.srl`
  /// (interrupted before the end) gives the policy of its newest valid checkpoint. A corrupt or truncated policy
  /// file is an error (`PolicyError`), never silently replaced.
  public static func load(_ source: URL) throws -> Policy {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
      throw RunDirectory.Problem(description: "\(source.path) does not exist")
    }
    guard isDirectory.boolValue else { return try Policy(contentsOf: source) }
    let run = try RunDirectory.open(source)
    if FileManager.default.fileExists(atPath: run.policy.path) { return try Policy(contentsOf: run.policy) }
    return try fromNewestCheckpoint(run)
  }

  /// Rebuilds the run's agent from its configuration and newest valid checkpoint and takes its policy.
  public static func fromNewestCheckpoint(_ run: RunDirectory) throws -> Policy {
    let config = try String(contentsOf: run.config, encoding: .utf8)
    let experiment = try Experiment.resolve(
      layers: [Experiment.Layer(yaml: config, source: run.config.path)], overrides: [])
    let agent = try experiment.makeAgent(makeEnvironment: { try experiment.makeTrainingEnvironment() })
    let logger = Logger(label: "sparserl.export")
    guard
      let loaded = CheckpointStore(folder: run.checkpoints).loadNewest(
        decode: { try CheckpointFormat.decode($0, config: experiment.resolvedYAML) },
        onRejected: { file, error in logger.warning("skipping checkpoint \(file.lastPathComponent): \(error)") })
    else {
      throw RunDirectory.Problem(description: "\(run.url.path) has neither policy.srl nor a valid checkpoint")
    }
    try agent.restoreState(loaded.value.agent)
    return try policy(of: agent, experiment: experiment)
  }
}
