import SparseRLNumerics

/// Observations that are stacks of consecutive frames (`FrameStackObservation`: `[stack, height, width]` bytes,
/// oldest frame first), stored so that each frame is kept once: Dopamine's replay layout, which holds 1M Atari
/// transitions in about 7 GB (1M x 84 x 84 bytes) instead of 28 GB.
///
/// Layout: the newest frame of the observation written `a`-th (`a` counts writes) is row `a % rows` of `frameRows`,
/// with `rows = capacity + stack - 1`, so the newest frames of the last `rows` observations are kept. Each slot
/// records, per stack position, which earlier observation's newest frame it is (an age `d` in `0 ..< stack`: the
/// newest frame of observation `a - d`). A new observation reuses the previous observation's frames when its older
/// frames equal them byte for byte (the frames shift by one within an episode) and its own newest frame for equal
/// frames (the reset padding of `FrameStackObservation`); any other observation is kept whole in `whole` (correct
/// for every input, compact for frame stacks). Since slots are written in ring order and a live slot is at most
/// `capacity - 1` writes old, every frame it refers to is within the last `rows` writes.
///
/// Memory: `rows * frameWidth` bytes plus `capacity * (stack + 8)` bytes of bookkeeping.
struct FrameStackStorage: Sendable {
  static let wholeMarker: UInt8 = 255

  let stack: Int
  let frameWidth: Int
  let capacity: Int
  var rows: Int { capacity + stack - 1 }
  var frameRows: [UInt8]
  /// Per slot and stack position: the age of the observation whose newest frame it is, or `wholeMarker`.
  var ages: [UInt8]
  /// Per slot: the write number of the observation it holds (-1: never written).
  var writeNumbers: [Int]
  /// Observations that are not frame stacks of their predecessor, whole, by slot.
  var whole: [Int: [UInt8]] = [:]
  /// The number of observations written so far, and the slot of the last one.
  var writes = 0
  var lastSlot = -1

  init(stack: Int, width: Int, capacity: Int) {
    precondition(stack >= 1 && stack < Int(Self.wholeMarker) && width % stack == 0, "invalid frame stack layout")
    self.stack = stack
    frameWidth = width / stack
    self.capacity = capacity
    frameRows = [UInt8](repeating: 0, count: (capacity + stack - 1) * (width / stack))
    ages = [UInt8](repeating: 0, count: capacity * stack)
    writeNumbers = [Int](repeating: -1, count: capacity)
  }

  var byteCount: Int {
    frameRows.count + ages.count + writeNumbers.count * 8 + whole.values.reduce(0) { $0 + $1.count }
  }

  /// `byteCount` from the arrays' capacities (the allocator's rounding included).
  var allocatedByteCount: Int {
    frameRows.capacity + ages.capacity + writeNumbers.capacity * 8 + whole.values.reduce(0) { $0 + $1.capacity }
  }

  /// Bytes `slots` consecutive observations need in this layout: their newest frames and the `stack - 1` frames
  /// before the oldest, the per-slot bookkeeping, and the observations kept whole.
  func liveByteCount(slots: Int) -> Int {
    (slots + stack - 1) * frameWidth + slots * (stack + 8) + whole.values.reduce(0) { $0 + $1.count }
  }

  /// This storage as `newCapacity` slots (`newCapacity >= capacity`): the observation of absolute slot index `a`
  /// in `live` (its write number) moves from slot `a % capacity` to `a % newCapacity`, and the frames of the last
  /// `rows` writes from row `a % rows` to the new ring's row.
  func relaid(live: Range<Int>, capacity newCapacity: Int) -> FrameStackStorage {
    precondition(newCapacity >= capacity, "frame storage only grows")
    var result = FrameStackStorage(stack: stack, width: frameWidth * stack, capacity: newCapacity)
    for a in max(0, writes - rows)..<writes {
      let (source, destination) = (row(a) * frameWidth, result.row(a) * frameWidth)
      for k in 0..<frameWidth { result.frameRows[destination + k] = frameRows[source + k] }
    }
    for a in live {
      let (old, new) = (a % capacity, a % newCapacity)
      for position in 0..<stack { result.ages[new * stack + position] = ages[old * stack + position] }
      result.writeNumbers[new] = writeNumbers[old]
      result.whole[new] = whole[old]
      if old == lastSlot { result.lastSlot = new }
    }
    result.writes = writes
    return result
  }

  /// The row holding the newest frame of write number `a`.
  func row(_ a: Int) -> Int { a % rows }

  /// Whether frame `position` of `observation` equals the stored newest frame of write number `a`.
  private func frame(_ observation: [Float], _ position: Int, equalsRowOf a: Int) -> Bool {
    let base = row(a) * frameWidth
    let offset = position * frameWidth
    for k in 0..<frameWidth where Float(frameRows[base + k]) != observation[offset + k] { return false }
    return true
  }

  mutating func write(_ observation: [Float], at slot: Int) {
    let a = writes
    let newest = (stack - 1) * frameWidth
    let base = row(a) * frameWidth
    for k in 0..<frameWidth {
      let v = observation[newest + k]
      precondition(v >= 0 && v <= 255 && v == v.rounded(), "observation value \(v) is not a byte")
      frameRows[base + k] = UInt8(v)
    }
    writeNumbers[slot] = a
    whole[slot] = nil
    ages[slot * stack + stack - 1] = 0
    let previous = lastSlot >= 0 && writeNumbers[lastSlot] == a - 1 ? lastSlot : -1
    for position in 0..<(stack - 1) {
      var age: UInt8 = Self.wholeMarker
      if previous >= 0 {
        let previousAge = ages[previous * stack + position + 1]
        if previousAge != Self.wholeMarker && Int(previousAge) + 1 < stack
          && frame(observation, position, equalsRowOf: a - 1 - Int(previousAge))
        {
          age = previousAge + 1
        }
      }
      if age == Self.wholeMarker && frame(observation, position, equalsRowOf: a) { age = 0 }
      if age == Self.wholeMarker {
        whole[slot] = observation.map { UInt8($0) }
        break
      }
      ages[slot * stack + position] = age
    }
    if whole[slot] != nil {
      for position in 0..<stack { ages[slot * stack + position] = Self.wholeMarker }
    }
    writes += 1
    lastSlot = slot
  }

  /// Writes the observation in `slot` as column `column` of a feature-major `[width x columns]` buffer.
  func copy(_ slot: Int, into destination: UnsafeMutableBufferPointer<Float>, column: Int, columns: Int) {
    if let observation = whole[slot] {
      for j in 0..<observation.count { destination[j * columns + column] = Float(observation[j]) }
      return
    }
    let a = writeNumbers[slot]
    for position in 0..<stack {
      let base = row(a - Int(ages[slot * stack + position])) * frameWidth
      let offset = position * frameWidth
      for k in 0..<frameWidth { destination[(offset + k) * columns + column] = Float(frameRows[base + k]) }
    }
  }
}

extension FrameStackStorage {
  /// The stored observations of `slots` (the live slots, oldest first, written consecutively) in their compact
  /// form: the first write number, the frames they refer to, their ages, and the whole observations.
  func archive(_ slots: [Int], into archive: inout BinaryArchive) {
    let first = slots.first.map { writeNumbers[$0] } ?? 0
    let oldest = max(0, first - (stack - 1))
    var savedRows: [UInt8] = []
    for a in oldest..<(first + slots.count) {
      savedRows += frameRows[(row(a) * frameWidth)..<((row(a) + 1) * frameWidth)]
    }
    archive["frame_first_write"] = .int(first)
    archive["frame_rows"] = .bytes(savedRows)
    archive["frame_ages"] = .bytes(slots.flatMap { ages[($0 * stack)..<(($0 + 1) * stack)] })
    let wholeSlots = slots.indices.filter { whole[slots[$0]] != nil }
    archive["frame_whole_positions"] = .uint64s(wholeSlots.map { UInt64($0) })
    archive["frame_whole"] = .bytes(wholeSlots.flatMap { whole[slots[$0]]! })
  }

  /// Storage holding what `archive` saved for `slots`; throws for entries of the wrong size.
  static func load(
    _ archive: BinaryArchive, slots: [Int], stack: Int, width: Int, capacity: Int
  ) throws -> FrameStackStorage {
    var storage = FrameStackStorage(stack: stack, width: width, capacity: capacity)
    let first = try archive.int("frame_first_write")
    let oldest = max(0, first - (stack - 1))
    guard first >= 0 else {
      throw ArchiveError.invalidValue(entry: archive.qualified("frame_first_write"), reason: "negative: \(first)")
    }
    let rowCount = first + slots.count - oldest
    let savedRows = try archive.bytes("frame_rows", count: rowCount * storage.frameWidth)
    let savedAges = try archive.bytes("frame_ages", count: slots.count * stack)
    let positions = try archive.uint64s("frame_whole_positions").map { Int($0) }
    let savedWhole = try archive.bytes("frame_whole", count: positions.count * width)
    guard positions.allSatisfy({ $0 < slots.count }),
      savedAges.allSatisfy({ $0 == wholeMarker || Int($0) < min(stack, first + 1) })
    else {
      throw ArchiveError.invalidValue(
        entry: archive.qualified("frame_ages"), reason: "refers outside the stored frames")
    }
    for (k, a) in (oldest..<(first + slots.count)).enumerated() {
      let base = storage.row(a) * storage.frameWidth
      for j in 0..<storage.frameWidth { storage.frameRows[base + j] = savedRows[k * storage.frameWidth + j] }
    }
    for (k, slot) in slots.enumerated() {
      storage.writeNumbers[slot] = first + k
      for j in 0..<stack { storage.ages[slot * stack + j] = savedAges[k * stack + j] }
    }
    for (n, position) in positions.enumerated() {
      storage.whole[slots[position]] = Array(savedWhole[(n * width)..<((n + 1) * width)])
    }
    storage.writes = first + slots.count
    storage.lastSlot = slots.last ?? -1
    return storage
  }
}
