import Foundation

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
