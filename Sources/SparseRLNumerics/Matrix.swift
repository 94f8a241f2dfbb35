/// A dense two-dimensional array of `Float`, stored row-major and contiguous.
///
/// Layout conventions used across SparseRL:
/// - Weights of a linear map are `[outFeatures x inFeatures]`.
/// - Activations and gradients flowing through a network are **feature-major**, `[features x batch]`:
///   row `i` holds feature `i` for every sample of the batch, contiguously. The sparse kernels rely on this:
///   one active weight multiplies one contiguous run of the batch.
/// - Convolutional activations `[channels, height, width]` flatten to `channels * height * width` feature
///   rows in that order (row index `(c * height + y) * width + x`), each row again holding the batch.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns.
  public private(set) var columns: Int
  /// The elements, row-major: element `(r, c)` is at `r * columns + c`.
  public var scalars: [Float]

  /// A matrix of `rows x columns` filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Float = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative, got \(rows)x\(columns)")
    self.rows = rows
    self.columns = columns
    self.scalars = [Float](repeating: value, count: rows * columns)
  }

  /// A matrix of `rows x columns` taking ownership of `scalars` (row-major).
  public init(rows: Int, columns: Int, scalars: [Float]) {
    precondition(
      scalars.count == rows * columns,
      "Matrix of \(rows)x\(columns) needs \(rows * columns) scalars, got \(scalars.count)")
    self.rows = rows
    self.columns = columns
    self.scalars = scalars
  }

  /// A matrix from nested rows; all rows must have the same length.
  public init(_ nested: [[Float]]) {
    let columns = nested.first?.count ?? 0
    precondition(nested.allSatisfy { $0.count == columns }, "Matrix rows have different lengths")
    self.init(rows: nested.count, columns: columns, scalars: nested.flatMap { $0 })
  }

  /// Number of elements.
  public var count: Int { rows * columns }

  /// Element at row `r`, column `c`.
  @inlinable public subscript(r: Int, c: Int) -> Float {
    get { scalars[r * columns + c] }
    set { scalars[r * columns + c] = newValue }
  }

  /// One row as an array.
  public func row(_ r: Int) -> [Float] { Array(scalars[(r * columns)..<((r + 1) * columns)]) }

  /// Changes the shape, keeping capacity where possible. Contents are unspecified afterwards unless the
  /// element count is unchanged (then they are kept, reinterpreted).
  public mutating func reshape(rows: Int, columns: Int) {
    let newCount = rows * columns
    if newCount != scalars.count {
      if newCount < scalars.count {
        scalars.removeLast(scalars.count - newCount)
      } else {
        scalars.append(contentsOf: repeatElement(0, count: newCount - scalars.count))
      }
    }
    self.rows = rows
    self.columns = columns
  }

  /// Makes this matrix `rows x columns` for reuse as a buffer: nothing changes when it has that shape already,
  /// otherwise it is reshaped in its own storage (`reshape`), so a matrix prepared to the same shape on every
  /// call allocates only the first time. Contents are unspecified after a change of shape.
  public mutating func prepare(rows: Int, columns: Int) {
    if self.rows != rows || self.columns != columns { reshape(rows: rows, columns: columns) }
  }

  /// Makes this matrix an element-wise copy of `source` in its own storage (reusing its capacity): unlike
  /// assignment, it shares no storage with `source` afterwards, so writing either later copies nothing.
  public mutating func copyContents(of source: Matrix) {
    reshape(rows: source.rows, columns: source.columns)
    scalars.withUnsafeMutableBufferPointer { destination in
      source.scalars.withUnsafeBufferPointer { source in
        if source.count > 0 { destination.baseAddress!.update(from: source.baseAddress!, count: source.count) }
      }
    }
  }

  /// The transpose (a copy).
  public func transposed() -> Matrix {
    var result = Matrix(rows: columns, columns: rows)
    for r in 0..<rows {
      for c in 0..<columns { result.scalars[c * rows + r] = scalars[r * columns + c] }
    }
    return result
  }

  /// Sets every element to `value`.
  public mutating func fill(_ value: Float) {
    scalars.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
  }

  public var description: String {
    "Matrix(\(rows)x\(columns))"
  }
}
