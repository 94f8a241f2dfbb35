import Foundation
import SparseRLNumerics
import SwiftProtobuf

/// Writes scalars to a TensorBoard event file, `events.out.tfevents.<seconds>.<host>.<pid>` in `folder`.
///
/// The file is a sequence of TFRecord frames: the payload length as a little-endian UInt64, the masked CRC32C of
/// those 8 bytes, the payload (a serialized `Event`), and the masked CRC32C of the payload. The first event carries
/// `file_version = "brain.Event:2"`. Each `flush` pushes the buffered frames to the file.
public final class TensorBoardWriter {
  /// The event file.
  public let url: URL
  private let handle: FileHandle
  private var pending = Data()
  private let clock: () -> Double

  /// Creates a new event file in `folder`. `clock` gives the wall time stored with each event.
  public init(folder: URL, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
    self.clock = clock
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
    let name = "events.out.tfevents.\(Int(clock())).\(host).\(ProcessInfo.processInfo.processIdentifier)"
    url = folder.appendingPathComponent(name)
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
      throw AtomicFile.Failure(description: "cannot create TensorBoard event file \(url.path)")
    }
    handle = try FileHandle(forWritingTo: url)
    var first = Tensorboard_Event()
    first.wallTime = clock()
    first.fileVersion = "brain.Event:2"
    try append(first)
    try flush()
  }

  deinit { try? handle.close() }

  /// Records `value` under `tag` at `step`.
  public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
    var summaryValue = Tensorboard_Summary.Value()
    summaryValue.tag = tag
    summaryValue.simpleValue = Float(value)
    var event = Tensorboard_Event()
    event.wallTime = clock()
    event.step = Int64(step)
    event.summary = Tensorboard_Summary.with { $0.value = [summaryValue] }
    try append(event)
  }

  /// Records several scalars at one step, in the order of their tags.
  public func addScalars(_ values: [String: Double], step: Int, prefix: String = "") throws {
    for tag in values.keys.sorted() { try addScalar(prefix + tag, values[tag]!, step: step) }
  }

  /// Writes buffered events to the file.
  public func flush() throws {
    guard !pending.isEmpty else { return }
    try handle.write(contentsOf: pending)
    pending.removeAll(keepingCapacity: true)
  }

  private func append(_ event: Tensorboard_Event) throws {
    let payload: Data = try event.serializedBytes()
    pending.append(TensorBoardWriter.frame(payload))
  }

  /// One TFRecord frame around `payload`.
  static func frame(_ payload: Data) -> Data {
    var length = UInt64(payload.count).littleEndian
    let lengthBytes = withUnsafeBytes(of: &length) { Data($0) }
    var lengthCRC = CRC32C.masked(CRC32C.checksum(lengthBytes)).littleEndian
    var payloadCRC = CRC32C.masked(CRC32C.checksum(payload)).littleEndian
    var result = lengthBytes
    result.append(withUnsafeBytes(of: &lengthCRC) { Data($0) })
    result.append(payload)
    result.append(withUnsafeBytes(of: &payloadCRC) { Data($0) })
    return result
  }
}
