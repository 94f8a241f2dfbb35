/// One typed value stored in a `BinaryArchive`.
public enum ArchiveValue: Equatable, Sendable {
  /// 32-bit floats, stored as bit patterns.
  case floats([Float])
  /// 64-bit floats, stored as bit patterns.
  case doubles([Double])
  /// Signed 32-bit integers (sparsity pattern indices).
  case int32s([Int32])
  /// Unsigned 64-bit integers (random generator states).
  case uint64s([UInt64])
  /// Raw bytes.
  case bytes([UInt8])
  /// An integer, stored as 64 bits.
  case int(Int)
  /// A double, stored as its bit pattern.
  case double(Double)
  /// A boolean, one byte.
  case bool(Bool)
  /// A UTF-8 string.
  case string(String)
  /// A nested archive (a group of named entries).
  case archive(BinaryArchive)
  /// Unsigned 16-bit integers (sparsity pattern indices of layers with at most 65,536 columns).
  case uint16s([UInt16])

  /// The name of the type, used in error messages.
  public var typeName: String {
    switch self {
    case .floats: "[Float]"
    case .doubles: "[Double]"
    case .int32s: "[Int32]"
    case .uint64s: "[UInt64]"
    case .bytes: "[UInt8]"
    case .int: "Int"
    case .double: "Double"
    case .bool: "Bool"
    case .string: "String"
    case .archive: "archive"
    case .uint16s: "[UInt16]"
    }
  }

  var tag: UInt8 {
    switch self {
    case .floats: 1
    case .doubles: 2
    case .int32s: 3
    case .uint64s: 4
    case .bytes: 5
    case .int: 6
    case .double: 7
    case .bool: 8
    case .string: 9
    case .archive: 10
    case .uint16s: 11
    }
  }
}

/// A tree of named, typed entries with a versioned, checksummed binary encoding: the one binary format SparseRL
/// uses for checkpoints.
///
/// Entry names are unique within one level; nested archives give dotted paths (`critic.0.weight`) that
/// errors report. Floating-point values are stored as their bit patterns, so a round trip is bit-exact
/// (NaN payloads and signed zeros included).
///
/// ## Encoding (all integers little-endian)
/// | bytes | field |
/// |---|---|
/// | 8 | magic `SPRLARCH` |
/// | 4 | format version (`UInt32`, currently 1) |
/// | 8 | payload length in bytes (`UInt64`) |
/// | 4 | CRC32C of the payload (`UInt32`) |
/// | n | payload: one encoded archive |
///
/// An encoded archive is an entry count (`UInt32`) and then the entries sorted by name, each as: name
/// (`UInt32` byte length + UTF-8), type tag (`UInt8`), value. Arrays and strings are a `UInt64` element count
/// followed by the elements; `Int` is 8 bytes, `Double` its 8-byte bit pattern, `Bool` one byte (0 or 1),
/// a nested archive is encoded recursively. Sorting makes the bytes a function of the contents alone.
///
/// Decoding checks, in order: magic, version, the declared length against the data (truncation, trailing
/// bytes), the checksum, then the structure; each failure throws an `ArchiveError` naming it.
public struct BinaryArchive: Equatable, Sendable {
  /// The magic bytes that start every archive.
  public static let magic: [UInt8] = Array("SPRLARCH".utf8)
  /// The format version this build writes and reads.
  public static let formatVersion: UInt32 = 1
  /// Bytes before the payload: magic, version, length, checksum.
  public static let headerSize = 8 + 4 + 8 + 4
  /// The deepest nesting decoding accepts (a guard against corrupted or hostile data).
  public static let maximumDepth = 64

  /// The dotted path of this archive inside its root (empty for the root); used in error messages.
  public private(set) var path: String
  /// The entries by name.
  public private(set) var entries: [String: ArchiveValue]

  /// An empty archive.
  public init() {
    self.path = ""
    self.entries = [:]
  }

  /// Equal when the entries are equal (the path is not compared).
  public static func == (lhs: BinaryArchive, rhs: BinaryArchive) -> Bool { lhs.entries == rhs.entries }

  /// Entry names in sorted (encoding) order.
  public var names: [String] { entries.keys.sorted() }

  /// The entry called `name`, or `nil`. Setting a nested archive re-roots its paths under this one.
  public subscript(name: String) -> ArchiveValue? {
    get { entries[name] }
    set {
      precondition(!name.isEmpty, "archive entry names must not be empty")
      if case .archive(var nested)? = newValue {
        nested.reroot(at: qualified(name))
        entries[name] = .archive(nested)
      } else {
        entries[name] = newValue
      }
    }
  }

  /// Whether an entry called `name` exists.
  public func contains(_ name: String) -> Bool { entries[name] != nil }

  /// The dotted path of an entry of this archive.
  public func qualified(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

  private mutating func reroot(at newPath: String) {
    path = newPath
    for (name, value) in entries {
      if case .archive(var nested) = value {
        nested.reroot(at: qualified(name))
        entries[name] = .archive(nested)
      }
    }
  }

  // MARK: Typed access

  /// The value of a required entry.
  public func value(_ name: String) throws -> ArchiveValue {
    guard let value = entries[name] else { throw ArchiveError.missingEntry(qualified(name)) }
    return value
  }

  private func mismatch(_ name: String, _ expected: String, _ found: ArchiveValue) -> ArchiveError {
    .typeMismatch(entry: qualified(name), expected: expected, found: found.typeName)
  }

  private func checkCount(_ name: String, _ count: Int, _ expected: Int?) throws {
    if let expected, expected != count {
      throw ArchiveError.shapeMismatch(
        entry: qualified(name), expected: "\(expected) elements", found: "\(count) elements")
    }
  }

  /// A `[Float]` entry, optionally checked to have `count` elements.
  public func floats(_ name: String, count: Int? = nil) throws -> [Float] {
    let value = try value(name)
    guard case .floats(let array) = value else { throw mismatch(name, "[Float]", value) }
    try checkCount(name, array.count, count)
    return array
  }

  /// A `[Double]` entry, optionally checked to have `count` elements.
  public func doubles(_ name: String, count: Int? = nil) throws -> [Double] {
    let value = try value(name)
    guard case .doubles(let array) = value else { throw mismatch(name, "[Double]", value) }
    try checkCount(name, array.count, count)
    return array
  }

  /// An `[Int32]` entry, optionally checked to have `count` elements.
  public func int32s(_ name: String, count: Int? = nil) throws -> [Int32] {
    let value = try value(name)
    guard case .int32s(let array) = value else { throw mismatch(name, "[Int32]", value) }
    try checkCount(name, array.count, count)
    return array
  }

  /// A `[UInt16]` entry, optionally checked to have `count` elements.
  public func uint16s(_ name: String, count: Int? = nil) throws -> [UInt16] {
    let value = try value(name)
    guard case .uint16s(let array) = value else { throw mismatch(name, "[UInt16]", value) }
    try checkCount(name, array.count, count)
    return array
  }

  /// A `[UInt64]` entry, optionally checked to have `count` elements.
  public func uint64s(_ name: String, count: Int? = nil) throws -> [UInt64] {
    let value = try value(name)
    guard case .uint64s(let array) = value else { throw mismatch(name, "[UInt64]", value) }
    try checkCount(name, array.count, count)
    return array
  }

  /// A `[UInt8]` entry, optionally checked to have `count` elements.
  public func bytes(_ name: String, count: Int? = nil) throws -> [UInt8] {
    let value = try value(name)
    guard case .bytes(let array) = value else { throw mismatch(name, "[UInt8]", value) }
    try checkCount(name, array.count, count)
    return array
  }

  /// An `Int` entry.
  public func int(_ name: String) throws -> Int {
    let value = try value(name)
    guard case .int(let x) = value else { throw mismatch(name, "Int", value) }
    return x
  }

  /// A `Double` entry.
  public func double(_ name: String) throws -> Double {
    let value = try value(name)
    guard case .double(let x) = value else { throw mismatch(name, "Double", value) }
    return x
  }

  /// A `Bool` entry.
  public func bool(_ name: String) throws -> Bool {
    let value = try value(name)
    guard case .bool(let x) = value else { throw mismatch(name, "Bool", value) }
    return x
  }

  /// A `String` entry.
  public func string(_ name: String) throws -> String {
    let value = try value(name)
    guard case .string(let x) = value else { throw mismatch(name, "String", value) }
    return x
  }

  /// A nested archive entry.
  public func archive(_ name: String) throws -> BinaryArchive {
    let value = try value(name)
    guard case .archive(let x) = value else { throw mismatch(name, "archive", value) }
    return x
  }

  // MARK: Encoding

  /// The complete encoding: header (magic, version, length, CRC32C) and payload.
  public func encoded() -> [UInt8] {
    var payload = ByteWriter()
    encodeBody(into: &payload)
    var out = ByteWriter()
    out.bytes.reserveCapacity(Self.headerSize + payload.bytes.count)
    out.append(contentsOf: Self.magic)
    out.append(Self.formatVersion)
    out.append(UInt64(payload.bytes.count))
    out.append(CRC32C.checksum(payload.bytes))
    out.append(contentsOf: payload.bytes)
    return out.bytes
  }

  private func encodeBody(into out: inout ByteWriter) {
    out.append(UInt32(entries.count))
    for name in names {
      let value = entries[name]!
      out.appendString32(name)
      out.append(value.tag)
      switch value {
      case .floats(let a): out.appendArray(a)
      case .doubles(let a): out.appendArray(a)
      case .int32s(let a): out.appendArray(a)
      case .uint16s(let a): out.appendArray(a)
      case .uint64s(let a): out.appendArray(a)
      case .bytes(let a): out.appendArray(a)
      case .int(let x): out.append(Int64(x))
      case .double(let x): out.append(x.bitPattern)
      case .bool(let x): out.append(UInt8(x ? 1 : 0))
      case .string(let s): out.appendArray(Array(s.utf8))
      case .archive(let nested): nested.encodeBody(into: &out)
      }
    }
  }

  // MARK: Decoding

  /// Decodes a complete encoding (as produced by `encoded()`), checking magic, version, length and checksum.
  public init(decoding data: [UInt8]) throws {
    let magicCount = Self.magic.count
    let prefix = Array(data.prefix(magicCount))
    guard prefix == Array(Self.magic.prefix(prefix.count)) else { throw ArchiveError.badMagic(found: prefix) }
    var reader = ByteReader(bytes: data)
    _ = try reader.take(magicCount, "magic bytes")
    let version: UInt32 = try reader.read("format version")
    guard version == Self.formatVersion else {
      throw ArchiveError.unsupportedVersion(found: version, supported: Self.formatVersion)
    }
    let length: UInt64 = try reader.read("payload length")
    let storedCRC: UInt32 = try reader.read("payload checksum")
    let available = data.count - reader.offset
    guard length <= UInt64(available) else {
      throw ArchiveError.truncated(
        atByte: data.count, needed: Int(clamping: length), available: available, what: "payload")
    }
    guard length == UInt64(available) else { throw ArchiveError.trailingBytes(count: available - Int(length)) }
    let computedCRC = data.withUnsafeBytes { raw in
      var crc = CRC32C()
      crc.update(buffer: UnsafeRawBufferPointer(rebasing: raw[reader.offset...]))
      return crc.value
    }
    guard computedCRC == storedCRC else {
      throw ArchiveError.checksumMismatch(stored: storedCRC, computed: computedCRC)
    }
    self.init()
    try decodeBody(from: &reader, depth: 0)
    if reader.remaining > 0 { throw ArchiveError.trailingBytes(count: reader.remaining) }
  }

  private mutating func decodeBody(from reader: inout ByteReader, depth: Int) throws {
    guard depth < Self.maximumDepth else {
      throw ArchiveError.invalidValue(entry: path, reason: "nesting deeper than \(Self.maximumDepth) levels")
    }
    let count: UInt32 = try reader.read("entry count of '\(path)'")
    for _ in 0..<count {
      let name = try reader.readString32("entry name in '\(path)'")
      let entry = qualified(name)
      guard entries[name] == nil else { throw ArchiveError.duplicateEntry(entry) }
      let tagOffset = reader.offset
      let tag: UInt8 = try reader.read("type of '\(entry)'")
      let value: ArchiveValue
      switch tag {
      case 1: value = .floats(try reader.readArray(entry))
      case 2: value = .doubles(try reader.readArray(entry))
      case 3: value = .int32s(try reader.readArray(entry))
      case 11: value = .uint16s(try reader.readArray(entry))
      case 4: value = .uint64s(try reader.readArray(entry))
      case 5: value = .bytes(try reader.readArray(entry))
      case 6:
        let x: Int64 = try reader.read(entry)
        guard let int = Int(exactly: x) else {
          throw ArchiveError.invalidValue(entry: entry, reason: "\(x) does not fit Int")
        }
        value = .int(int)
      case 7:
        let bits: UInt64 = try reader.read(entry)
        value = .double(Double(bitPattern: bits))
      case 8:
        let byte: UInt8 = try reader.read(entry)
        guard byte <= 1 else { throw ArchiveError.invalidValue(entry: entry, reason: "Bool byte \(byte)") }
        value = .bool(byte == 1)
      case 9:
        let start = reader.offset
        let utf8: [UInt8] = try reader.readArray(entry)
        guard let string = String(validating: utf8, as: UTF8.self) else {
          throw ArchiveError.invalidString(atByte: start)
        }
        value = .string(string)
      case 10:
        var nested = BinaryArchive()
        nested.path = entry
        try nested.decodeBody(from: &reader, depth: depth + 1)
        value = .archive(nested)
      default:
        throw ArchiveError.unknownEntryType(tag: tag, entry: entry, atByte: tagOffset)
      }
      entries[name] = value
    }
  }
}

/// Appends little-endian fields to a byte array.
struct ByteWriter {
  var bytes: [UInt8] = []

  mutating func append(contentsOf other: [UInt8]) { bytes.append(contentsOf: other) }

  mutating func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func appendString32(_ string: String) {
    let utf8 = Array(string.utf8)
    append(UInt32(utf8.count))
    bytes.append(contentsOf: utf8)
  }

  /// A `UInt64` element count, then the elements' little-endian bytes.
  mutating func appendArray<T: ArchiveScalar>(_ array: [T]) {
    append(UInt64(array.count))
    array.withUnsafeBytes { bytes.append(contentsOf: $0) }
  }
}

/// Reads little-endian fields from a byte array, throwing `ArchiveError.truncated` past its end.
struct ByteReader {
  let bytes: [UInt8]
  var offset = 0

  var remaining: Int { bytes.count - offset }

  mutating func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
    guard count <= remaining else {
      throw ArchiveError.truncated(atByte: offset, needed: count, available: remaining, what: what)
    }
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }

  mutating func read<T: FixedWidthInteger>(_ what: String) throws -> T {
    let slice = try take(MemoryLayout<T>.size, what)
    var value = T.zero
    withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
    return T(littleEndian: value)
  }

  mutating func readString32(_ what: String) throws -> String {
    let start = offset
    let length: UInt32 = try read(what)
    let slice = try take(Int(length), what)
    guard let string = String(validating: slice, as: UTF8.self) else { throw ArchiveError.invalidString(atByte: start) }
    return string
  }

  mutating func readArray<T: ArchiveScalar>(_ what: String) throws -> [T] {
    let countOffset = offset
    let count: UInt64 = try read("element count of '\(what)'")
    let size = MemoryLayout<T>.size
    guard count <= UInt64(remaining / size) else {
      throw ArchiveError.truncated(
        atByte: countOffset + 8,
        needed: Int(clamping: count.multipliedReportingOverflow(by: UInt64(size)).partialValue),
        available: remaining, what: "'\(what)' (\(count) elements)")
    }
    let slice = try take(Int(count) * size, what)
    var array = [T](repeating: T.zeroValue, count: Int(count))
    array.withUnsafeMutableBytes { $0.copyBytes(from: slice) }
    return array
  }
}

#if !_endian(little)
  #error("BinaryArchive copies array elements as raw bytes and assumes a little-endian host")
#endif

/// Element types of archive arrays: fixed-size values stored as their little-endian bit patterns.
protocol ArchiveScalar {
  static var zeroValue: Self { get }
}

extension Float: ArchiveScalar { static var zeroValue: Float { 0 } }
extension Double: ArchiveScalar { static var zeroValue: Double { 0 } }
extension Int32: ArchiveScalar { static var zeroValue: Int32 { 0 } }
extension UInt16: ArchiveScalar { static var zeroValue: UInt16 { 0 } }
extension UInt64: ArchiveScalar { static var zeroValue: UInt64 { 0 } }
extension UInt8: ArchiveScalar { static var zeroValue: UInt8 { 0 } }
