/// CRC-32C (Castagnoli polynomial, reflected `0x82F63B78`, initial value and final xor `0xFFFFFFFF`), the
/// checksum of iSCSI, ext4, TFRecord and TensorBoard event files.
///
/// Table-driven with slicing-by-8: about one table look-up per input byte. Feed data in pieces with `update`
/// and read `value` at any time; `checksum(_:)` does it in one call.
public struct CRC32C: Sendable, Equatable {
  /// The running state (before the final xor).
  private var state: UInt32 = 0xFFFF_FFFF

  /// A checksum of no data.
  public init() {}

  /// The checksum of everything passed to `update` so far.
  public var value: UInt32 { state ^ 0xFFFF_FFFF }

  /// Adds `bytes` to the checksummed data.
  public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    let handled: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
    if handled == nil {
      let copy = Array(bytes)
      copy.withUnsafeBytes { update(buffer: $0) }
    }
  }

  /// Adds the bytes of `buffer` to the checksummed data.
  public mutating func update(buffer: UnsafeRawBufferPointer) {
    var crc = state
    let table = CRC32CTable.shared
    var index = 0
    let count = buffer.count
    table.withUnsafeBufferPointer { t in
      while count - index >= 8 {
        let low =
          crc
          ^ (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2]) << 16
            | UInt32(buffer[index + 3]) << 24)
        let high =
          UInt32(buffer[index + 4]) | UInt32(buffer[index + 5]) << 8 | UInt32(buffer[index + 6]) << 16
          | UInt32(buffer[index + 7]) << 24
        crc =
          t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
          ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
          ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
          ^ t[1 * 256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
        index += 8
      }
      while index < count {
        crc = t[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ (crc >> 8)
        index += 1
      }
    }
    state = crc
  }

  /// The CRC-32C of `bytes`.
  public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var crc = CRC32C()
    crc.update(bytes)
    return crc.value
  }

  /// The masked form TensorBoard / TFRecord store: `((crc >> 15) | (crc << 17)) &+ 0xa282ead8`.
  public static func masked(_ crc: UInt32) -> UInt32 {
    ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }

  /// Inverts `masked(_:)`.
  public static func unmasked(_ maskedCRC: UInt32) -> UInt32 {
    let rotated = maskedCRC &- 0xA282_EAD8
    return (rotated >> 17) | (rotated << 15)
  }
}

/// The eight 256-entry tables of slicing-by-8 for the reflected Castagnoli polynomial.
private enum CRC32CTable {
  static let shared: [UInt32] = {
    var table = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
      var crc = UInt32(byte)
      for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
      table[byte] = crc
    }
    for slice in 1..<8 {
      for byte in 0..<256 {
        let previous = table[(slice - 1) * 256 + byte]
        table[slice * 256 + byte] = (previous >> 8) ^ table[Int(previous & 0xFF)]
      }
    }
    return table
  }()
}
