/// MinAtar Seaquest: a two-cell submarine shoots enemy fish and submarines (+1 each), picks up divers (at most
/// six) and must surface before its oxygen (200 frames) runs out. Surfacing costs one diver and refills oxygen;
/// surfacing with six divers pays one point per lit cell of the oxygen gauge and empties the hold (the reference
/// then leaves the diver count at -1, which this port keeps). Each surfacing ramps difficulty: enemies spawn more
/// often and (every other ramp) move faster. Termination on touching an enemy or enemy bullet, running out of
/// oxygen, or surfacing without divers.
///
/// Channels: sub_front, sub_back, friendly_bullet, trail, enemy_bullet, enemy_fish, enemy_sub, oxygen_guage,
/// diver_guage, diver (the reference's names, spelling included).
public struct Seaquest: MinAtarGame {
  public static let referenceName = "seaquest"
  public static let displayName = "Seaquest"
  public static let channelNames = [
    "sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet", "enemy_fish", "enemy_sub",
    "oxygen_guage", "diver_guage", "diver",
  ]
  public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .up, .right, .down, .fire]

  static let maxOxygen = 200
  static let initialSpawnSpeed = 20
  static let diverSpawnSpeed = 30
  static let initialMoveInterval = 5
  static let shotCoolDown = 5
  static let enemyShotInterval = 10
  static let diverMoveInterval = 5

  /// A bullet (the reference's `[x, y, direction]`, direction true = moving right).
  public struct Bullet: Equatable, Sendable, Codable {
    /// Column, row and direction.
    public var x: Int, y: Int, movesRight: Bool

    /// A bullet at `(x, y)`.
    public init(x: Int, y: Int, movesRight: Bool) {
      (self.x, self.y, self.movesRight) = (x, y, movesRight)
    }

    public init(from decoder: any Decoder) throws {
      var fields = try decoder.unkeyedContainer()
      (x, y, movesRight) = try (
        fields.decode(Int.self), fields.decode(Int.self), fields.decode(Bool.self)
      )
    }

    public func encode(to encoder: any Encoder) throws {
      var fields = encoder.unkeyedContainer()
      try fields.encode(x)
      try fields.encode(y)
      try fields.encode(movesRight)
    }
  }

  /// An enemy fish or a diver (the reference's `[x, y, lr, move_timer]`).
  public struct Swimmer: Equatable, Sendable, Codable {
    /// Column, row, direction and frames until the next move.
    public var x: Int, y: Int, movesRight: Bool, moveTimer: Int

    /// A swimmer from its fields.
    public init(x: Int, y: Int, movesRight: Bool, moveTimer: Int) {
      (self.x, self.y, self.movesRight, self.moveTimer) = (x, y, movesRight, moveTimer)
    }

    public init(from decoder: any Decoder) throws {
      var fields = try decoder.unkeyedContainer()
      (x, y, movesRight, moveTimer) = try (
        fields.decode(Int.self), fields.decode(Int.self), fields.decode(Bool.self),
        fields.decode(Int.self)
      )
    }

    public func encode(to encoder: any Encoder) throws {
      var fields = encoder.unkeyedContainer()
      try fields.encode(x)
      try fields.encode(y)
      try fields.encode(movesRight)
      try fields.encode(moveTimer)
    }
  }

  /// An enemy submarine (the reference's `[x, y, lr, move_timer, shot_timer]`).
  public struct EnemySub: Equatable, Sendable, Codable {
    /// Column, row, direction, frames until the next move and until the next shot.
    public var x: Int, y: Int, movesRight: Bool, moveTimer: Int, shotTimer: Int

    /// An enemy submarine from its fields.
    public init(x: Int, y: Int, movesRight: Bool, moveTimer: Int, shotTimer: Int) {
      (self.x, self.y, self.movesRight, self.moveTimer, self.shotTimer) = (
        x, y, movesRight, moveTimer, shotTimer
      )
    }

    public init(from decoder: any Decoder) throws {
      var fields = try decoder.unkeyedContainer()
      (x, y, movesRight, moveTimer, shotTimer) = try (
        fields.decode(Int.self), fields.decode(Int.self), fields.decode(Bool.self),
        fields.decode(Int.self),
        fields.decode(Int.self)
      )
    }

    public func encode(to encoder: any Encoder) throws {
      var fields = encoder.unkeyedContainer()
      try fields.encode(x)
      try fields.encode(y)
      try fields.encode(movesRight)
      try fields.encode(moveTimer)
      try fields.encode(shotTimer)
    }
  }

  /// Oxygen left; the game ends when it runs out under water.
  public var oxygen = Seaquest.maxOxygen
  /// Divers rescued and on board.
  public var diverCount = 0
  /// The submarine's column and row.
  public var subX = 5, subY = 0
  /// The submarine faces right (`sub_or`).
  public var facingRight = false
  /// The submarine's and the enemy submarines' bullets.
  public var friendlyBullets: [Bullet] = [], enemyBullets: [Bullet] = []
  /// Enemy fish, enemy submarines and divers.
  public var fish: [Swimmer] = [], enemySubs: [EnemySub] = [], divers: [Swimmer] = []
  /// Frames between enemy spawns, and frames until the next one.
  public var enemySpawnSpeed = Seaquest.initialSpawnSpeed,
    enemySpawnTimer = Seaquest.initialSpawnSpeed
  /// Frames until the next diver spawns.
  public var diverSpawnTimer = Seaquest.diverSpawnSpeed
  /// Frames between enemy moves.
  public var moveSpeed = Seaquest.initialMoveInterval
  /// Difficulty ramps so far.
  public var rampIndex = 0
  /// Frames until the submarine can fire again.
  public var shotTimer = 0
  /// The submarine was at the surface on the previous frame.
  public var surface = true
  /// The game is over.
  public var terminal = false
  /// Whether surfacing ramps up the difficulty.
  public var ramping = true

  enum CodingKeys: String, CodingKey {
    case oxygen
    case diverCount = "diver_count"
    case subX = "sub_x"
    case subY = "sub_y"
    case facingRight = "sub_or"
    case friendlyBullets = "f_bullets"
    case enemyBullets = "e_bullets"
    case fish = "e_fish"
    case enemySubs = "e_subs"
    case divers
    case enemySpawnSpeed = "e_spawn_speed"
    case enemySpawnTimer = "e_spawn_timer"
    case diverSpawnTimer = "d_spawn_timer"
    case moveSpeed = "move_speed"
    case rampIndex = "ramp_index"
    case shotTimer = "shot_timer"
    case surface, terminal, ramping
  }

  public init(ramping: Bool = true, random: inout some MinAtarRandomSource) {
    self.ramping = ramping
    reset(random: &random)
  }

  private init(ramping: Bool) { self.ramping = ramping }

  public mutating func reset(random: inout some MinAtarRandomSource) {
    let ramping = self.ramping
    self = Seaquest(ramping: ramping)
  }

  private func isAtSub(_ x: Int, _ y: Int) -> Bool { x == subX && y == subY }

  public mutating func act(_ action: MinAtarAction, random: inout some MinAtarRandomSource)
    -> MinAtarOutcome
  {
    guard !terminal else { return MinAtarOutcome(reward: 0, terminal: true) }
    var reward = 0
    if enemySpawnTimer == 0 {
      spawnEnemy(random: &random)
      enemySpawnTimer = enemySpawnSpeed
    }
    if diverSpawnTimer == 0 {
      spawnDiver(random: &random)
      diverSpawnTimer = Self.diverSpawnSpeed
    }

    switch action {
    case .fire where shotTimer == 0:
      friendlyBullets.append(Bullet(x: subX, y: subY, movesRight: facingRight))
      shotTimer = Self.shotCoolDown
    case .left:
      subX = max(0, subX - 1)
      facingRight = false
    case .right:
      subX = min(9, subX + 1)
      facingRight = true
    case .up: subY = max(0, subY - 1)
    case .down: subY = min(8, subY + 1)
    default: break
    }

    reward += moveFriendlyBullets()
    moveDivers()
    reward += moveEnemySubs()
    moveEnemyBullets()
    reward += moveFish()

    if enemySpawnTimer > 0 { enemySpawnTimer -= 1 }
    if diverSpawnTimer > 0 { diverSpawnTimer -= 1 }
    if shotTimer > 0 { shotTimer -= 1 }
    if oxygen <= 0 { terminal = true }
    if subY > 0 {
      oxygen -= 1
      surface = false
    } else if !surface {
      if diverCount == 0 {
        terminal = true
      } else {
        reward += surfaceSub()
      }
    }
    return MinAtarOutcome(reward: reward, terminal: terminal)
  }

  /// Moves each friendly bullet; a bullet leaving the screen disappears, one meeting a fish (checked first) or
  /// an enemy submarine destroys it. Returns the reward.
  private mutating func moveFriendlyBullets() -> Int {
    var reward = 0
    var visit = ReversedVisit(count: friendlyBullets.count)
    while visit.advance(count: friendlyBullets.count), let index = visit.current {
      friendlyBullets[index].x += friendlyBullets[index].movesRight ? 1 : -1
      let bullet = friendlyBullets[index]
      if bullet.x < 0 || bullet.x > 9 {
        visit.remove(bullet, from: &friendlyBullets)
      } else if let hit = fish.firstIndex(where: { $0.x == bullet.x && $0.y == bullet.y }) {
        fish.remove(at: hit)
        visit.remove(bullet, from: &friendlyBullets)
        reward += 1
      } else if let hit = enemySubs.firstIndex(where: { $0.x == bullet.x && $0.y == bullet.y }) {
        enemySubs.remove(at: hit)
        visit.remove(bullet, from: &friendlyBullets)
        reward += 1
      }
    }
    return reward
  }

  /// Divers on the submarine are picked up (while fewer than six are aboard); the others move every sixth frame.
  private mutating func moveDivers() {
    var visit = ReversedVisit(count: divers.count)
    while visit.advance(count: divers.count), let index = visit.current {
      let diver = divers[index]
      if isAtSub(diver.x, diver.y) && diverCount < 6 {
        visit.remove(diver, from: &divers)
        diverCount += 1
      } else if diver.moveTimer == 0 {
        divers[index].moveTimer = Self.diverMoveInterval
        divers[index].x += diver.movesRight ? 1 : -1
        let moved = divers[index]
        if moved.x < 0 || moved.x > 9 {
          visit.remove(moved, from: &divers)
        } else if isAtSub(moved.x, moved.y) && diverCount < 6 {
          visit.remove(moved, from: &divers)
          diverCount += 1
        }
      } else {
        divers[index].moveTimer -= 1
      }
    }
  }

  /// Moves and fires the enemy submarines. As in the reference, a submarine that just left the screen or was
  /// destroyed still counts down its shot timer and may fire one last bullet. Returns the reward.
  private mutating func moveEnemySubs() -> Int {
    var reward = 0
    var visit = ReversedVisit(count: enemySubs.count)
    while visit.advance(count: enemySubs.count), let index = visit.current {
      var sub = enemySubs[index]
      if isAtSub(sub.x, sub.y) { terminal = true }
      if sub.moveTimer == 0 {
        sub.moveTimer = moveSpeed
        sub.x += sub.movesRight ? 1 : -1
        enemySubs[index] = sub
        if sub.x < 0 || sub.x > 9 {
          visit.remove(sub, from: &enemySubs)
        } else if isAtSub(sub.x, sub.y) {
          terminal = true
        } else if let hit = friendlyBullets.firstIndex(where: { $0.x == sub.x && $0.y == sub.y }) {
          visit.remove(sub, from: &enemySubs)
          friendlyBullets.remove(at: hit)
          reward += 1
        }
      } else {
        sub.moveTimer -= 1
        enemySubs[index] = sub
      }
      if sub.shotTimer == 0 {
        sub.shotTimer = Self.enemyShotInterval
        enemyBullets.append(Bullet(x: sub.x, y: sub.y, movesRight: sub.movesRight))
      } else {
        sub.shotTimer -= 1
      }
      if let index = visit.current { enemySubs[index] = sub }
    }
    return reward
  }

  /// Moves enemy bullets; touching the submarine before or after the move ends the game.
  private mutating func moveEnemyBullets() {
    var visit = ReversedVisit(count: enemyBullets.count)
    while visit.advance(count: enemyBullets.count), let index = visit.current {
      if isAtSub(enemyBullets[index].x, enemyBullets[index].y) { terminal = true }
      enemyBullets[index].x += enemyBullets[index].movesRight ? 1 : -1
      let bullet = enemyBullets[index]
      if bullet.x < 0 || bullet.x > 9 {
        visit.remove(bullet, from: &enemyBullets)
      } else if isAtSub(bullet.x, bullet.y) {
        terminal = true
      }
    }
  }

  /// Moves the fish; a fish meeting a friendly bullet is destroyed. Returns the reward.
  private mutating func moveFish() -> Int {
    var reward = 0
    var visit = ReversedVisit(count: fish.count)
    while visit.advance(count: fish.count), let index = visit.current {
      if isAtSub(fish[index].x, fish[index].y) { terminal = true }
      if fish[index].moveTimer == 0 {
        fish[index].moveTimer = moveSpeed
        fish[index].x += fish[index].movesRight ? 1 : -1
        let moved = fish[index]
        if moved.x < 0 || moved.x > 9 {
          visit.remove(moved, from: &fish)
        } else if isAtSub(moved.x, moved.y) {
          terminal = true
        } else if let hit = friendlyBullets.firstIndex(where: { $0.x == moved.x && $0.y == moved.y }
        ) {
          visit.remove(moved, from: &fish)
          friendlyBullets.remove(at: hit)
          reward += 1
        }
      } else {
        fish[index].moveTimer -= 1
      }
    }
    return reward
  }

  /// Surfacing with divers aboard: refills oxygen, costs a diver (six divers pay the oxygen bonus and leave the
  /// count at -1, as in the reference) and ramps the difficulty. Returns the reward.
  private mutating func surfaceSub() -> Int {
    surface = true
    var reward = 0
    if diverCount == 6 {
      diverCount = 0
      reward = oxygen * 10 / Self.maxOxygen
    }
    oxygen = Self.maxOxygen
    diverCount -= 1
    if ramping && (enemySpawnSpeed > 1 || moveSpeed > 2) {
      if moveSpeed > 2 && rampIndex % 2 == 1 { moveSpeed -= 1 }
      if enemySpawnSpeed > 1 { enemySpawnSpeed -= 1 }
      rampIndex += 1
    }
    return reward
  }

  /// A fish (2/3) or submarine (1/3) entering a random lane from a random side, unless an enemy already moves the
  /// other way in that lane.
  private mutating func spawnEnemy(random: inout some MinAtarRandomSource) {
    let movesRight = random.uniform() < 1.0 / 2.0
    let isSub = random.uniform() < 1.0 / 3.0
    let x = movesRight ? 0 : 9
    let y = random.integer(in: 1..<9)
    if enemySubs.contains(where: { $0.y == y && $0.movesRight != movesRight })
      || fish.contains(where: { $0.y == y && $0.movesRight != movesRight })
    {
      return
    }
    if isSub {
      enemySubs.append(
        EnemySub(
          x: x, y: y, movesRight: movesRight, moveTimer: moveSpeed,
          shotTimer: Self.enemyShotInterval))
    } else {
      fish.append(Swimmer(x: x, y: y, movesRight: movesRight, moveTimer: moveSpeed))
    }
  }

  /// A diver entering a random lane from a random side.
  private mutating func spawnDiver(random: inout some MinAtarRandomSource) {
    let movesRight = random.uniform() < 1.0 / 2.0
    let y = random.integer(in: 1..<9)
    divers.append(
      Swimmer(
        x: movesRight ? 0 : 9, y: y, movesRight: movesRight, moveTimer: Self.diverMoveInterval))
  }

  public func render(into observation: inout MinAtarObservation) {
    observation.set(channel: 0, y: subY, x: subX)
    observation.set(channel: 1, y: subY, x: facingRight ? subX - 1 : subX + 1)
    for x in 0..<min(10, max(0, oxygen) * 10 / Self.maxOxygen) {
      observation.set(channel: 7, y: 9, x: x)
    }
    if diverCount > 0 {
      for x in max(0, 9 - diverCount)..<9 { observation.set(channel: 8, y: 9, x: x) }
    }
    for bullet in friendlyBullets { observation.set(channel: 2, y: bullet.y, x: bullet.x) }
    for bullet in enemyBullets { observation.set(channel: 4, y: bullet.y, x: bullet.x) }
    func withTrail(
      channel: Int, x: Int, y: Int, movesRight: Bool, into observation: inout MinAtarObservation
    ) {
      observation.set(channel: channel, y: y, x: x)
      let backX = movesRight ? x - 1 : x + 1
      if (0...9).contains(backX) { observation.set(channel: 3, y: y, x: backX) }
    }
    for swimmer in fish {
      withTrail(
        channel: 5, x: swimmer.x, y: swimmer.y, movesRight: swimmer.movesRight, into: &observation)
    }
    for sub in enemySubs {
      withTrail(channel: 6, x: sub.x, y: sub.y, movesRight: sub.movesRight, into: &observation)
    }
    for diver in divers {
      withTrail(
        channel: 9, x: diver.x, y: diver.y, movesRight: diver.movesRight, into: &observation)
    }
  }

  public var isTerminal: Bool { terminal }
  public var difficultyRamp: Int? { rampIndex }

  public func write(to writer: inout IntegerStateWriter) {
    for value in [
      oxygen, diverCount, subX, subY, enemySpawnSpeed, enemySpawnTimer, diverSpawnTimer, moveSpeed,
      rampIndex,
      shotTimer,
    ] {
      writer.append(value)
    }
    for flag in [facingRight, surface, terminal, ramping] { writer.append(flag) }
    for bullets in [friendlyBullets, enemyBullets] {
      writer.append(bullets.count)
      for bullet in bullets {
        writer.append(bullet.x)
        writer.append(bullet.y)
        writer.append(bullet.movesRight)
      }
    }
    for swimmers in [fish, divers] {
      writer.append(swimmers.count)
      for swimmer in swimmers {
        writer.append(swimmer.x)
        writer.append(swimmer.y)
        writer.append(swimmer.movesRight)
        writer.append(swimmer.moveTimer)
      }
    }
    writer.append(enemySubs.count)
    for sub in enemySubs {
      writer.append(sub.x)
      writer.append(sub.y)
      writer.append(sub.movesRight)
      writer.append(sub.moveTimer)
      writer.append(sub.shotTimer)
    }
  }

  public init(from reader: inout IntegerStateReader) throws {
    oxygen = try reader.integer()
    diverCount = try reader.integer(in: -1_000_000...6, "diver count")
    subX = try reader.integer(in: 0...9, "submarine column")
    subY = try reader.integer(in: 0...9, "submarine row")
    enemySpawnSpeed = try reader.integer()
    enemySpawnTimer = try reader.integer()
    diverSpawnTimer = try reader.integer()
    moveSpeed = try reader.integer()
    rampIndex = try reader.integer()
    shotTimer = try reader.integer()
    facingRight = try reader.bool()
    surface = try reader.bool()
    terminal = try reader.bool()
    ramping = try reader.bool()
    func bullets(_ reader: inout IntegerStateReader) throws -> [Bullet] {
      try reader.list { reader in
        Bullet(
          x: try reader.integer(), y: try reader.integer(in: 0...9, "bullet row"),
          movesRight: try reader.bool())
      }
    }
    func swimmers(_ reader: inout IntegerStateReader) throws -> [Swimmer] {
      try reader.list { reader in
        Swimmer(
          x: try reader.integer(), y: try reader.integer(in: 0...9, "row"),
          movesRight: try reader.bool(),
          moveTimer: try reader.integer())
      }
    }
    friendlyBullets = try bullets(&reader)
    enemyBullets = try bullets(&reader)
    fish = try swimmers(&reader)
    divers = try swimmers(&reader)
    enemySubs = try reader.list { reader in
      EnemySub(
        x: try reader.integer(), y: try reader.integer(in: 0...9, "row"),
        movesRight: try reader.bool(),
        moveTimer: try reader.integer(), shotTimer: try reader.integer())
    }
  }
}
