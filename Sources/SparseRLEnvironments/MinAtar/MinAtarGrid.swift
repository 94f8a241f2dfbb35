/// A 10x10 binary map (the reference's NumPy `brick_map`, `alien_map`, bullet maps), indexed `[y, x]`
/// with y the row (0 at the top). Encodes as ten rows of ten 0/1 integers.
public struct MinAtarGrid: Equatable, Sendable, Codable {
  /// Grid side.
  public static let side = 10
  private var cells: [Bool]

  /// An empty grid.
  public init() { cells = Array(repeating: false, count: Self.side * Self.side) }

  /// The cell in row `y`, column `x`.
  public subscript(y: Int, x: Int) -> Bool {
    get {
      precondition(Self.contains(y: y, x: x), "MinAtar grid cell (\(y), \(x)) is outside 10x10")
      return cells[y * Self.side + x]
    }
    set {
      precondition(Self.contains(y: y, x: x), "MinAtar grid cell (\(y), \(x)) is outside 10x10")
      cells[y * Self.side + x] = newValue
    }
  }

  /// Whether (y, x) lies on the grid.
  public static func contains(y: Int, x: Int) -> Bool {
    (0..<side).contains(y) && (0..<side).contains(x)
  }

  /// Number of set cells (NumPy's `count_nonzero`).
  public var count: Int { cells.reduce(0) { $0 + ($1 ? 1 : 0) } }

  /// Whether any cell of row `y` is set.
  public func anyInRow(_ y: Int) -> Bool { (0..<Self.side).contains { self[y, $0] } }

  /// Whether any cell of column `x` is set.
  public func anyInColumn(_ x: Int) -> Bool { (0..<Self.side).contains { self[$0, x] } }

  /// Sets rows `rows` x columns `columns` to `value`.
  public mutating func fill(rows: Range<Int>, columns: Range<Int>, with value: Bool = true) {
    for y in rows { for x in columns { self[y, x] = value } }
  }

  /// NumPy's `np.roll(map, shift, axis=0)`: rows move down by `shift`, wrapping around.
  public func rolledRows(by shift: Int) -> MinAtarGrid {
    var result = MinAtarGrid()
    for y in 0..<Self.side {
      let target = ((y + shift) % Self.side + Self.side) % Self.side
      for x in 0..<Self.side { result[target, x] = self[y, x] }
    }
    return result
  }

  /// NumPy's `np.roll(map, shift, axis=1)`: columns move right by `shift`, wrapping around.
  public func rolledColumns(by shift: Int) -> MinAtarGrid {
    var result = MinAtarGrid()
    for x in 0..<Self.side {
      let target = ((x + shift) % Self.side + Self.side) % Self.side
      for y in 0..<Self.side { result[y, target] = self[y, x] }
    }
    return result
  }

  public init(from decoder: any Decoder) throws {
    let rows = try decoder.singleValueContainer().decode([[Int]].self)
    guard rows.count == Self.side, rows.allSatisfy({ $0.count == Self.side }) else {
      throw DecodingError.dataCorrupted(
        DecodingError.Context(
          codingPath: decoder.codingPath, debugDescription: "a MinAtar grid needs 10 rows of 10"))
    }
    self.init()
    for y in 0..<Self.side { for x in 0..<Self.side { self[y, x] = rows[y][x] != 0 } }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode((0..<Self.side).map { y in (0..<Self.side).map { self[y, $0] ? 1 : 0 } })
  }

  /// Appends the 100 cells as 0/1.
  func write(to writer: inout IntegerStateWriter) {
    for cell in cells { writer.append(cell) }
  }

  /// Reads 100 cells written by `write(to:)`.
  init(from reader: inout IntegerStateReader) throws {
    cells = try (0..<(Self.side * Self.side)).map { _ in try reader.bool() }
  }
}

extension MinAtarGrid: CustomStringConvertible {
  /// Ten rows of `#` (set) and `.` (clear), separated by `/`.
  public var description: String {
    (0..<Self.side).map { y in String((0..<Self.side).map { self[y, $0] ? "#" : "." }) }.joined(
      separator: "/")
  }
}
