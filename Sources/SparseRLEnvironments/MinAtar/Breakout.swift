/// MinAtar Breakout: a paddle on the bottom row bounces a ball (moving only along diagonals) into three rows of
/// bricks; +1 per brick, a fresh wall when all are cleared, termination when the ball reaches the bottom row
/// beside the paddle. No difficulty ramp. Channels: paddle, ball, trail (the ball's previous cell), brick.
public struct Breakout: MinAtarGame {
  public static let referenceName = "breakout"
  public static let displayName = "Breakout"
  public static let channelNames = ["paddle", "ball", "trail", "brick"]
  public static let minimalActionSet: [MinAtarAction] = [.noop, .left, .right]

  /// Ball column and row.
  public var ballX = 0, ballY = 0
  /// Ball direction: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
  public var ballDirection = 0
  /// Paddle column (the paddle sits in row 9).
  public var paddle = 4
  /// The bricks.
  public var bricks = MinAtarGrid()
  /// Whether the ball struck a brick on the previous frame (a second strike in a row breaks nothing).
  public var strike = false
  /// The ball's previous cell.
  public var lastX = 0, lastY = 0
  /// The game is over.
  public var terminal = false

  enum CodingKeys: String, CodingKey {
    case ballX = "ball_x"
    case ballY = "ball_y"
    case ballDirection = "ball_dir"
    case paddle = "pos"
    case bricks = "brick_map"
    case strike
    case lastX = "last_x"
    case lastY = "last_y"
    case terminal
  }

  public init(ramping: Bool = true, random: inout some MinAtarRandomSource) {
    reset(random: &random)
  }

  public mutating func reset(random: inout some MinAtarRandomSource) {
    ballY = 3
    // The ball starts on the left moving down-right, or on the right moving down-left.
    if random.integer(in: 0..<2) == 0 {
      (ballX, ballDirection) = (0, 2)
    } else {
      (ballX, ballDirection) = (9, 3)
    }
    paddle = 4
    bricks = MinAtarGrid()
    bricks.fill(rows: 1..<4, columns: 0..<10)
    strike = false
    (lastX, lastY) = (ballX, ballY)
    terminal = false
  }

  public mutating func act(_ action: MinAtarAction, random: inout some MinAtarRandomSource)
    -> MinAtarOutcome
  {
    guard !terminal else { return MinAtarOutcome(reward: 0, terminal: true) }
    var reward = 0
    switch action {
    case .left: paddle = max(0, paddle - 1)
    case .right: paddle = min(9, paddle + 1)
    default: break
    }

    (lastX, lastY) = (ballX, ballY)
    var newX = ballX + (ballDirection == 1 || ballDirection == 2 ? 1 : -1)
    var newY = ballY + (ballDirection >= 2 ? 1 : -1)
    let reflectHorizontally = [1, 0, 3, 2]
    let reflectVertically = [3, 2, 1, 0]
    var struckBrick = false
    if newX < 0 || newX > 9 {
      newX = min(max(newX, 0), 9)
      ballDirection = reflectHorizontally[ballDirection]
    }
    if newY < 0 {
      newY = 0
      ballDirection = reflectVertically[ballDirection]
    } else if bricks[newY, newX] {
      struckBrick = true
      if !strike {
        reward += 1
        strike = true
        bricks[newY, newX] = false
        newY = lastY
        ballDirection = reflectVertically[ballDirection]
      }
    } else if newY == 9 {
      if bricks.count == 0 { bricks.fill(rows: 1..<4, columns: 0..<10) }
      if ballX == paddle {
        ballDirection = reflectVertically[ballDirection]
        newY = lastY
      } else if newX == paddle {
        ballDirection = [2, 3, 0, 1][ballDirection]
        newY = lastY
      } else {
        terminal = true
      }
    }
    if !struckBrick { strike = false }
    (ballX, ballY) = (newX, newY)
    return MinAtarOutcome(reward: reward, terminal: terminal)
  }

  public func render(into observation: inout MinAtarObservation) {
    observation.set(channel: 1, y: ballY, x: ballX)
    observation.set(channel: 0, y: 9, x: paddle)
    observation.set(channel: 2, y: lastY, x: lastX)
    observation.set(channel: 3, from: bricks)
  }

  public var isTerminal: Bool { terminal }
  public var difficultyRamp: Int? { nil }

  public func write(to writer: inout IntegerStateWriter) {
    for value in [ballX, ballY, ballDirection, paddle, lastX, lastY] { writer.append(value) }
    writer.append(strike)
    writer.append(terminal)
    bricks.write(to: &writer)
  }

  public init(from reader: inout IntegerStateReader) throws {
    ballX = try reader.integer(in: 0...9, "ball column")
    ballY = try reader.integer(in: 0...9, "ball row")
    ballDirection = try reader.integer(in: 0...3, "ball direction")
    paddle = try reader.integer(in: 0...9, "paddle column")
    lastX = try reader.integer(in: 0...9, "trail column")
    lastY = try reader.integer(in: 0...9, "trail row")
    strike = try reader.bool()
    terminal = try reader.bool()
    bricks = try MinAtarGrid(from: &reader)
  }
}
