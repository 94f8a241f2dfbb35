import SparseRLNumerics

/// The six actions every MinAtar game accepts, numbered as the reference's `action_map`
/// (`['n','l','u','r','d','f']`).
public enum MinAtarAction: Int, CaseIterable, Codable, Sendable {
  /// Do nothing.
  case noop = 0
  /// Move left.
  case left
  /// Move up.
  case up
  /// Move right.
  case right
  /// Move down.
  case down
  /// Fire (in games without a fire action, the same as no-op).
  case fire
}

/// The source of the random numbers a game draws, mirroring the two NumPy `RandomState` calls the reference
/// games make. The environment passes its `RandomGenerator`; parity tests pass scripted draws.
public protocol MinAtarRandomSource {
  /// A uniform number in [0, 1) (NumPy's `rand()`).
  mutating func uniform() -> Double
  /// A uniform integer in `range` (NumPy's `randint(low, high)`); `range` is never empty.
  mutating func integer(in range: Range<Int>) -> Int
}

extension RandomGenerator: MinAtarRandomSource {
  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double { nextDouble() }

  /// A uniform integer in `range` (unbiased).
  public mutating func integer(in range: Range<Int>) -> Int {
    precondition(!range.isEmpty, "integer(in:) needs a non-empty range")
    return range.lowerBound + integer(below: range.count)
  }
}

/// What one game step returns: the reward (an integer in every MinAtar game) and whether the game is over.
public struct MinAtarOutcome: Equatable, Sendable {
  /// The reward of the step.
  public var reward: Int
  /// Whether the game is over.
  public var terminal: Bool
  /// An outcome.
  public init(reward: Int, terminal: Bool) {
    self.reward = reward
    self.terminal = terminal
  }
}

/// One MinAtar game's rules and complete state, as the reference package's `minatar.environments.<game>.Env`.
///
/// The state is a value: copying a game copies the game exactly. `Codable` uses the reference's attribute
/// names (e.g. `ball_x`, `brick_map`), with NumPy grids as nested `[[0/1]]` rows and entity lists as arrays,
/// so a state can be moved to and from the Python reference verbatim.
public protocol MinAtarGame: Equatable, Codable, Sendable {
  /// The reference's module name, e.g. `space_invaders`.
  static var referenceName: String { get }
  /// The name in registered ids, e.g. `SpaceInvaders`.
  static var displayName: String { get }
  /// Observation channels, in the reference's channel order.
  static var channelNames: [String] { get }
  /// The reference's `minimal_action_set()`.
  static var minimalActionSet: [MinAtarAction] { get }

  /// A game in its start state (`reset` drawn from `random`). `ramping` is ignored by games without a ramp.
  init(ramping: Bool, random: inout some MinAtarRandomSource)
  /// Returns to the start state (the reference's `reset()`).
  mutating func reset(random: inout some MinAtarRandomSource)
  /// Advances one frame (the reference's `act(a)`); a terminal game returns reward 0 and stays terminal.
  mutating func act(_ action: MinAtarAction, random: inout some MinAtarRandomSource)
    -> MinAtarOutcome
  /// Sets the game's cells in `observation`, a zeroed channel-major `[C, 10, 10]` buffer.
  func render(into observation: inout MinAtarObservation)
  /// Whether the game is over.
  var isTerminal: Bool { get }
  /// The reference's `difficulty_ramp()`: the ramp level, `nil` for games without a ramp.
  var difficultyRamp: Int? { get }
  /// Appends the complete state as integers (for `Environment.saveState`).
  func write(to writer: inout IntegerStateWriter)
  /// Reads a state written by `write(to:)`.
  init(from reader: inout IntegerStateReader) throws
}

extension MinAtarGame {
  /// Number of observation channels.
  public static var channelCount: Int { channelNames.count }

  /// The observation of the current state: channel-major `[C, 10, 10]` zeros and ones.
  public var observation: [Float] {
    var observation = MinAtarObservation(channels: Self.channelCount)
    render(into: &observation)
    return observation.values
  }
}

/// A channel-major `[C, 10, 10]` binary image: cell (y, x) of channel c is `values[(c * 10 + y) * 10 + x]`.
///
/// The reference's `state()` is `[10, 10, C]` (index `[y, x, c]`); this is its transpose `(2, 0, 1)`, the layout
/// convolution layers consume.
public struct MinAtarObservation: Equatable, Sendable {
  /// Grid side.
  public static let side = 10
  /// The cells, channel-major.
  public private(set) var values: [Float]
  /// Number of channels.
  public let channels: Int

  /// All zeros.
  public init(channels: Int) {
    self.channels = channels
    values = Array(repeating: 0, count: channels * Self.side * Self.side)
  }

  /// Sets cell (`y`, `x`) of `channel`. Coordinates must lie on the grid.
  public mutating func set(channel: Int, y: Int, x: Int) {
    precondition(
      (0..<channels).contains(channel) && (0..<Self.side).contains(y)
        && (0..<Self.side).contains(x),
      "MinAtar cell (channel \(channel), y \(y), x \(x)) is outside the \(channels)x10x10 observation"
    )
    values[(channel * Self.side + y) * Self.side + x] = 1
  }

  /// Sets every cell of `channel` that is set in `grid`.
  public mutating func set(channel: Int, from grid: MinAtarGrid) {
    for y in 0..<Self.side {
      for x in 0..<Self.side where grid[y, x] { set(channel: channel, y: y, x: x) }
    }
  }
}
