/// Ring storage with `width` values per slot, where absolute slot index `a` lives in slot `a % slots`: how the
/// replay storage moves its live slots into a larger ring when it grows (`ReplayBuffer`).
enum RingLayout {
  /// The number of slots after a ring of `slots` slots fills up: a sixth more (at least one), at most `capacity`,
  /// so that the storage stays below 7/6 of the slots it holds (1.2x with the allocator's rounding), and growing
  /// costs amortised O(1) per slot (each slot is moved about 6 times on the way to a large capacity).
  static func grownSlotCount(_ slots: Int, capacity: Int) -> Int { min(capacity, max(slots + 1, slots + slots / 6)) }

  /// `values`, a ring of `from` slots, laid out as a ring of `to` slots: the slots of the absolute indices `live`
  /// (at most `min(from, to)` of them) move from `a % from` to `a % to`; every other slot holds `empty`.
  /// O(`to * width`).
  static func relaid<T>(_ values: [T], width: Int, live: Range<Int>, from: Int, to: Int, empty: T) -> [T] {
    precondition(live.count <= min(from, to), "\(live.count) live slots do not fit a ring of \(min(from, to))")
    var result = [T](repeating: empty, count: to * width)
    values.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        for a in live {
          let (s, d) = ((a % from) * width, (a % to) * width)
          for k in 0..<width { destination[d + k] = source[s + k] }
        }
      }
    }
    return result
  }
}
