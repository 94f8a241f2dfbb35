import Foundation

#if canImport(Glibc)
  import Glibc
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  import Darwin
  private let systemWrite = Darwin.write
#endif

/// Writes files so that a crash at any moment leaves either the old file or the complete new one, never a
/// partial file under the final name: write to a temporary file in the same folder, fsync it, rename it over
/// the destination, fsync the folder.
public enum AtomicFile {
  /// An I/O failure, naming the file and the operation.
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// Atomically replaces the file at `url` with `bytes`.
  public static func write(_ bytes: [UInt8], to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw failure("create", temporary) }
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { buffer in
        systemWrite(descriptor, buffer.baseAddress! + written, bytes.count - written)
      }
      if result < 0 {
        if errno == EINTR { continue }
        close(descriptor)
        unlink(temporary.path)
        throw failure("write", temporary)
      }
      written += result
    }
    guard fsync(descriptor) == 0 else {
      close(descriptor)
      unlink(temporary.path)
      throw failure("fsync", temporary)
    }
    close(descriptor)
    guard rename(temporary.path, url.path) == 0 else {
      unlink(temporary.path)
      throw failure("rename to \(url.path)", temporary)
    }
    let folderDescriptor = open(folder.path, O_RDONLY)
    if folderDescriptor >= 0 {
      fsync(folderDescriptor)
      close(folderDescriptor)
    }
  }

  /// Atomically replaces the file at `url` with the UTF-8 `text`.
  public static func write(_ text: String, to url: URL) throws {
    try write(Array(text.utf8), to: url)
  }

  private static func failure(_ operation: String, _ url: URL) -> Failure {
    Failure(description: "cannot \(operation) \(url.path): \(String(cString: strerror(errno)))")
  }
}
