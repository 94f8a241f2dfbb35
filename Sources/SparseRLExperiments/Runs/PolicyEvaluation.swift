import Foundation
import Logging
import SparseRLEnvironments

/// `sparserl evaluate`: rebuilds a run's agent from its configuration and newest valid checkpoint and evaluates
/// it at each observation-noise level.
public enum PolicyEvaluation {
  /// Evaluates and writes one CSV row per noise level (`noise,mean_return,std_return,min_return,max_return,
  /// mean_length,episodes`). Evaluation `k` of the list uses its own seeds, independent of training.
  public static func evaluate(
    run: RunDirectory, episodes: Int, noiseLevels: [Double], output: URL
  ) throws -> [(Double, EvaluationResult)] {
    let config = try String(contentsOf: run.config, encoding: .utf8)
    let experiment = try Experiment.resolve(
      layers: [Experiment.Layer(yaml: config, source: run.config.path)], overrides: [])
    let agent = try experiment.makeAgent(makeEnvironment: { try experiment.makeTrainingEnvironment() })
    let logger = Logger(label: "sparserl.evaluate")
    let store = CheckpointStore(folder: run.checkpoints)
    guard
      let loaded = store.loadNewest(
        decode: { try CheckpointFormat.decode($0, config: experiment.resolvedYAML) },
        onRejected: { file, error in logger.warning("skipping checkpoint \(file.lastPathComponent): \(error)") })
    else {
      throw RunDirectory.Problem(description: "\(run.url.path) has no valid checkpoint to evaluate")
    }
    try agent.restoreState(loaded.value.agent)
    let evaluator = Evaluator(environment: experiment.run.environment, seed: UInt64(experiment.run.seed) &+ 1_000_003)
    var results: [(Double, EvaluationResult)] = []
    var text = "noise," + MetricsRecorder.evaluationColumns.joined(separator: ",") + ",episodes\n"
    for (index, sigma) in noiseLevels.enumerated() {
      let result = try evaluator.evaluate(agent: agent, episodes: episodes, index: index, noise: sigma)
      results.append((sigma, result))
      let values = result.csvValues
      text +=
        ([MetricsCSV.format(sigma)] + MetricsRecorder.evaluationColumns.map { MetricsCSV.format(values[$0]!) } + [
          "\(episodes)"
        ])
        .joined(separator: ",") + "\n"
    }
    try AtomicFile.write(text, to: output)
    return results
  }
}

/// The text of `sparserl envs`.
public enum EnvironmentListing {
  /// One line per registered id, with its time limit.
  public static func text() -> String {
    EnvironmentRegistry.specs.map { spec in
      spec.id.padding(toLength: 28, withPad: " ", startingAt: 0)
        + (spec.maxEpisodeSteps.map { "time limit \($0)" } ?? "no time limit")
    }.joined(separator: "\n")
  }
}
