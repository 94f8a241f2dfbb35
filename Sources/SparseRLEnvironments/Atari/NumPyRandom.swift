/// NumPy's `SeedSequence` (numpy/random/bit_generator.pyx), restricted to what seeding an Atari environment uses:
/// an integer entropy, no spawn key, a pool of four 32-bit words.
///
/// ale-py's `AtariEnv.seed_game(seed)` draws two words from `SeedSequence(seed)`: the first seeds the
/// environment's NumPy generator (`np_random`, used by Gymnasium's `AtariPreprocessing` for its no-op count), the
/// second is ALE's `random_seed` (sticky actions and the game's randomness). Reproducing it gives `reset(seed:)`
/// exactly the seeding of the Python reference.
public struct NumPySeedSequence: Sendable {
  private static let initA: UInt32 = 0x43b0_d7e5
  private static let multA: UInt32 = 0x931e_8875
  private static let initB: UInt32 = 0x8b51_f9dd
  private static let multB: UInt32 = 0x58f3_8ded
  private static let mixMultL: UInt32 = 0xca01_f9dd
  private static let mixMultR: UInt32 = 0x4973_f715
  private static let poolSize = 4

  /// The mixed entropy pool.
  public let pool: [UInt32]

  /// The sequence of the integer `entropy` (split into 32-bit words, least significant first, as NumPy does).
  public init(entropy: UInt64) {
    var words: [UInt32] = []
    var rest = entropy
    repeat {
      words.append(UInt32(truncatingIfNeeded: rest))
      rest >>= 32
    } while rest > 0
    var hashConstant = Self.initA
    func hashmix(_ value: UInt32) -> UInt32 {
      var value = value ^ hashConstant
      hashConstant = hashConstant &* Self.multA
      value = value &* hashConstant
      return value ^ (value >> 16)
    }
    func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
      let result = Self.mixMultL &* x &- Self.mixMultR &* y
      return result ^ (result >> 16)
    }
    var mixer = (0..<Self.poolSize).map { hashmix($0 < words.count ? words[$0] : 0) }
    for source in 0..<Self.poolSize {
      for destination in 0..<Self.poolSize where source != destination {
        mixer[destination] = mix(mixer[destination], hashmix(mixer[source]))
      }
    }
    for source in Self.poolSize..<max(Self.poolSize, words.count) {
      for destination in 0..<Self.poolSize {
        mixer[destination] = mix(mixer[destination], hashmix(words[source]))
      }
    }
    pool = mixer
  }

  /// `generate_state(count)` as 32-bit words.
  public func generateState(_ count: Int) -> [UInt32] {
    var hashConstant = Self.initB
    return (0..<count).map { i in
      var value = pool[i % pool.count] ^ hashConstant
      hashConstant = hashConstant &* Self.multB
      value = value &* hashConstant
      return value ^ (value >> 16)
    }
  }

  /// `generate_state(count, np.uint64)`: pairs of 32-bit words, low word first.
  public func generateState64(_ count: Int) -> [UInt64] {
    let words = generateState(2 * count)
    return (0..<count).map { UInt64(words[2 * $0]) | UInt64(words[2 * $0 + 1]) << 32 }
  }
}

/// NumPy's default bit generator `PCG64` (128-bit LCG with the XSL-RR output) behind `np.random.Generator`, with
/// the one draw ale-py environments need: `integers(low, high)` for a range below 2^32 (Lemire's method on
/// 32-bit draws that split each 64-bit output, low half first, as NumPy's `random_bounded_uint64_fill` does).
public struct NumPyPCG64: Equatable, Sendable {
  private static let multiplier = UInt128(2_549_297_995_355_413_924) << 64 | UInt128(4_865_540_595_714_422_341)
  private var state: UInt128
  private var increment: UInt128
  private var bufferedHalf: UInt32?

  /// `np.random.PCG64(seed)` (that is, seeded from `SeedSequence(seed)`).
  public init(seed: UInt64) {
    let words = NumPySeedSequence(entropy: seed).generateState64(4)
    let initialState = UInt128(words[0]) << 64 | UInt128(words[1])
    let sequence = UInt128(words[2]) << 64 | UInt128(words[3])
    state = 0
    increment = sequence << 1 | 1
    step()
    state &+= initialState
    step()
  }

  private mutating func step() { state = state &* Self.multiplier &+ increment }

  /// The next 64-bit output.
  public mutating func next64() -> UInt64 {
    step()
    let folded = UInt64(truncatingIfNeeded: state >> 64) ^ UInt64(truncatingIfNeeded: state)
    return folded.rotateRight(by: Int(state >> 122))
  }

  /// The next 32-bit output: the low half of a 64-bit output, then its high half.
  public mutating func next32() -> UInt32 {
    if let half = bufferedHalf {
      bufferedHalf = nil
      return half
    }
    let next = next64()
    bufferedHalf = UInt32(truncatingIfNeeded: next >> 32)
    return UInt32(truncatingIfNeeded: next)
  }

  /// `Generator.integers(low, high)`: uniform in `low ..< high` (a range of fewer than 2^32 - 1 values).
  public mutating func integers(_ low: Int, _ high: Int) -> Int {
    precondition(high > low && high - low < Int(UInt32.max), "integers(\(low), \(high)): unsupported range")
    let range = UInt32(high - low - 1)
    guard range > 0 else { return low }
    let exclusive = UInt64(range) + 1
    var product = UInt64(next32()) * exclusive
    var leftover = UInt32(truncatingIfNeeded: product)
    if leftover < UInt32(exclusive) {
      let threshold = (UInt32.max - range) % UInt32(exclusive)
      while leftover < threshold {
        product = UInt64(next32()) * exclusive
        leftover = UInt32(truncatingIfNeeded: product)
      }
    }
    return low + Int(product >> 32)
  }

  /// The complete state as six integers (for `EnvironmentState`).
  public var savedWords: [Int] {
    [
      Int(truncatingIfNeeded: state >> 64), Int(truncatingIfNeeded: state),
      Int(truncatingIfNeeded: increment >> 64), Int(truncatingIfNeeded: increment),
      bufferedHalf == nil ? 0 : 1, Int(bufferedHalf ?? 0),
    ]
  }

  /// A generator restored from `savedWords`; nil when the words are not a valid state.
  public init?(savedWords words: [Int]) {
    guard words.count == 6, words[4] == 0 || words[4] == 1, (0...Int(UInt32.max)).contains(words[5]),
      UInt64(bitPattern: Int64(words[3])) & 1 == 1
    else { return nil }
    func joined(_ high: Int, _ low: Int) -> UInt128 {
      UInt128(UInt64(bitPattern: Int64(high))) << 64 | UInt128(UInt64(bitPattern: Int64(low)))
    }
    state = joined(words[0], words[1])
    increment = joined(words[2], words[3])
    bufferedHalf = words[4] == 1 ? UInt32(words[5]) : nil
  }
}

extension UInt64 {
  fileprivate func rotateRight(by count: Int) -> UInt64 {
    let k = UInt64(count & 63)
    return k == 0 ? self : (self >> k) | (self << (64 - k))
  }
}
