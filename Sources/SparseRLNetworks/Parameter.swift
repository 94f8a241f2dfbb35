import SparseRLNumerics

/// A trainable tensor: its values, its gradient and the optimizer's per-element state, stored either densely
/// or, for a sparse weight, compactly: only the active entries exist, in the CSR order of `pattern`.
///
/// Because inactive weights are not stored, they are exactly zero by construction: no optimizer step, weight
/// decay or target update can revive them. Everything stored per element (value, gradient, every optimizer
/// slot) has the same length and order, and `setPattern` remaps all of it together when the topology changes.
public final class Parameter {
  /// Name, unique within its network (e.g. `0.weight`): a layer names its own parameters (`weight`, `bias`),
  /// and each container (`Sequential`, `ResidualBlock`) that is built around layers renames every parameter
  /// below it to its dotted path, so after the outermost container is built the names are the network's paths.
  public internal(set) var name: String
  /// The name the parameter was created with, which its layer knows it by (`weight`, `bias`).
  public let localName: String
  /// Rows of the dense shape (`out` for a weight; the length for a bias, with `columns == 1`).
  public let rows: Int
  /// Columns of the dense shape.
  public let columns: Int
  /// `nil` for a dense parameter; otherwise the active positions, and values are stored in its CSR order.
  public private(set) var pattern: SparsePattern?
  /// The stored values: `rows * columns` (dense, row-major) or `pattern.nonzeroCount` (sparse, CSR order).
  public var value: [Float]
  /// The gradient, same layout as `value`. Layers accumulate into it; `zeroGradient()` clears it.
  public var gradient: [Float]
  /// Optimizer state per element, same layout as `value` (for example Adam's `m` and `v`).
  public var optimizerState: [String: [Float]]

  /// A dense parameter of the given shape with the given values (row-major).
  public init(name: String, rows: Int, columns: Int, value: [Float]) {
    precondition(value.count == rows * columns, "\(name): \(value.count) values for shape \(rows)x\(columns)")
    self.name = name
    self.localName = name
    self.rows = rows
    self.columns = columns
    self.pattern = nil
    self.value = value
    self.gradient = [Float](repeating: 0, count: value.count)
    self.optimizerState = [:]
  }

  /// A sparse parameter: `value` holds the active entries in the CSR order of `pattern`.
  public init(name: String, pattern: SparsePattern, value: [Float]) {
    precondition(
      value.count == pattern.nonzeroCount, "\(name): \(value.count) values for \(pattern.nonzeroCount) active")
    self.name = name
    self.localName = name
    self.rows = pattern.rows
    self.columns = pattern.columns
    self.pattern = pattern
    self.value = value
    self.gradient = [Float](repeating: 0, count: value.count)
    self.optimizerState = [:]
  }

  /// Whether only active entries are stored.
  public var isSparse: Bool { pattern != nil }
  /// Number of stored (active) entries.
  public var activeCount: Int { value.count }
  /// Number of entries of the dense shape.
  public var denseCount: Int { rows * columns }

  /// Sets the gradient to zero.
  public func zeroGradient() {
    gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
  }

  /// The values as a dense matrix (inactive entries are 0).
  public func denseValue() -> Matrix {
    if let pattern { return pattern.densify(value) }
    return Matrix(rows: rows, columns: columns, scalars: value)
  }

  /// The dense row-major mask (all true for a dense parameter).
  public var mask: [Bool] { pattern?.mask ?? [Bool](repeating: true, count: denseCount) }

  /// Changes the active positions to `newPattern` (same dense shape). Entries active before and after keep
  /// their value, gradient and optimizer state; newly active entries take `initialValue(flatIndex)` and zero
  /// gradient and optimizer state; entries no longer active are discarded. Cost O(nnz_old + nnz_new).
  /// A dense parameter becomes sparse.
  public func setPattern(_ newPattern: SparsePattern, initialValue: (Int) -> Float = { _ in 0 }) {
    precondition(newPattern.rows == rows && newPattern.columns == columns, "\(name): pattern shape mismatch")
    let oldIndices = pattern?.activeIndices ?? Array(0..<denseCount)
    let newIndices = newPattern.activeIndices
    // Merge the two ascending index lists: position in old storage for each new entry, or -1.
    var source = [Int](repeating: -1, count: newIndices.count)
    var o = 0
    for (k, flat) in newIndices.enumerated() {
      while o < oldIndices.count && oldIndices[o] < flat { o += 1 }
      if o < oldIndices.count && oldIndices[o] == flat { source[k] = o }
    }
    func remap(_ old: [Float], fresh: (Int) -> Float) -> [Float] {
      source.indices.map { k in source[k] >= 0 ? old[source[k]] : fresh(newIndices[k]) }
    }
    value = remap(value, fresh: initialValue)
    gradient = remap(gradient, fresh: { _ in 0 })
    for (key, slot) in optimizerState { optimizerState[key] = remap(slot, fresh: { _ in 0 }) }
    pattern = newPattern
  }

  /// Stores the parameter densely again (inactive entries become stored zeros with zero gradient and optimizer
  /// state). Does nothing for a dense parameter.
  public func makeDense() {
    guard let pattern else { return }
    let indices = pattern.activeIndices
    func scatter(_ stored: [Float]) -> [Float] {
      var dense = [Float](repeating: 0, count: denseCount)
      for (k, flat) in indices.enumerated() { dense[flat] = stored[k] }
      return dense
    }
    value = scatter(value)
    gradient = scatter(gradient)
    for (key, slot) in optimizerState { optimizerState[key] = scatter(slot) }
    self.pattern = nil
  }

  /// Gives this parameter the layout of `other` (same dense shape): its pattern, or dense storage if `other`
  /// is dense. Entries that become newly active take `other`'s value at that position. Does nothing when the
  /// layouts already agree.
  public func adoptLayout(of other: Parameter) {
    precondition(other.rows == rows && other.columns == columns, "\(name): cannot adopt layout of \(other.name)")
    if let otherPattern = other.pattern {
      if pattern == otherPattern {
        pattern = otherPattern  // share storage, so later comparisons take Array's identity fast path
        return
      }
      let source = other.denseValue()
      setPattern(otherPattern) { source.scalars[$0] }
    } else if pattern != nil {
      let previousMask = mask
      makeDense()
      for k in 0..<denseCount where !previousMask[k] { value[k] = other.value[k] }
    }
  }

  /// A deep copy: same names, shape, pattern, values, gradient and optimizer state, sharing no storage.
  public func copy() -> Parameter {
    let result: Parameter
    if let pattern {
      result = Parameter(name: localName, pattern: pattern, value: value)
    } else {
      result = Parameter(name: localName, rows: rows, columns: columns, value: value)
    }
    result.name = name
    result.gradient = gradient
    result.optimizerState = optimizerState
    return result
  }
}
