import Foundation
import Testing

@testable import SparseRLNumerics

/// Bit-at-a-time CRC-32C, the definition the table-driven implementation must match.
func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in bytes {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
  }
  return crc ^ 0xFFFF_FFFF
}

@Suite struct CRC32CTests {
  @Test func publishedCheckValues() {
    // CRC catalogue check value and RFC 3720 (iSCSI) B.4 test vectors.
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    #expect(CRC32C.checksum([UInt8]()) == 0)
  }

  @Test func matchesBitwiseDefinitionInPieces() {
    var random = RandomGenerator(seed: 3)
    for length in [1, 7, 8, 9, 63, 64, 1000] {
      let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      #expect(CRC32C.checksum(bytes) == bitwiseCRC32C(bytes))
      let cut = random.integer(below: length + 1)
      var crc = CRC32C()
      crc.update(bytes[..<cut])
      crc.update(bytes[cut...])
      #expect(crc.value == bitwiseCRC32C(bytes))
    }
  }

  @Test func masking() {
    // TensorBoard's mask: rotate right by 15, add 0xa282ead8.
    let crc: UInt32 = 0x1234_5678
    #expect(CRC32C.masked(crc) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    #expect(CRC32C.unmasked(CRC32C.masked(crc)) == crc)
  }
}

@Suite struct BinaryArchiveTests {
  func sample() -> BinaryArchive {
    var inner = BinaryArchive()
    inner["weights"] = .floats([1.5, -0.0, .nan, .infinity, Float(bitPattern: 0x7FC0_1234), .leastNonzeroMagnitude])
    inner["indices"] = .int32s([0, -1, .max, .min])
    var root = BinaryArchive()
    root["network"] = .archive(inner)
    root["doubles"] = .doubles([.pi, -.nan, 1e-300])
    root["seeds"] = .uint64s([0, .max, 0x9E37_79B9_7F4A_7C15])
    root["raw"] = .bytes([0, 255, 7])
    root["step"] = .int(-42)
    root["tau"] = .double(0.005)
    root["flag"] = .bool(true)
    root["label"] = .string("sparse ✓ RL")
    root["empty"] = .floats([])
    return root
  }

  func bits(_ value: ArchiveValue?) -> [UInt64] {
    switch value {
    case .floats(let a)?: a.map { UInt64($0.bitPattern) }
    case .doubles(let a)?: a.map(\.bitPattern)
    default: []
    }
  }

  @Test func roundTripIsBitExact() throws {
    let archive = sample()
    let bytes = archive.encoded()
    let decoded = try BinaryArchive(decoding: bytes)
    #expect(decoded.names == archive.names)
    let network = try decoded.archive("network")
    #expect(bits(network["weights"]) == bits(try archive.archive("network")["weights"]))
    #expect(bits(decoded["doubles"]) == bits(archive["doubles"]))
    #expect(try network.int32s("indices") == [0, -1, .max, .min])
    #expect(try decoded.uint64s("seeds") == [0, .max, 0x9E37_79B9_7F4A_7C15])
    #expect(try decoded.bytes("raw") == [0, 255, 7])
    #expect(try decoded.int("step") == -42 && decoded.double("tau") == 0.005 && decoded.bool("flag"))
    #expect(try decoded.string("label") == "sparse ✓ RL" && decoded.floats("empty").isEmpty)
    #expect(decoded.encoded() == bytes)
    #expect(Array(bytes.prefix(8)) == Array("SPRLARCH".utf8))
  }

  @Test func encodingDependsOnContentsOnly() {
    var a = BinaryArchive()
    a["x"] = .int(1)
    a["y"] = .string("two")
    var b = BinaryArchive()
    b["y"] = .string("two")
    b["x"] = .int(1)
    #expect(a.encoded() == b.encoded())
  }

  @Test func rejectsEveryTruncation() throws {
    let bytes = sample().encoded()
    for length in 0..<bytes.count {
      #expect(throws: ArchiveError.self) { try BinaryArchive(decoding: Array(bytes.prefix(length))) }
    }
    #expect(throws: ArchiveError.truncated(atByte: 12, needed: 8, available: 2, what: "payload length")) {
      try BinaryArchive(decoding: Array(bytes.prefix(14)))
    }
    let cut = bytes.count - 10
    #expect(
      throws: ArchiveError.truncated(atByte: cut, needed: bytes.count - 24, available: cut - 24, what: "payload")
    ) { try BinaryArchive(decoding: Array(bytes.prefix(cut))) }
  }

  @Test func rejectsEveryBitFlip() {
    let bytes = sample().encoded()
    for byte in 0..<bytes.count {
      for bit in 0..<8 {
        var corrupted = bytes
        corrupted[byte] ^= UInt8(1 << bit)
        #expect(throws: ArchiveError.self) { try BinaryArchive(decoding: corrupted) }
      }
    }
  }

  @Test func namesEachProblem() throws {
    let bytes = sample().encoded()
    var magic = bytes
    magic[0] = UInt8(ascii: "X")
    #expect(throws: ArchiveError.badMagic(found: Array("XPRLARCH".utf8))) { try BinaryArchive(decoding: magic) }
    var version = bytes
    version[8] = 2
    #expect(throws: ArchiveError.unsupportedVersion(found: 2, supported: 1)) { try BinaryArchive(decoding: version) }
    var payload = bytes
    payload[30] ^= 0x10
    do {
      _ = try BinaryArchive(decoding: payload)
      Issue.record("a corrupted payload was accepted")
    } catch let error as ArchiveError {
      guard case .checksumMismatch = error else { throw error }
      #expect(error.description.contains("checksum mismatch"))
    }
    #expect(throws: ArchiveError.trailingBytes(count: 1)) { try BinaryArchive(decoding: bytes + [0]) }

    // Structural corruption behind a valid checksum: an unknown type tag.
    var entry = BinaryArchive()
    entry["a"] = .int(1)
    var forged = entry.encoded()
    let tagOffset = 24 + 4 + 4 + 1  // header, entry count, name length, name "a"
    forged[tagOffset] = 99
    let crc = CRC32C.checksum(forged[24...])
    withUnsafeBytes(of: crc.littleEndian) { forged.replaceSubrange(20..<24, with: $0) }
    #expect(throws: ArchiveError.unknownEntryType(tag: 99, entry: "a", atByte: tagOffset)) {
      try BinaryArchive(decoding: forged)
    }
  }

  @Test func typedAccessErrorsNameTheEntry() throws {
    let archive = try BinaryArchive(decoding: sample().encoded())
    let network = try archive.archive("network")
    #expect(throws: ArchiveError.missingEntry("network.bias")) { try network.floats("bias") }
    #expect(throws: ArchiveError.typeMismatch(entry: "network.indices", expected: "[Float]", found: "[Int32]")) {
      try network.floats("indices")
    }
    #expect(
      throws: ArchiveError.shapeMismatch(entry: "network.weights", expected: "5 elements", found: "6 elements")
    ) { try network.floats("weights", count: 5) }
    #expect(ArchiveError.missingEntry("network.bias").description == "missing archive entry 'network.bias'")
  }

  @Test func fileRoundTrip() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sparserl-archive-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("checkpoint.bin").path
    try sample().write(toFile: path)
    try sample().write(toFile: path)  // overwrite atomically
    let loaded = try BinaryArchive(contentsOfFile: path)
    #expect(loaded.encoded() == sample().encoded())
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["checkpoint.bin"])
    #expect(throws: ArchiveError.self) {
      try BinaryArchive(contentsOfFile: directory.appendingPathComponent("absent").path)
    }
  }
}
