/// The element type an observation space declares, as Gymnasium's `dtype`. Replay buffers use it to store
/// observations compactly (`.bool` as bits, `.uint8` as bytes); values always travel as `Float` otherwise.
public enum ElementType: String, Sendable, Codable, Equatable {
  /// 32-bit floats.
  case float32
  /// 64-bit floats (stored and computed as `Float`).
  case float64
  /// Bytes 0...255.
  case uint8
  /// Booleans 0 or 1.
  case bool
}

/// A box of real vectors (Gymnasium's `Box`): elementwise bounds and a shape.
public struct BoxSpace: Equatable, Sendable {
  /// Lower bounds, one per element (may be `-infinity`).
  public let low: [Float]
  /// Upper bounds, one per element (may be `+infinity`).
  public let high: [Float]
  /// The shape; its product equals `low.count`. Image-like observations are `[channels, height, width]`.
  public let shape: [Int]
  /// The declared element type.
  public let elementType: ElementType

  /// A box with elementwise bounds; `shape` defaults to `[low.count]`.
  public init(low: [Float], high: [Float], shape: [Int]? = nil, elementType: ElementType = .float32) {
    precondition(low.count == high.count, "Box bounds have different lengths")
    let shape = shape ?? [low.count]
    precondition(
      shape.reduce(1, *) == low.count, "Box shape \(shape) does not match \(low.count) bounds")
    self.low = low
    self.high = high
    self.shape = shape
    self.elementType = elementType
  }

  /// A box with the same bounds for every element.
  public init(low: Float, high: Float, shape: [Int], elementType: ElementType = .float32) {
    let count = shape.reduce(1, *)
    self.init(
      low: Array(repeating: low, count: count), high: Array(repeating: high, count: count),
      shape: shape,
      elementType: elementType)
  }

  /// Number of elements.
  public var count: Int { low.count }

  /// Whether `values` has the right count and lies inside the bounds (NaN is never inside).
  public func contains(_ values: [Float]) -> Bool {
    guard values.count == count else { return false }
    for i in 0..<count where !(values[i] >= low[i] && values[i] <= high[i]) { return false }
    return true
  }
}

/// A finite set of actions `start ..< start + count` (Gymnasium's `Discrete`).
public struct DiscreteSpace: Equatable, Sendable {
  /// Number of actions.
  public let count: Int
  /// The first action.
  public let start: Int
  /// The actions `start ..< start + count`.
  public init(_ count: Int, start: Int = 0) {
    precondition(count > 0, "Discrete space needs at least one element")
    self.count = count
    self.start = start
  }
  /// Whether `value` is one of the actions.
  public func contains(_ value: Int) -> Bool { value >= start && value < start + count }
}

/// An observation or action space.
public enum Space: Equatable, Sendable {
  /// Real vectors within bounds.
  case box(BoxSpace)
  /// A finite set of actions.
  case discrete(DiscreteSpace)

  /// Number of scalars a value of this space flattens to (1 for discrete).
  public var flatCount: Int {
    switch self {
    case .box(let box): box.count
    case .discrete: 1
    }
  }

  /// Whether `action` belongs to this space.
  public func contains(_ action: Action) -> Bool {
    switch (self, action) {
    case (.box(let box), .continuous(let values)): box.contains(values)
    case (.discrete(let discrete), .discrete(let value)): discrete.contains(value)
    default: false
    }
  }
}
