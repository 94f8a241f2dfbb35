import SparseRLEnvironments
import SparseRLNumerics

/// Fixed-capacity storage of observation vectors of one width, as compact as the observation space allows:
/// `.bool` spaces (MinAtar frames) as bits, `.uint8` spaces as bytes, everything else as `Float`; stacks of byte
/// frames (`[stack, height, width]` uint8, e.g. Atari through `FrameStackObservation`) as `.frames`, each frame once
/// (see `FrameStackStorage`).
///
/// Memory: `capacity * width` bits, bytes or floats, allocated once; `.frames` about `capacity * width / stack`
/// bytes. A replay buffer grows its storage by replacing it with a larger one (`relaid(live:capacity:)`).
public struct ObservationStorage: Sendable {
  /// How values are kept.
  public enum Encoding: String, Sendable, Codable {
    /// One `Float` per element.
    case float
    /// One byte per element (`uint8` spaces).
    case byte
    /// One bit per element (`bool` spaces).
    case bit
    /// Atari frames stored once and shared between stacked observations.
    case frames
    /// The encoding for a space's element type.
    public init(_ elementType: ElementType) {
      switch elementType {
      case .bool: self = .bit
      case .uint8: self = .byte
      case .float32, .float64: self = .float
      }
    }

    /// The encoding for a box: `.frames` for stacks of byte frames (`[stack > 1, height, width]` uint8), else the
    /// encoding of its element type.
    public init(_ box: BoxSpace) {
      self = box.elementType == .uint8 && box.shape.count == 3 && box.shape[0] > 1 ? .frames : .init(box.elementType)
    }
  }

  /// Elements per observation.
  public let width: Int
  /// Number of observations it holds.
  public internal(set) var capacity: Int
  /// How values are kept.
  public let encoding: Encoding
  var floats: [Float]
  var bytes: [UInt8]
  var words: [UInt64]
  var frames: FrameStackStorage?
  let wordsPerRow: Int
  /// Frames per observation (`.frames`; 1 otherwise).
  let stack: Int

  /// Storage for `capacity` observations of `width` elements; `.frames` needs the number of frames per
  /// observation, `stack`.
  public init(width: Int, capacity: Int, encoding: Encoding, stack: Int = 1) {
    precondition(width > 0 && capacity > 0, "observation storage needs positive width and capacity")
    self.width = width
    self.capacity = capacity
    self.encoding = encoding
    self.stack = stack
    wordsPerRow = (width + 63) / 64
    floats = encoding == .float ? [Float](repeating: 0, count: width * capacity) : []
    bytes = encoding == .byte ? [UInt8](repeating: 0, count: width * capacity) : []
    words = encoding == .bit ? [UInt64](repeating: 0, count: wordsPerRow * capacity) : []
    frames = encoding == .frames ? FrameStackStorage(stack: stack, width: width, capacity: capacity) : nil
  }

  /// Bytes used by the stored values.
  public var byteCount: Int { floats.count * 4 + bytes.count + words.count * 8 + (frames?.byteCount ?? 0) }

  /// Bytes of the arrays' heap allocations as the arrays report them (`capacity`, which includes the
  /// allocator's rounding), headers excluded.
  var allocatedByteCount: Int {
    floats.capacity * 4 + bytes.capacity + words.capacity * 8 + (frames?.allocatedByteCount ?? 0)
  }

  /// Bytes `slots` consecutive stored observations need in this encoding (for `.frames`: their frames, the
  /// frames the oldest one refers back to, the bookkeeping and the observations kept whole).
  func liveByteCount(slots: Int) -> Int {
    switch encoding {
    case .float: return slots * width * 4
    case .byte: return slots * width
    case .bit: return slots * wordsPerRow * 8
    case .frames: return frames!.liveByteCount(slots: slots)
    }
  }

  /// Bytes of one observation in its space's own element type (float32: 4 per element; uint8 and bool: 1).
  var rawObservationByteCount: Int { encoding == .float ? width * 4 : width }

  /// This storage as `newCapacity` slots: the observations of the absolute slot indices `live` move from slot
  /// `a % capacity` to `a % newCapacity`.
  func relaid(live: Range<Int>, capacity newCapacity: Int) -> ObservationStorage {
    var result = self
    result.capacity = newCapacity
    switch encoding {
    case .float:
      result.floats = RingLayout.relaid(floats, width: width, live: live, from: capacity, to: newCapacity, empty: 0)
    case .byte:
      result.bytes = RingLayout.relaid(bytes, width: width, live: live, from: capacity, to: newCapacity, empty: 0)
    case .bit:
      result.words = RingLayout.relaid(
        words, width: wordsPerRow, live: live, from: capacity, to: newCapacity, empty: 0)
    case .frames:
      result.frames = frames!.relaid(live: live, capacity: newCapacity)
    }
    return result
  }

  /// Stores `observation` in `slot`. Traps with a message if a value cannot be encoded (a non-binary value in
  /// bit storage, a non-integer or out-of-range value in byte storage).
  public mutating func write(_ observation: [Float], at slot: Int) {
    precondition(observation.count == width, "observation has \(observation.count) values, storage expects \(width)")
    switch encoding {
    case .float:
      let base = slot * width
      for j in 0..<width { floats[base + j] = observation[j] }
    case .byte:
      let base = slot * width
      for j in 0..<width {
        let v = observation[j]
        precondition(v >= 0 && v <= 255 && v == v.rounded(), "observation value \(v) is not a byte")
        bytes[base + j] = UInt8(v)
      }
    case .bit:
      let base = slot * wordsPerRow
      for w in 0..<wordsPerRow { words[base + w] = 0 }
      for j in 0..<width {
        let v = observation[j]
        precondition(v == 0 || v == 1, "observation value \(v) is not binary")
        if v == 1 { words[base + j >> 6] |= 1 << UInt64(j & 63) }
      }
    case .frames:
      frames!.write(observation, at: slot)
    }
  }

  /// The observation in `slot`.
  public func read(_ slot: Int) -> [Float] {
    var result = [Float](repeating: 0, count: width)
    result.withUnsafeMutableBufferPointer { copy(slot, into: $0, column: 0, columns: 1) }
    return result
  }

  /// Writes the observation in `slot` as column `column` of a feature-major `[width x columns]` buffer.
  public func copy(_ slot: Int, into destination: UnsafeMutableBufferPointer<Float>, column: Int, columns: Int) {
    switch encoding {
    case .float:
      let base = slot * width
      for j in 0..<width { destination[j * columns + column] = floats[base + j] }
    case .byte:
      let base = slot * width
      for j in 0..<width { destination[j * columns + column] = Float(bytes[base + j]) }
    case .bit:
      let base = slot * wordsPerRow
      for j in 0..<width {
        destination[j * columns + column] = (words[base + j >> 6] >> UInt64(j & 63)) & 1 == 1 ? 1 : 0
      }
    case .frames:
      frames!.copy(slot, into: destination, column: column, columns: columns)
    }
  }
}
