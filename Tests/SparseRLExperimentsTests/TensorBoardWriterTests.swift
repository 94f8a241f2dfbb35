import Foundation
import SparseRLTestSupport
import Testing

@testable import SparseRLExperiments

private struct ReadRequest: Encodable { let path: String }
private struct ReadResult: Decodable {
  let version: String?
  let scalars: [String: [[Double]]]
}

@Suite struct TensorBoardWriterTests {
  /// TensorBoard's own event-file loader reads back every scalar with its step and value; its reader verifies
  /// both CRCs of every frame.
  @Test(.enabled(if: PythonReference.isAvailable))
  func tensorBoardReadsTheScalarsBack() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID().uuidString)")
    let writer = try TensorBoardWriter(folder: folder)
    for step in stride(from: 0, to: 500, by: 50) {
      try writer.addScalars(["return": Double(step) * 0.5, "loss": 1 / Double(step + 1)], step: step, prefix: "train/")
    }
    try writer.addScalar("eval/return", -123.25, step: 500)
    try writer.flush()
    let result = try PythonReference.call(
      script: "tensorboard_read.py", request: ReadRequest(path: writer.url.path), as: ReadResult.self)
    #expect(result.version == "brain.Event:2")
    #expect(result.scalars["train/return"]?.map { $0[0] } == stride(from: 0, to: 500, by: 50).map(Double.init))
    #expect(result.scalars["train/return"]?.map { $0[1] } == stride(from: 0, to: 500, by: 50).map { Double($0) * 0.5 })
    let losses = try #require(result.scalars["train/loss"])
    for (index, entry) in losses.enumerated() {
      #expect(entry[1] == Double(Float(1 / Double(index * 50 + 1))))
    }
    #expect(result.scalars["eval/return"]?.first == [500, -123.25])
  }

  /// The frame layout against a frame assembled by hand from TFRecord's definition and a known CRC32C value
  /// (CRC32C("123456789") = 0xE3069283).
  @Test func frameLayoutMatchesTheTFRecordDefinition() {
    let payload = Data("123456789".utf8)
    let frame = TensorBoardWriter.frame(payload)
    #expect(frame.count == 8 + 4 + 9 + 4)
    #expect(Array(frame.prefix(8)) == [9, 0, 0, 0, 0, 0, 0, 0])
    let crc: UInt32 = 0xE306_9283
    let masked = ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    let tail = frame.suffix(4)
    #expect(
      Array(tail) == [
        UInt8(masked & 0xFF), UInt8((masked >> 8) & 0xFF), UInt8((masked >> 16) & 0xFF), UInt8(masked >> 24),
      ])
  }
}
