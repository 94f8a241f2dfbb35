import Foundation
import SparseRLAgents

/// Receives an agent's metrics and the evaluations, and writes them to the run's CSV files and TensorBoard.
/// Keeps the latest values for the progress display.
public final class MetricsRecorder: MetricsSink {
  private let train: MetricsCSV
  private let episodes: MetricsCSV
  private let evaluations: MetricsCSV
  private let tensorBoard: TensorBoardWriter?
  /// The most recent training-episode return.
  public private(set) var lastEpisodeReturn: Double?
  /// The most recent evaluation mean return.
  public private(set) var lastEvaluationReturn: Double?

  /// The columns of eval.csv.
  public static let evaluationColumns = ["mean_return", "std_return", "min_return", "max_return", "mean_length"]

  /// Opens (or continues) the metrics files of `run` for an agent reporting `metricNames`.
  public init(run: RunDirectory, metricNames: [MetricGroup: [String]], tensorBoard: Bool = true) throws {
    train = try MetricsCSV(url: run.trainMetrics, columns: metricNames[.train] ?? [])
    episodes = try MetricsCSV(url: run.episodeMetrics, columns: metricNames[.episode] ?? ["return", "length"])
    evaluations = try MetricsCSV(url: run.evaluationMetrics, columns: MetricsRecorder.evaluationColumns)
    self.tensorBoard = tensorBoard ? try TensorBoardWriter(folder: run.tensorBoard) : nil
  }

  public func record(group: MetricGroup, step: Int, values: [String: Double]) {
    do {
      switch group {
      case .train: try train.append(step: step, values: values)
      case .episode:
        try episodes.append(step: step, values: values)
        if let value = values["return"] { lastEpisodeReturn = value }
      }
      try tensorBoard?.addScalars(values, step: step, prefix: group.rawValue + "/")
    } catch {
      // A full disk must not kill a long run silently mid-step: report once per failure and keep training;
      // the checkpoint write will fail loudly if the disk stays full.
      FileHandle.standardError.write(Data("warning: cannot write metrics: \(error)\n".utf8))
    }
  }

  /// Records one evaluation.
  public func recordEvaluation(step: Int, result: EvaluationResult) throws {
    let values = result.csvValues
    try evaluations.append(step: step, values: values)
    try tensorBoard?.addScalars(values, step: step, prefix: "eval/")
    lastEvaluationReturn = result.meanReturn
  }

  /// Flushes every file (called before each checkpoint, so that the files hold at least what the checkpoint
  /// covers).
  public func synchronize() throws {
    try train.synchronize()
    try episodes.synchronize()
    try evaluations.synchronize()
    try tensorBoard?.flush()
  }

  /// Cuts every CSV back to the rows up to `step` (resuming from a checkpoint taken at `step`).
  public static func truncate(run: RunDirectory, toRowsThrough step: Int) throws {
    for url in [run.trainMetrics, run.episodeMetrics, run.evaluationMetrics] {
      try MetricsCSV.truncate(url: url, toRowsThrough: step)
    }
  }
}
