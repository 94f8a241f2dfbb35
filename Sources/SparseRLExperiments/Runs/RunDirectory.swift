import Foundation

/// The files of one run:
///
/// ```
/// RUN_DIR/
///   config.yaml         the resolved configuration (resuming reads it back)
///   train.csv           training metrics (losses, ...) by environment step
///   episodes.csv        return and length of each training episode
///   eval.csv            evaluation results
///   tensorboard/        a TensorBoard event file per session with the same scalars
///   checkpoints/        the newest checkpoints (atomic, checksummed)
///   policy.srl          the final networks
///   run.json            status, final score, steps, wall time, steps per second, parameter and FLOP accounting
///   run.lock            held (flock) by the process training the run; holds its process id
/// ```
public struct RunDirectory: Sendable {
  /// The run's folder.
  public let url: URL

  /// The run in `url` (nothing is created or checked).
  public init(url: URL) { self.url = url }

  /// `config.yaml`: the resolved configuration.
  public var config: URL { url.appendingPathComponent("config.yaml") }
  /// `train.csv`: the learning statistics.
  public var trainMetrics: URL { url.appendingPathComponent("train.csv") }
  /// `episodes.csv`: one row per training episode.
  public var episodeMetrics: URL { url.appendingPathComponent("episodes.csv") }
  /// `eval.csv`: one row per evaluation.
  public var evaluationMetrics: URL { url.appendingPathComponent("eval.csv") }
  /// `tensorboard/`: the event files.
  public var tensorBoard: URL { url.appendingPathComponent("tensorboard") }
  /// `checkpoints/`: the newest checkpoints.
  public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
  /// `policy.srl`: the final networks.
  public var policy: URL { url.appendingPathComponent("policy.srl") }
  /// `run.json`: status, score, speed and accounting.
  public var record: URL { url.appendingPathComponent("run.json") }
  /// `run.lock`: held by the process that trains the run.
  public var lockFile: URL { url.appendingPathComponent("run.lock") }

  /// Takes the run's lock, so that no other process trains or resumes it meanwhile.
  public func lock() throws -> ExclusiveLock { try ExclusiveLock(file: lockFile, what: "training \(url.path)") }

  /// Errors about run folders.
  public struct Problem: Error, CustomStringConvertible {
    public let description: String
  }

  /// Creates the folder for a new run. A folder that already holds anything is refused (with how to continue
  /// or where to start afresh), so a finished or partial run is never overwritten silently.
  public static func create(at url: URL) throws -> RunDirectory {
    let manager = FileManager.default
    if manager.fileExists(atPath: url.path) {
      // A lone run.lock is what a process killed before it wrote anything leaves.
      let contents = ((try? manager.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0 != "run.lock" }
      if !contents.isEmpty {
        let hint =
          manager.fileExists(atPath: url.appendingPathComponent("config.yaml").path)
          ? "it holds a run: continue it with `sparserl resume \(url.path)`, or choose another --run-dir"
          : "it is not empty: choose another --run-dir"
        throw Problem(description: "refusing to train into \(url.path): \(hint)")
      }
    }
    try manager.createDirectory(at: url, withIntermediateDirectories: true)
    return RunDirectory(url: url)
  }

  /// Opens an existing run for resuming or evaluation.
  public static func open(_ url: URL) throws -> RunDirectory {
    let run = RunDirectory(url: url)
    guard FileManager.default.fileExists(atPath: run.config.path) else {
      throw Problem(description: "\(url.path) is not a run directory (no config.yaml)")
    }
    return run
  }

  /// A fresh folder name under `runs/`: `<agent>-<environment>-seed<seed>-<yyyyMMdd-HHmmss>`.
  public static func defaultURL(agent: String, environment: String, seed: Int, date: Date = Date()) -> URL {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    let safe = environment.replacingOccurrences(of: "/", with: "_")
    return URL(fileURLWithPath: "runs").appendingPathComponent(
      "\(agent)-\(safe)-seed\(seed)-\(formatter.string(from: date))")
  }
}
