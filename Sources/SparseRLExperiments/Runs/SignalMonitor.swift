import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns SIGINT and SIGTERM into a flag the training loop polls between steps, so that a run interrupted
/// by Ctrl-C or a scheduler writes a checkpoint and stops cleanly instead of dying mid-step.
/// A second signal of the same kind while the first is being handled exits at once (status 130).
public final class SignalMonitor: @unchecked Sendable {
  private let lock = NSLock()
  private var received: Int32?
  private var sources: [any DispatchSourceSignal] = []

  /// Starts watching SIGINT and SIGTERM.
  public init() {
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler { [weak self] in self?.handle(signalNumber) }
      source.resume()
      sources.append(source)
    }
  }

  deinit {
    for source in sources { source.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  private func handle(_ signalNumber: Int32) {
    let repeated = lock.withLock { () -> Bool in
      defer { received = signalNumber }
      return received == signalNumber
    }
    if repeated { exit(130) }
  }

  /// The signal received, if any (SIGINT or SIGTERM).
  public var receivedSignal: Int32? { lock.withLock { received } }

  /// Whether a stop was requested.
  public var stopRequested: Bool { receivedSignal != nil }
}
