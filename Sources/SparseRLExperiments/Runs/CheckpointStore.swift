import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The checkpoints of one run: files `checkpoint-<step>.srl` in a folder, written atomically, the newest
/// `keep` retained.
///
/// Loading tries the newest checkpoint first; one that fails verification (truncated, corrupted) is reported
/// through `onRejected` and the next older one is tried, so a crash during a write never loses the run.
/// The payload format is not this type's concern: it stores bytes and asks `decode` to verify them.
public struct CheckpointStore {
  /// The folder holding the checkpoints.
  public let folder: URL
  /// How many checkpoints to keep (older ones are deleted after a successful write).
  public let keep: Int

  /// A store in `folder` keeping the newest `keep` checkpoints.
  public init(folder: URL, keep: Int = 3) {
    precondition(keep >= 1, "keep at least one checkpoint")
    self.folder = folder
    self.keep = keep
  }

  /// The file name of the checkpoint at `step`.
  public static func fileName(step: Int) -> String { "checkpoint-\(String(format: "%012d", step)).srl" }

  /// Steps of the checkpoints present, ascending.
  public func steps() -> [Int] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return
      names.compactMap { name -> Int? in
        guard name.hasPrefix("checkpoint-"), name.hasSuffix(".srl") else { return nil }
        return Int(name.dropFirst("checkpoint-".count).dropLast(".srl".count))
      }
      .sorted()
  }

  /// Writes the checkpoint of `step` atomically, then deletes all but the newest `keep`.
  public func save(_ bytes: [UInt8], step: Int) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    FaultInjection.killDuringCheckpointWriteIfRequested(bytes: bytes, folder: folder, step: step)
    try AtomicFile.write(bytes, to: folder.appendingPathComponent(Self.fileName(step: step)))
    for old in steps().dropLast(keep) {
      try? FileManager.default.removeItem(at: folder.appendingPathComponent(Self.fileName(step: old)))
    }
  }

  /// The newest checkpoint that `decode` accepts, with its step, or nil if there is none. Each rejected
  /// checkpoint is passed to `onRejected` with the error `decode` threw.
  public func loadNewest<T>(
    decode: ([UInt8]) throws -> T, onRejected: (_ file: URL, _ error: any Error) -> Void
  ) -> (step: Int, value: T)? {
    for step in steps().reversed() {
      let url = folder.appendingPathComponent(Self.fileName(step: step))
      do {
        let bytes = try [UInt8](Data(contentsOf: url))
        return (step, try decode(bytes))
      } catch {
        onRejected(url, error)
      }
    }
    return nil
  }
}

/// Crash testing: with `SPARSERL_FAULT_KILL_DURING_CHECKPOINT=N` in the environment, the process writes half of
/// its N-th checkpoint (counting from 1 in this process) to the temporary file an atomic write uses, then kills
/// itself with SIGKILL, exactly as a machine failure in the middle of a write would. Unset, it does nothing.
enum FaultInjection {
  nonisolated(unsafe) private static var checkpointWrites = 0

  static func killDuringCheckpointWriteIfRequested(bytes: [UInt8], folder: URL, step: Int) {
    guard let value = ProcessInfo.processInfo.environment["SPARSERL_FAULT_KILL_DURING_CHECKPOINT"],
      let target = Int(value)
    else { return }
    checkpointWrites += 1
    guard checkpointWrites == target else { return }
    let partial = folder.appendingPathComponent(".\(CheckpointStore.fileName(step: step)).tmp-\(getpid())")
    _ = FileManager.default.createFile(atPath: partial.path, contents: Data(bytes.prefix(bytes.count / 2)))
    kill(getpid(), SIGKILL)
  }
}
