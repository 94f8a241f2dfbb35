/// MinAtar Freeway: a chicken in column 4 crosses eight lanes of cars (moving up and down only, at most once
/// every 3 frames). +1 per crossing, after which car speeds are re-drawn; a car hit sends the chicken back to
/// the bottom. Termination after 2,500 frames (the 2,501st step). Channels: chicken, car, and five trail
/// channels `speed1`...`speed5` whose index says how many frames a car waits between moves.
public struct Freeway: MinAtarGame {
  public static let referenceName = "freeway"
  public static let displayName = "Freeway"
  public static let channelNames = [
    "chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5",
  ]
  public static let minimalActionSet: [MinAtarAction] = [.noop, .up, .down]

  static let playerSpeed = 3
  static let timeLimit = 2500

  /// A car (the reference's `[x, y, timer, speed]`): `speed`'s sign is the direction, its magnitude the number of
  /// frames between moves.
  public struct Car: Equatable, Sendable, Codable {
    /// Column, row, frames until the next move, and signed speed.
    public var x: Int, y: Int, timer: Int, speed: Int

    /// A car from its fields.
    public init(x: Int, y: Int, timer: Int, speed: Int) {
      (self.x, self.y, self.timer, self.speed) = (x, y, timer, speed)
    }

    public init(from decoder: any Decoder) throws {
      var fields = try decoder.unkeyedContainer()
      (x, y, timer, speed) = try (
        fields.decode(Int.self), fields.decode(Int.self), fields.decode(Int.self),
        fields.decode(Int.self)
      )
    }

    public func encode(to encoder: any Encoder) throws {
      var fields = encoder.unkeyedContainer()
      for value in [x, y, timer, speed] { try fields.encode(value) }
    }
  }

  /// The cars, one per lane.
  public var cars: [Car] = []
  /// The chicken's row (it stays in column 4).
  public var position = 9
  /// Frames until the chicken can move again.
  public var moveTimer = Freeway.playerSpeed
  /// Frames until the game ends.
  public var terminateTimer = Freeway.timeLimit
  /// The game is over.
  public var terminal = false

  enum CodingKeys: String, CodingKey {
    case cars
    case position = "pos"
    case moveTimer = "move_timer"
    case terminateTimer = "terminate_timer"
    case terminal
  }

  public init(ramping: Bool = true, random: inout some MinAtarRandomSource) {
    reset(random: &random)
  }

  public mutating func reset(random: inout some MinAtarRandomSource) {
    cars = []
    randomizeCars(initialize: true, random: &random)
    position = 9
    moveTimer = Self.playerSpeed
    terminateTimer = Self.timeLimit
    terminal = false
  }

  /// Draws eight speeds in 1...5, then eight directions (NumPy's `sign(rand(8) - 0.5)`; an exact 0.5, which has
  /// probability 2^-53 and makes the reference crash on a zero speed, counts as positive here). Positions are
  /// reset only when initializing.
  private mutating func randomizeCars(initialize: Bool, random: inout some MinAtarRandomSource) {
    let magnitudes = (0..<8).map { _ in random.integer(in: 1..<6) }
    let directions = (0..<8).map { _ in random.uniform() - 0.5 < 0 ? -1 : 1 }
    for lane in 0..<8 {
      let speed = magnitudes[lane] * directions[lane]
      if initialize {
        cars.append(Car(x: 0, y: lane + 1, timer: abs(speed), speed: speed))
      } else {
        cars[lane].timer = abs(speed)
        cars[lane].speed = speed
      }
    }
  }

  public mutating func act(_ action: MinAtarAction, random: inout some MinAtarRandomSource)
    -> MinAtarOutcome
  {
    guard !terminal else { return MinAtarOutcome(reward: 0, terminal: true) }
    var reward = 0
    if action == .up && moveTimer == 0 {
      moveTimer = Self.playerSpeed
      position = max(0, position - 1)
    } else if action == .down && moveTimer == 0 {
      moveTimer = Self.playerSpeed
      position = min(9, position + 1)
    }

    if position == 0 {
      reward += 1
      randomizeCars(initialize: false, random: &random)
      position = 9
    }

    for lane in cars.indices {
      if cars[lane].x == 4 && cars[lane].y == position { position = 9 }
      if cars[lane].timer == 0 {
        cars[lane].timer = abs(cars[lane].speed)
        cars[lane].x += cars[lane].speed > 0 ? 1 : -1
        if cars[lane].x < 0 {
          cars[lane].x = 9
        } else if cars[lane].x > 9 {
          cars[lane].x = 0
        }
        if cars[lane].x == 4 && cars[lane].y == position { position = 9 }
      } else {
        cars[lane].timer -= 1
      }
    }

    if moveTimer > 0 { moveTimer -= 1 }
    terminateTimer -= 1
    if terminateTimer < 0 { terminal = true }
    return MinAtarOutcome(reward: reward, terminal: terminal)
  }

  public func render(into observation: inout MinAtarObservation) {
    observation.set(channel: 0, y: position, x: 4)
    for car in cars {
      observation.set(channel: 1, y: car.y, x: car.x)
      let backX = ((car.speed > 0 ? car.x - 1 : car.x + 1) + 10) % 10
      precondition(
        (1...5).contains(abs(car.speed)), "Freeway car speed \(car.speed) is outside 1...5")
      observation.set(channel: 1 + abs(car.speed), y: car.y, x: backX)
    }
  }

  public var isTerminal: Bool { terminal }
  public var difficultyRamp: Int? { nil }

  public func write(to writer: inout IntegerStateWriter) {
    for value in [position, moveTimer, terminateTimer] { writer.append(value) }
    writer.append(terminal)
    writer.append(cars.count)
    for car in cars { for value in [car.x, car.y, car.timer, car.speed] { writer.append(value) } }
  }

  public init(from reader: inout IntegerStateReader) throws {
    position = try reader.integer(in: 0...9, "chicken row")
    moveTimer = try reader.integer()
    terminateTimer = try reader.integer()
    terminal = try reader.bool()
    cars = try reader.list(maximumCount: 8) { reader in
      Car(
        x: try reader.integer(in: 0...9, "car column"), y: try reader.integer(in: 0...9, "car row"),
        timer: try reader.integer(), speed: try reader.integer(in: -5...5, "car speed"))
    }
  }
}
