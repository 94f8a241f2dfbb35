import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Shows how a long job is going: on a terminal, a progress bar redrawn in place (steps, steps per second,
/// time left, latest values); otherwise (a log file, CI) a plain line through swift-log every `interval`.
public final class ProgressReporter {
  /// Where the display goes.
  public enum Style: Sendable {
    /// `bar`: a bar redrawn in place; `lines`: periodic log lines; `silent`: nothing.
    case bar, lines, silent
    /// `.bar` when standard error is a terminal, `.lines` otherwise.
    public static var automatic: Style { isatty(STDERR_FILENO) == 1 ? .bar : .lines }
  }

  private let total: Int
  private let style: Style
  private let interval: TimeInterval
  private let logger: Logger
  private let started: Date
  private var lastShown: Date = .distantPast
  private var startStep: Int
  private var latest: [(String, Double)] = []

  /// A reporter for a job of `total` steps, starting at `startStep` (non-zero when resuming).
  public init(
    total: Int, startStep: Int = 0, style: Style = .automatic, interval: TimeInterval = 10,
    logger: Logger = Logger(label: "sparserl.progress")
  ) {
    self.total = max(total, 1)
    self.startStep = startStep
    self.style = style
    self.interval = style == .bar ? 0.25 : interval
    self.logger = logger
    self.started = Date()
  }

  /// Sets the values shown beside the counters (e.g. the latest episode return).
  public func setValues(_ values: [(String, Double)]) { latest = values }

  /// Reports that `step` steps are done; redraws at most every `interval`.
  public func update(step: Int, force: Bool = false) {
    let now = Date()
    guard force || now.timeIntervalSince(lastShown) >= interval else { return }
    lastShown = now
    let elapsed = now.timeIntervalSince(started)
    let rate = elapsed > 0 ? Double(step - startStep) / elapsed : 0
    let remaining = rate > 0 ? Double(total - step) / rate : .infinity
    let values = latest.map { "\($0.0) \(Self.short($0.1))" }.joined(separator: "  ")
    let counters =
      "\(step)/\(total) steps  \(Self.short(rate)) steps/s  elapsed \(Self.duration(elapsed))  left \(Self.duration(remaining))"
    switch style {
    case .bar:
      let width = 24
      let filled = min(width, Int(Double(width) * Double(step) / Double(total)))
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      let line = "\r[\(bar)] \(counters)  \(values)\u{1B}[K"
      FileHandle.standardError.write(Data(line.utf8))
    case .lines:
      logger.info("\(counters)  \(values)")
    case .silent:
      break
    }
  }

  /// Ends the display (a newline after the bar).
  public func finish(step: Int) {
    update(step: step, force: true)
    if style == .bar { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  /// `1m05s`, `2h03m`, `12s`; `?` when unknown.
  public static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
    return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
  }

  /// A compact number: 3 significant digits, thousands grouped for large values.
  public static func short(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if abs(value) >= 1000 { return String(format: "%.0f", value) }
    return String(format: "%.3g", value)
  }
}
