import ArgumentParser
import Foundation
import Logging
import SparseRLExperiments
import SparseRLNumerics

/// `sparserl train [CONFIG...] [--set key=value ...]`.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an agent from YAML configurations (the built-in RLx2-TD3 Pendulum run when none is given).",
    discussion: """
      Configurations are applied in order, then each --set override. A CONFIG is a YAML file or a preset name \
      (`sparserl presets` lists them). Every mistake in them is reported before anything runs.
      """)

  @Argument(help: "YAML files or preset names, applied in order.")
  var configs: [String] = []

  @Option(name: .customLong("set"), help: "Override one key, e.g. --set td3.batch_size=128 (repeatable).")
  var overrides: [String] = []

  @Option(help: "The run directory (default: runs/<agent>-<environment>-seed<seed>-<time>). Must not hold a run.")
  var runDir: String?

  @Flag(help: "Plain periodic progress lines instead of a progress bar.")
  var plain = false

  @Option(help: "Kernel threads for this process (default: the config's `threads`; 0 there means every core).")
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    bootstrapLogging()
    let layers =
      configs.isEmpty
      ? [Presets.builtinDefaultLayer]
      : try configs.map(Presets.layer)
    let experiment = try Experiment.resolve(layers: layers, overrides: overrides)
    let url =
      runDir.map { URL(fileURLWithPath: $0) }
      ?? RunDirectory.defaultURL(
        agent: experiment.kind.rawValue, environment: experiment.run.environment, seed: experiment.run.seed)
    let run = try RunDirectory.create(at: url)
    let lock = try run.lock()
    defer { lock.release() }
    KernelThreads.setCount(experiment.run.effectiveThreads(override: threads))
    Logger(label: "sparserl").info(
      "training \(experiment.kind.rawValue) on \(experiment.run.environment) into \(url.path)")
    let trainer = Trainer(
      experiment: experiment, run: run, progressStyle: plain ? .lines : .automatic, signals: SignalMonitor())
    print(RunSummary.text(try trainer.start(), run: run))
  }
}

/// `sparserl resume RUN_DIR`.
struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume", abstract: "Continue a run exactly from its newest valid checkpoint.",
    discussion: """
      When every checkpoint of the run is damaged, resume refuses and changes nothing; --restart starts the run \
      over from step 0 (the damaged files are kept as *.damaged).
      """)

  @Argument(help: "The run directory.")
  var runDir: String

  @Flag(help: "Start over from step 0 when every checkpoint is damaged.")
  var restart = false

  @Flag(help: "Plain periodic progress lines instead of a progress bar.")
  var plain = false

  @Option(help: "Kernel threads for this process (default: the run's `threads`; results do not depend on it).")
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    bootstrapLogging()
    let run = try RunDirectory.open(URL(fileURLWithPath: runDir))
    let lock = try run.lock()
    defer { lock.release() }
    let experiment = try Experiment.resolve(
      layers: [Experiment.Layer(yaml: try String(contentsOf: run.config, encoding: .utf8), source: run.config.path)],
      overrides: [])
    KernelThreads.setCount(experiment.run.effectiveThreads(override: threads))
    let trainer = Trainer(
      experiment: experiment, run: run, progressStyle: plain ? .lines : .automatic, signals: SignalMonitor())
    print(RunSummary.text(try trainer.resume(restart: restart), run: run))
  }
}

/// Sends swift-log output to standard error, at `info` (or `$SPARSERL_LOG_LEVEL`).
func bootstrapLogging() {
  LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel =
      ProcessInfo.processInfo.environment["SPARSERL_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
    return handler
  }
}
