import Foundation

/// A metrics CSV with a fixed header: one row per record, an empty cell for a metric a record lacks.
///
/// Values are written with a fixed, locale-independent format (shortest round-trip decimal), and nothing
/// time-dependent belongs in it, so that an uninterrupted run and a resumed run produce identical bytes.
/// Rows are appended and flushed one by one; on resume the file is first cut back to the rows written up to
/// the checkpoint (`truncate(toRowsThrough:)`).
public final class MetricsCSV {
  /// The file.
  public let url: URL
  /// The columns after `step`.
  public let columns: [String]
  private let handle: FileHandle

  /// Opens (creating if needed, with the header) the CSV at `url`. An existing file must have the same header.
  public init(url: URL, columns: [String]) throws {
    self.url = url
    self.columns = columns
    let header = (["step"] + columns).joined(separator: ",") + "\n"
    if !FileManager.default.fileExists(atPath: url.path) {
      try AtomicFile.write(header, to: url)
    } else {
      let existing = try String(contentsOf: url, encoding: .utf8)
      guard existing.hasPrefix(header) else {
        throw AtomicFile.Failure(description: "\(url.path) has a different header than expected: \(header)")
      }
    }
    handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
  }

  deinit { try? handle.close() }

  /// Appends one row.
  public func append(step: Int, values: [String: Double]) throws {
    let cells = columns.map { values[$0].map(MetricsCSV.format) ?? "" }
    try handle.write(contentsOf: Data(((["\(step)"] + cells).joined(separator: ",") + "\n").utf8))
  }

  /// Flushes written rows to disk.
  public func synchronize() throws { try handle.synchronize() }

  /// Cuts the file back to its header and the rows whose step is at most `step` (used on resume).
  public static func truncate(url: URL, toRowsThrough step: Int) throws {
    guard FileManager.default.fileExists(atPath: url.path) else { return }
    let text = try String(contentsOf: url, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    guard let header = lines.first else { return }
    let kept = lines.dropFirst().filter { line in
      guard let first = line.split(separator: ",", maxSplits: 1).first, let rowStep = Int(first) else { return false }
      return rowStep <= step
    }
    try AtomicFile.write(([header] + kept).map { $0 + "\n" }.joined(), to: url)
  }

  /// The cell text of a value: shortest round-trip representation, `nan`/`inf` spelled as numpy does.
  public static func format(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }
}
