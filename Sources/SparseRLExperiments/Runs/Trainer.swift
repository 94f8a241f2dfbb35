import Foundation
import Logging
import SparseRLAgents
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// Runs an experiment in a run directory: trains the agent step by step, evaluates on schedule, writes metrics,
/// checkpoints periodically and on SIGINT/SIGTERM, and resumes exactly from the newest valid checkpoint.
///
/// Exactness: everything the next step depends on is in the checkpoint (the agent's complete state and the loop's
/// counters), evaluations are seeded by their index, and the metrics files are cut back to the checkpoint's step
/// on resume, so an interrupted and resumed run writes the same metrics files as an uninterrupted one.
public final class Trainer {
  private let experiment: Experiment
  private let run: RunDirectory
  private let logger: Logger
  private let progressStyle: ProgressReporter.Style
  private let signals: SignalMonitor?

  /// A trainer for `experiment` in `run`. `signals` (when given) turns SIGINT/SIGTERM into a checkpoint and a
  /// clean stop.
  public init(
    experiment: Experiment, run: RunDirectory, logger: Logger = Logger(label: "sparserl"),
    progressStyle: ProgressReporter.Style = .automatic, signals: SignalMonitor? = nil
  ) {
    self.experiment = experiment
    self.run = run
    self.logger = logger
    self.progressStyle = progressStyle
    self.signals = signals
  }

  /// Starts a new run (the run directory must be new) and trains to the end or to a stop signal.
  public func start() throws -> RunRecord {
    try AtomicFile.write(experiment.configFileText, to: run.config)
    return try train(resuming: false)
  }

  /// Continues the run from its newest valid checkpoint (from the beginning when it never wrote one).
  ///
  /// When checkpoints exist but none of them is valid, the run is not started over silently (that would cut its
  /// metrics files back to nothing): `resume` throws `DamagedCheckpoints` naming the files and leaves every file
  /// as it is, unless `restart` is true, in which case the damaged files are renamed to `*.damaged` and the run
  /// starts again from step 0.
  public func resume(restart: Bool = false) throws -> RunRecord {
    try train(resuming: true, restart: restart)
  }

  private func train(resuming: Bool, restart: Bool = false) throws -> RunRecord {
    let agent: any Agent
    var state = TrainerState()
    do {
      agent = try experiment.makeAgent(makeEnvironment: { [experiment] in try experiment.makeTrainingEnvironment() })
      if resuming {
        state = try restoreNewest(into: agent, restart: restart)
        try MetricsRecorder.truncate(run: run, toRowsThrough: state.environmentSteps)
      }
    } catch let damaged as DamagedCheckpoints {
      throw damaged
    } catch {
      try? RunFailure.record(error, step: state.environmentSteps, experiment: experiment, run: run)
      throw error
    }
    do {
      return try train(agent: agent, state: state)
    } catch {
      try? RunFailure.record(
        error, step: agent.environmentSteps, experiment: experiment, run: run,
        networks: agent.networks.map { RunRecord.NetworkRecord(role: $0.role, network: $0.network) })
      throw error
    }
  }

  /// Restores the newest valid checkpoint into `agent` and returns the loop's state (a fresh one without any
  /// checkpoint). Throws `DamagedCheckpoints`, touching nothing, when checkpoints exist but none is valid and
  /// `restart` is false.
  private func restoreNewest(into agent: any Agent, restart: Bool) throws -> TrainerState {
    let store = CheckpointStore(folder: run.checkpoints, keep: experiment.run.keepCheckpoints)
    var rejected: [(file: URL, reason: String)] = []
    let loaded = store.loadNewest(
      decode: { try CheckpointFormat.decode($0, config: experiment.resolvedYAML) },
      onRejected: { [logger] file, error in
        logger.warning("skipping checkpoint \(file.lastPathComponent): \(error)")
        rejected.append((file, "\(error)"))
      })
    if let loaded {
      try agent.restoreState(loaded.value.agent)
      logger.info(
        "resuming from step \(loaded.value.trainer.environmentSteps) (\(CheckpointStore.fileName(step: loaded.step)))")
      return loaded.value.trainer
    }
    if !rejected.isEmpty {
      guard restart else { throw DamagedCheckpoints(run: run.url, files: rejected) }
      for (file, _) in rejected {
        try FileManager.default.moveItem(at: file, to: file.appendingPathExtension("damaged"))
      }
      logger.notice("every checkpoint is damaged: --restart given, starting the run over from step 0")
    } else {
      logger.info("no checkpoint: starting the run from the beginning")
    }
    return TrainerState()
  }

  private func train(agent: any Agent, state initial: TrainerState) throws -> RunRecord {
    let settings = experiment.run
    var state = initial
    let recorder = try MetricsRecorder(run: run, metricNames: agent.metricNames)
    let evaluator = Evaluator(environment: settings.environment, seed: UInt64(settings.seed))
    let store = CheckpointStore(folder: run.checkpoints, keep: settings.keepCheckpoints)
    let progress = ProgressReporter(
      total: settings.totalSteps, startStep: agent.environmentSteps, style: progressStyle, logger: logger)
    let sessionStart = Date()
    let wallTimeBefore = state.wallTimeSeconds
    var lastCheckpointStep = agent.environmentSteps
    func wallTime() -> Double { wallTimeBefore + Date().timeIntervalSince(sessionStart) }

    func checkpoint() throws {
      state.environmentSteps = agent.environmentSteps
      state.wallTimeSeconds = wallTime()
      try recorder.synchronize()
      let bytes = CheckpointFormat.encode(
        config: experiment.resolvedYAML, trainer: state, agent: try agent.saveState())
      try store.save(bytes, step: agent.environmentSteps)
      lastCheckpointStep = agent.environmentSteps
    }

    func evaluate() throws {
      let index = state.evaluationSteps.count
      let result = try evaluator.evaluate(agent: agent, episodes: settings.evaluationEpisodes, index: index)
      state.evaluationSteps.append(agent.environmentSteps)
      state.evaluationMeans.append(result.meanReturn)
      try recorder.recordEvaluation(step: agent.environmentSteps, result: result)
    }

    func record(status: String) throws -> RunRecord {
      let steps = agent.environmentSteps
      let record = RunRecord(
        status: status, version: sparseRLVersion, agent: experiment.kind.rawValue,
        environment: settings.environment, seed: settings.seed, totalSteps: settings.totalSteps,
        environmentSteps: steps, finalScore: finalScore(state, settings), evaluations: state.evaluationSteps.count,
        wallTimeSeconds: wallTime(), stepsPerSecond: wallTime() > 0 ? Double(steps) / wallTime() : 0,
        networks: agent.networks.map { RunRecord.NetworkRecord(role: $0.role, network: $0.network) })
      try record.write(to: run.record)
      return record
    }

    _ = try record(status: "running")
    while agent.environmentSteps < settings.totalSteps {
      try agent.trainStep(metrics: recorder)
      let steps = agent.environmentSteps
      if settings.evaluationInterval > 0 && steps >= (state.evaluationSteps.count + 1) * settings.evaluationInterval {
        try evaluate()
      }
      if settings.checkpointInterval > 0
        && steps / settings.checkpointInterval > lastCheckpointStep / settings.checkpointInterval
      {
        try checkpoint()
        _ = try record(status: "running")
      }
      progress.setValues(
        [("return", recorder.lastEpisodeReturn), ("eval", recorder.lastEvaluationReturn)].compactMap { name, value in
          value.map { (name, $0) }
        })
      progress.update(step: steps)
      if let signal = signals?.receivedSignal {
        progress.finish(step: steps)
        logger.notice("received signal \(signal): checkpointing at step \(steps) and stopping")
        try checkpoint()
        return try record(status: "interrupted")
      }
    }
    if state.evaluationSteps.last != agent.environmentSteps { try evaluate() }
    progress.finish(step: agent.environmentSteps)
    try checkpoint()
    try writePolicy(agent)
    return try record(status: "finished")
  }

  /// Mean of the evaluations in the last `final_score_fraction` of training (at least the last one).
  private func finalScore(_ state: TrainerState, _ settings: RunSettings) -> Double? {
    guard !state.evaluationMeans.isEmpty else { return nil }
    let threshold = Double(settings.totalSteps) * (1 - settings.finalScoreFraction)
    var window = zip(state.evaluationSteps, state.evaluationMeans).filter { Double($0.0) > threshold }.map(\.1)
    if window.isEmpty { window = [state.evaluationMeans.last!] }
    return window.reduce(0, +) / Double(window.count)
  }

  /// `policy.srl`: the evaluation policy as a policy file (`PolicyFile`), with the agent kind, environment and
  /// resolved configuration as metadata. A policy that cannot be represented is reported, not fatal.
  private func writePolicy(_ agent: any Agent) throws {
    do {
      let policy = try RunPolicy.policy(of: agent, experiment: experiment)
      try AtomicFile.write(policy.encoded(), to: run.policy)
    } catch {
      logger.warning("policy.srl not written: \(error)")
    }
  }
}
