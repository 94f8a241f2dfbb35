import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a file, held until the lock is released or its process exits (the
/// kernel drops it even after SIGKILL), so that two processes never write one run, or sweep one study, at the same
/// time. The file holds the holder's process id, which the refusal names.
public final class ExclusiveLock {
  /// The lock file.
  public let file: URL
  private var descriptor: Int32

  /// Why a lock was not taken.
  public struct Busy: Error, CustomStringConvertible {
    /// The refusal, naming the folder and the process holding it.
    public let description: String
  }

  /// Takes the lock on `file` (created if missing) without waiting; throws `Busy` naming `what` and the holder's
  /// process id when another process holds it.
  public init(file: URL, what: String) throws {
    self.file = file
    let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw Busy(description: "cannot open the lock file \(file.path): \(String(cString: strerror(errno)))")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
      close(descriptor)
      let process = holder.map { $0.isEmpty ? "another process" : "process \($0)" } ?? "another process"
      throw Busy(description: "\(process) is already \(what) (it holds \(file.path)); wait for it or stop it first")
    }
    self.descriptor = descriptor
    let text = "\(getpid())\n"
    _ = ftruncate(descriptor, 0)
    _ = text.withCString { write(descriptor, $0, strlen($0)) }
  }

  /// Releases the lock (also done when the lock is deinitialised or the process exits).
  public func release() {
    guard descriptor >= 0 else { return }
    _ = ftruncate(descriptor, 0)
    close(descriptor)
    descriptor = -1
  }

  deinit { release() }
}
