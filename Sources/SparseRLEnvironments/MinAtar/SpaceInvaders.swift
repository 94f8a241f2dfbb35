/// MinAtar Space Invaders: a cannon on the bottom row shoots up at a 4x6 block of aliens that sweeps sideways and
/// steps down at the edges, shooting back from the alien nearest the cannon. +1 per alien shot; aliens speed up as
/// they thin out; a cleared wave is replaced by one that (with ramping) moves one frame faster, down to every 6
/// frames. Termination when an alien or an alien bullet reaches the cannon. Channels: cannon, alien, alien_left,
/// alien_right (the aliens again, in the channel of their direction), friendly_bullet, enemy_bullet.
public struct SpaceInvaders: MinAtarGame {
  public static let referenceName = "space_invaders"
  public static let displayName = "SpaceInvaders"
  public static let channelNames = [
    "cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet",
  ]
  public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .right, .fire]

  static let shotCoolDown = 5
  static let initialMoveInterval = 12
  static let enemyShotInterval = 10

  /// The cannon's column (row 9).
  public var position = 5
  /// The cannon's bullets, the aliens' bullets and the aliens, as grids.
  public var friendlyBullets = MinAtarGrid(), enemyBullets = MinAtarGrid(),
    aliens = SpaceInvaders.freshWave
  /// -1 while the aliens move left, +1 while they move right.
  public var alienDirection = -1
  /// Frames between alien moves.
  public var enemyMoveInterval = SpaceInvaders.initialMoveInterval
  /// Frames until the aliens move.
  public var alienMoveTimer = SpaceInvaders.initialMoveInterval
  /// Frames until the aliens fire.
  public var alienShotTimer = SpaceInvaders.enemyShotInterval
  /// Waves cleared so far (each makes the next faster when ramping).
  public var rampIndex = 0
  /// Frames until the cannon can fire again.
  public var shotTimer = 0
  /// The game is over.
  public var terminal = false
  /// Whether each new wave moves faster.
  public var ramping = true

  enum CodingKeys: String, CodingKey {
    case position = "pos"
    case friendlyBullets = "f_bullet_map"
    case enemyBullets = "e_bullet_map"
    case aliens = "alien_map"
    case alienDirection = "alien_dir"
    case enemyMoveInterval = "enemy_move_interval"
    case alienMoveTimer = "alien_move_timer"
    case alienShotTimer = "alien_shot_timer"
    case rampIndex = "ramp_index"
    case shotTimer = "shot_timer"
    case terminal, ramping
  }

  /// Rows 0..<4, columns 2..<8.
  static var freshWave: MinAtarGrid {
    var grid = MinAtarGrid()
    grid.fill(rows: 0..<4, columns: 2..<8)
    return grid
  }

  public init(ramping: Bool = true, random: inout some MinAtarRandomSource) {
    self.ramping = ramping
    reset(random: &random)
  }

  private init(ramping: Bool) { self.ramping = ramping }

  public mutating func reset(random: inout some MinAtarRandomSource) {
    let ramping = self.ramping
    self = SpaceInvaders(ramping: ramping)
  }

  public mutating func act(_ action: MinAtarAction, random: inout some MinAtarRandomSource)
    -> MinAtarOutcome
  {
    guard !terminal else { return MinAtarOutcome(reward: 0, terminal: true) }
    if action == .fire && shotTimer == 0 {
      friendlyBullets[9, position] = true
      shotTimer = Self.shotCoolDown
    } else if action == .left {
      position = max(0, position - 1)
    } else if action == .right {
      position = min(9, position + 1)
    }

    // Friendly bullets move up and leave at the top; enemy bullets move down and leave at the bottom.
    friendlyBullets = friendlyBullets.rolledRows(by: -1)
    friendlyBullets.fill(rows: 9..<10, columns: 0..<10, with: false)
    enemyBullets = enemyBullets.rolledRows(by: 1)
    enemyBullets.fill(rows: 0..<1, columns: 0..<10, with: false)
    if enemyBullets[9, position] { terminal = true }

    if aliens[9, position] { terminal = true }
    if alienMoveTimer == 0 {
      alienMoveTimer = min(aliens.count, enemyMoveInterval)
      if (aliens.anyInColumn(0) && alienDirection < 0)
        || (aliens.anyInColumn(9) && alienDirection > 0)
      {
        alienDirection = -alienDirection
        if aliens.anyInRow(9) { terminal = true }
        aliens = aliens.rolledRows(by: 1)
      } else {
        aliens = aliens.rolledColumns(by: alienDirection)
      }
      if aliens[9, position] { terminal = true }
    }
    if alienShotTimer == 0 {
      alienShotTimer = Self.enemyShotInterval
      if let shooter = nearestAlien(to: position) { enemyBullets[shooter.y, shooter.x] = true }
    }

    var reward = 0
    for y in 0..<10 {
      for x in 0..<10 where aliens[y, x] && friendlyBullets[y, x] {
        reward += 1
        aliens[y, x] = false
        friendlyBullets[y, x] = false
      }
    }

    if shotTimer > 0 { shotTimer -= 1 }
    alienMoveTimer -= 1
    alienShotTimer -= 1
    if aliens.count == 0 {
      if enemyMoveInterval > 6 && ramping {
        enemyMoveInterval -= 1
        rampIndex += 1
      }
      aliens.fill(rows: 0..<4, columns: 2..<8)
    }
    return MinAtarOutcome(reward: reward, terminal: terminal)
  }

  /// The lowest alien of the occupied column nearest `column` (ties go to the left column), or `nil` if no alien
  /// is left. The reference would crash on `nil`; it cannot happen because a wave is refilled once cleared.
  func nearestAlien(to column: Int) -> (y: Int, x: Int)? {
    let order = (0..<10).sorted { (abs($0 - column), $0) < (abs($1 - column), $1) }
    for x in order where aliens.anyInColumn(x) {
      return ((0..<10).last { aliens[$0, x] }!, x)
    }
    return nil
  }

  public func render(into observation: inout MinAtarObservation) {
    observation.set(channel: 0, y: 9, x: position)
    observation.set(channel: 1, from: aliens)
    observation.set(channel: alienDirection < 0 ? 2 : 3, from: aliens)
    observation.set(channel: 4, from: friendlyBullets)
    observation.set(channel: 5, from: enemyBullets)
  }

  public var isTerminal: Bool { terminal }
  public var difficultyRamp: Int? { rampIndex }

  public func write(to writer: inout IntegerStateWriter) {
    for value in [
      position, alienDirection, enemyMoveInterval, alienMoveTimer, alienShotTimer, rampIndex,
      shotTimer,
    ] {
      writer.append(value)
    }
    writer.append(terminal)
    writer.append(ramping)
    for grid in [friendlyBullets, enemyBullets, aliens] { grid.write(to: &writer) }
  }

  public init(from reader: inout IntegerStateReader) throws {
    position = try reader.integer(in: 0...9, "cannon column")
    alienDirection = try reader.integer(in: -1...1, "alien direction")
    enemyMoveInterval = try reader.integer()
    alienMoveTimer = try reader.integer()
    alienShotTimer = try reader.integer()
    rampIndex = try reader.integer()
    shotTimer = try reader.integer()
    terminal = try reader.bool()
    ramping = try reader.bool()
    friendlyBullets = try MinAtarGrid(from: &reader)
    enemyBullets = try MinAtarGrid(from: &reader)
    aliens = try MinAtarGrid(from: &reader)
  }
}
