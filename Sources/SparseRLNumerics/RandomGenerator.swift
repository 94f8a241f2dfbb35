/// A seedable pseudo-random generator (xoshiro256**) whose complete state can be saved and restored
/// exactly, and split into independent streams for separate components (environment, exploration,
/// replay sampling, initialisation, topology updates).
///
/// Streams are derived by hashing the parent seed with a label through SplitMix64, so adding a new
/// component never changes the numbers another component sees.
public struct RandomGenerator: RandomNumberGenerator, Equatable, Sendable, Codable {
  private enum CodingKeys: String, CodingKey { case seed, state }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      seed: container.decode(UInt64.self, forKey: .seed), state: container.decode([UInt64].self, forKey: .state))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(seed, forKey: .seed)
    try container.encode(state, forKey: .state)
  }

  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// The four 64-bit words of xoshiro256** state. Saving and restoring them reproduces the stream.
  public var state: [UInt64] { [s0, s1, s2, s3] }
  /// The seed this generator was created from (used to derive child streams).
  public let seed: UInt64

  /// A generator seeded with `seed`.
  public init(seed: UInt64) {
    self.seed = seed
    var mixer = SplitMix64(state: seed)
    s0 = mixer.next()
    s1 = mixer.next()
    s2 = mixer.next()
    s3 = mixer.next()
    if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
  }

  /// Restores a generator from a saved `state` (four words, not all zero).
  public init(seed: UInt64, state: [UInt64]) throws {
    guard state.count == 4, !state.allSatisfy({ $0 == 0 }) else {
      throw RandomGeneratorError.invalidState(state)
    }
    self.seed = seed
    (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
  }

  /// An independent generator for the component named `label`. Deterministic in (seed, label) and
  /// independent of how many numbers this generator has already produced.
  public func stream(_ label: String) -> RandomGenerator {
    // FNV-1a over the UTF-8 label, mixed with the seed.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in label.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    var mixer = SplitMix64(state: seed ^ hash)
    return RandomGenerator(seed: mixer.next())
  }

  /// The next 64 random bits.
  @inlinable public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform `Float` in [0, 1) with 24 random bits.
  @inlinable public mutating func nextFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  @inlinable public mutating func nextDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform `Float` in [low, high).
  @inlinable public mutating func uniform(_ low: Float, _ high: Float) -> Float {
    low + (high - low) * nextFloat()
  }

  /// A uniform `Double` in [low, high).
  @inlinable public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * nextDouble()
  }

  /// A standard normal sample (Box-Muller on two fresh uniforms; no cached second value, so the state
  /// is exactly the four words).
  @inlinable public mutating func normal() -> Double {
    let u1 = 1.0 - nextDouble()  // (0, 1]
    let u2 = nextDouble()
    return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
  }

  /// A normal sample with the given mean and standard deviation, as `Float`.
  @inlinable public mutating func normal(mean: Float = 0, standardDeviation: Float = 1) -> Float {
    mean + standardDeviation * Float(normal())
  }

  /// A uniform integer in 0..<upperBound (unbiased).
  @inlinable public mutating func integer(below upperBound: Int) -> Int {
    precondition(upperBound > 0, "integer(below:) needs a positive bound")
    return Int(next(upperBound: UInt64(upperBound)))
  }
}

/// Errors from restoring a generator.
public enum RandomGeneratorError: Error, CustomStringConvertible {
  /// The saved words cannot be a generator's state (not four words, or all zero).
  case invalidState([UInt64])
  public var description: String {
    "invalid random generator state \(self): expected four words, not all zero"
  }
}

/// SplitMix64, used only to expand seeds into xoshiro state.
@usableFromInline struct SplitMix64 {
  @usableFromInline var state: UInt64
  @usableFromInline init(state: UInt64) { self.state = state }
  @usableFromInline mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

#if canImport(Glibc)
  import Glibc
  @usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
  import Darwin
  @usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
