/// Flattens a game state into the `integers` of an `EnvironmentState`: integers and booleans in a fixed order,
/// lists prefixed by their length.
public struct IntegerStateWriter: Sendable {
  /// The integers written so far.
  public private(set) var integers: [Int] = []
  /// An empty writer.
  public init() {}
  /// Appends an integer.
  public mutating func append(_ value: Int) { integers.append(value) }
  /// Appends a boolean as 0 or 1.
  public mutating func append(_ value: Bool) { integers.append(value ? 1 : 0) }
}

/// Reads integers written by `IntegerStateWriter`, throwing a descriptive error when they run out or a value is
/// out of range.
public struct IntegerStateReader: Sendable {
  /// Errors from malformed saved states.
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  private let integers: [Int]
  private var position = 0

  /// A reader of `integers`, from the first.
  public init(_ integers: [Int]) { self.integers = integers }

  /// Whether every integer has been read.
  public var isAtEnd: Bool { position == integers.count }

  /// The next integer.
  public mutating func integer() throws -> Int {
    guard position < integers.count else {
      throw Failure(
        description: "saved state ends after \(integers.count) integers; more were expected")
    }
    defer { position += 1 }
    return integers[position]
  }

  /// The next integer, which must lie in `range` (named `what` in the error).
  public mutating func integer(in range: ClosedRange<Int>, _ what: String) throws -> Int {
    let value = try integer()
    guard range.contains(value) else {
      throw Failure(
        description: "saved \(what) \(value) is outside \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  /// The next integer as a boolean (0 or 1).
  public mutating func bool() throws -> Bool {
    switch try integer() {
    case 0: return false
    case 1: return true
    case let other: throw Failure(description: "saved boolean is \(other), not 0 or 1")
    }
  }

  /// A length-prefixed list of up to `maximumCount` elements.
  public mutating func list<Element>(
    maximumCount: Int = 1_000, _ element: (inout IntegerStateReader) throws -> Element
  ) throws -> [Element] {
    let count = try integer(in: 0...maximumCount, "list length")
    return try (0..<count).map { _ in try element(&self) }
  }
}
