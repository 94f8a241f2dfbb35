/// A minimal protocol-buffers encoder (wire format: varints, length-delimited fields, 32-bit floats), enough to
/// write the handful of ONNX messages `ONNXPolicyExport` needs. Fields are written in the order given; repeated
/// scalars unpacked (what proto2 parsers expect by default, and every parser accepts).
struct ProtobufWriter {
  private(set) var bytes: [UInt8] = []

  private mutating func varint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(v & 0x7f) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  private mutating func key(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

  /// An `int32`/`int64`/enum field (negative values as 10-byte two's complement, as protobuf does).
  mutating func int(_ field: Int, _ value: Int) {
    key(field, wireType: 0)
    varint(UInt64(bitPattern: Int64(value)))
  }

  /// Each value as its own `int64` field (a repeated field, unpacked).
  mutating func ints(_ field: Int, _ values: [Int]) { for value in values { int(field, value) } }

  /// A `float` field.
  mutating func float(_ field: Int, _ value: Float) {
    key(field, wireType: 5)
    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  }

  /// A `bytes` field.
  mutating func data(_ field: Int, _ value: [UInt8]) {
    key(field, wireType: 2)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A `string` field (UTF-8).
  mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }

  /// An embedded message field.
  mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
    var nested = ProtobufWriter()
    build(&nested)
    data(field, nested.bytes)
  }
}
