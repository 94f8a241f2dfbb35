/// MinAtar Asterix: the player moves in four directions; enemies and gold enter from the sides in eight lanes.
/// +1 per gold picked up, termination on touching an enemy. With ramping, every 100 frames spawns get more
/// frequent and (every other ramp) movement faster. Channels: player, enemy, trail, gold.
public struct Asterix: MinAtarGame {
  public static let referenceName = "asterix"
  public static let displayName = "Asterix"
  public static let channelNames = ["player", "enemy", "trail", "gold"]
  public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .up, .right, .down]

  static let rampInterval = 100
  static let initialSpawnSpeed = 10
  static let initialMoveInterval = 5

  /// An enemy or a piece of gold in a lane (the reference's `[x, y, lr, is_gold]`).
  public struct Entity: Equatable, Sendable, Codable {
    /// The column and row.
    public var x: Int, y: Int
    /// Moves right (entered from the left).
    public var movesRight: Bool
    /// A piece of gold (a reward) rather than an enemy.
    public var isGold: Bool

    /// An entity at `(x, y)`.
    public init(x: Int, y: Int, movesRight: Bool, isGold: Bool) {
      (self.x, self.y, self.movesRight, self.isGold) = (x, y, movesRight, isGold)
    }

    public init(from decoder: any Decoder) throws {
      var fields = try decoder.unkeyedContainer()
      x = try fields.decode(Int.self)
      y = try fields.decode(Int.self)
      movesRight = try fields.decode(Bool.self)
      isGold = try fields.decode(Bool.self)
    }

    public func encode(to encoder: any Encoder) throws {
      var fields = encoder.unkeyedContainer()
      try fields.encode(x)
      try fields.encode(y)
      try fields.encode(movesRight)
      try fields.encode(isGold)
    }
  }

  /// The player's column and row.
  public var playerX = 5, playerY = 5
  /// Lane `i` (row `i + 1`) holds at most one entity.
  public var entities: [Entity?] = Array(repeating: nil, count: 8)
  /// Unused by the rules; kept because the reference keeps it.
  public var shotTimer = 0
  /// Frames between spawns, and frames until the next spawn.
  public var spawnSpeed = Asterix.initialSpawnSpeed, spawnTimer = Asterix.initialSpawnSpeed
  /// Frames between entity moves, and frames until the next move.
  public var moveSpeed = Asterix.initialMoveInterval, moveTimer = Asterix.initialMoveInterval
  /// Frames until the next difficulty ramp, and the ramps so far.
  public var rampTimer = Asterix.rampInterval, rampIndex = 0
  /// The game is over.
  public var terminal = false
  /// Whether the difficulty ramps up.
  public var ramping = true

  enum CodingKeys: String, CodingKey {
    case playerX = "player_x"
    case playerY = "player_y"
    case entities
    case shotTimer = "shot_timer"
    case spawnSpeed = "spawn_speed"
    case spawnTimer = "spawn_timer"
    case moveSpeed = "move_speed"
    case moveTimer = "move_timer"
    case rampTimer = "ramp_timer"
    case rampIndex = "ramp_index"
    case terminal, ramping
  }

  public init(ramping: Bool = true, random: inout some MinAtarRandomSource) {
    self.ramping = ramping
    reset(random: &random)
  }

  public mutating func reset(random: inout some MinAtarRandomSource) {
    let ramping = self.ramping
    self = Asterix(ramping: ramping)
  }

  private init(ramping: Bool) { self.ramping = ramping }

  public mutating func act(_ action: MinAtarAction, random: inout some MinAtarRandomSource)
    -> MinAtarOutcome
  {
    guard !terminal else { return MinAtarOutcome(reward: 0, terminal: true) }
    var reward = 0
    if spawnTimer == 0 {
      spawnEntity(random: &random)
      spawnTimer = spawnSpeed
    }
    switch action {
    case .left: playerX = max(0, playerX - 1)
    case .right: playerX = min(9, playerX + 1)
    case .up: playerY = max(1, playerY - 1)
    case .down: playerY = min(8, playerY + 1)
    default: break
    }

    for lane in entities.indices {
      if let entity = entities[lane], entity.x == playerX, entity.y == playerY {
        if entity.isGold {
          entities[lane] = nil
          reward += 1
        } else {
          terminal = true
        }
      }
    }
    if moveTimer == 0 {
      moveTimer = moveSpeed
      for lane in entities.indices {
        guard var entity = entities[lane] else { continue }
        entity.x += entity.movesRight ? 1 : -1
        entities[lane] = entity.x < 0 || entity.x > 9 ? nil : entity
        if entity.x == playerX && entity.y == playerY {
          if entity.isGold {
            entities[lane] = nil
            reward += 1
          } else {
            terminal = true
          }
        }
      }
    }

    spawnTimer -= 1
    moveTimer -= 1
    if ramping && (spawnSpeed > 1 || moveSpeed > 1) {
      if rampTimer >= 0 {
        rampTimer -= 1
      } else {
        if moveSpeed > 1 && rampIndex % 2 == 1 { moveSpeed -= 1 }
        if spawnSpeed > 1 { spawnSpeed -= 1 }
        rampIndex += 1
        rampTimer = Self.rampInterval
      }
    }
    return MinAtarOutcome(reward: reward, terminal: terminal)
  }

  /// Puts a new entity in a random free lane, entering from a random side (gold with probability 1/3). The two
  /// coin flips are drawn even when every lane is taken, as in the reference.
  private mutating func spawnEntity(random: inout some MinAtarRandomSource) {
    let movesRight = random.uniform() < 1.0 / 2.0
    let isGold = random.uniform() < 1.0 / 3.0
    let free = entities.indices.filter { entities[$0] == nil }
    guard !free.isEmpty else { return }
    let lane = free[random.integer(in: 0..<free.count)]
    entities[lane] = Entity(
      x: movesRight ? 0 : 9, y: lane + 1, movesRight: movesRight, isGold: isGold)
  }

  public func render(into observation: inout MinAtarObservation) {
    observation.set(channel: 0, y: playerY, x: playerX)
    for case let entity? in entities {
      observation.set(channel: entity.isGold ? 3 : 1, y: entity.y, x: entity.x)
      let backX = entity.movesRight ? entity.x - 1 : entity.x + 1
      if (0...9).contains(backX) { observation.set(channel: 2, y: entity.y, x: backX) }
    }
  }

  public var isTerminal: Bool { terminal }
  public var difficultyRamp: Int? { rampIndex }

  public func write(to writer: inout IntegerStateWriter) {
    for value in [
      playerX, playerY, shotTimer, spawnSpeed, spawnTimer, moveSpeed, moveTimer, rampTimer,
      rampIndex,
    ] {
      writer.append(value)
    }
    writer.append(terminal)
    writer.append(ramping)
    for entity in entities {
      writer.append(entity != nil)
      if let entity {
        writer.append(entity.x)
        writer.append(entity.y)
        writer.append(entity.movesRight)
        writer.append(entity.isGold)
      }
    }
  }

  public init(from reader: inout IntegerStateReader) throws {
    playerX = try reader.integer(in: 0...9, "player column")
    playerY = try reader.integer(in: 0...9, "player row")
    shotTimer = try reader.integer()
    spawnSpeed = try reader.integer()
    spawnTimer = try reader.integer()
    moveSpeed = try reader.integer()
    moveTimer = try reader.integer()
    rampTimer = try reader.integer()
    rampIndex = try reader.integer()
    terminal = try reader.bool()
    ramping = try reader.bool()
    entities = try (0..<8).map { _ in
      guard try reader.bool() else { return nil }
      return Entity(
        x: try reader.integer(in: 0...9, "entity column"),
        y: try reader.integer(in: 0...9, "entity row"),
        movesRight: try reader.bool(), isGold: try reader.bool())
    }
  }
}
