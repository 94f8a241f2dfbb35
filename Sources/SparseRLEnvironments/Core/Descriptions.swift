extension Space: CustomStringConvertible {
  /// Gymnasium-style text, e.g. `Discrete(2)` or `Box([-1.0, -1.0], [1.0, 1.0], shape: [2])`.
  public var description: String {
    switch self {
    case .discrete(let discrete):
      discrete.start == 0
        ? "Discrete(\(discrete.count))" : "Discrete(\(discrete.count), start: \(discrete.start))"
    case .box(let box):
      "Box(\(box.low), \(box.high), shape: \(box.shape))"
    }
  }
}

extension Action: CustomStringConvertible {
  /// The index or the vector, e.g. `2` or `[0.5, -1.0]`.
  public var description: String {
    switch self {
    case .discrete(let index): "\(index)"
    case .continuous(let values): "\(values)"
    }
  }
}
