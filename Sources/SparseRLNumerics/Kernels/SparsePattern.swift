/// The positions of the active weights of an `[rows x columns]` weight matrix, in two indexings:
///
/// - CSR (row-major): for row `r`, active columns are `columnIndex[rowStart[r]..<rowStart[r+1]]`,
///   ascending. The weight *values* of a sparse layer are stored in this order, one `Float` per active
///   weight, in a separate array (so values can change every step while the pattern stays fixed).
/// - CSC (the transpose): for column `c`, active rows are `rowIndex[columnStart[c]..<columnStart[c+1]]`,
///   ascending, and `valuePosition[k]` is the CSR position of that entry in the values array.
///
/// Building a pattern costs O(rows + columns + nnz). It is rebuilt only when the topology changes.
public struct SparsePattern: Equatable, Sendable {
  /// Rows of the dense shape (output features).
  public let rows: Int
  /// Columns of the dense shape (input features).
  public let columns: Int
  /// CSR row starts, `rows + 1` entries.
  public let rowStart: [Int32]
  /// CSR column of each active weight, `nonzeroCount` entries.
  public let columnIndex: [Int32]
  /// CSC column starts, `columns + 1` entries.
  public let columnStart: [Int32]
  /// CSC row of each active weight, `nonzeroCount` entries.
  public let rowIndex: [Int32]
  /// For each CSC entry, its position in the CSR-ordered values array.
  public let valuePosition: [Int32]

  /// Number of active weights.
  public var nonzeroCount: Int { columnIndex.count }

  /// Fraction of the dense shape that is active (1 for an empty shape).
  public var density: Double {
    rows * columns == 0 ? 1 : Double(nonzeroCount) / Double(rows * columns)
  }

  /// A pattern from the row-major flat indices (`row * columns + column`) of the active weights.
  /// Indices must be strictly ascending and inside the shape.
  public init(rows: Int, columns: Int, activeIndices: [Int]) {
    precondition(rows >= 0 && columns >= 0, "negative shape \(rows)x\(columns)")
    precondition(
      rows * columns < Int(Int32.max), "shape \(rows)x\(columns) too large for 32-bit indices")
    let count = activeIndices.count
    let size = rows * columns
    self.rows = rows
    self.columns = columns
    // Pass 1 (CSR): rows are found by walking row boundaries, no division; validation happens here too.
    var rowStart = [Int32](repeating: 0, count: rows + 1)
    var columnStart = [Int32](repeating: 0, count: columns + 1)
    let columnIndex = [Int32](unsafeUninitializedCapacity: count) { columnIndex, initialized in
      activeIndices.withUnsafeBufferPointer { flat in
        rowStart.withUnsafeMutableBufferPointer { rowStart in
          columnStart.withUnsafeMutableBufferPointer { columnCounts in
            var previous = -1
            var row = 0
            var rowBegin = 0
            for k in 0..<count {
              let index = flat[k]
              precondition(
                index > previous && index < size,
                "active indices must ascend strictly inside the \(rows)x\(columns) shape; got \(index) after \(previous)"
              )
              previous = index
              while index >= rowBegin + columns {  // leaving row `row`: it ends at entry k
                rowStart[row + 1] = Int32(k)
                row += 1
                rowBegin += columns
              }
              let column = index - rowBegin
              columnIndex[k] = Int32(column)
              columnCounts[column + 1] += 1
            }
            // Rows after the last active one end at `count`.
            for r in (row + 1)..<(rows + 1) { rowStart[r] = Int32(count) }
            for c in 0..<columns { columnCounts[c + 1] += columnCounts[c] }
          }
        }
      }
      initialized = count
    }
    // Pass 2 (CSC): a counting sort of the CSR entries by column, stable in row order.
    var rowIndex = [Int32](repeating: 0, count: count)
    var valuePosition = [Int32](repeating: 0, count: count)
    var next = columnStart
    rowStart.withUnsafeBufferPointer { rowStart in
      columnIndex.withUnsafeBufferPointer { columnIndex in
        next.withUnsafeMutableBufferPointer { next in
          rowIndex.withUnsafeMutableBufferPointer { rowIndex in
            valuePosition.withUnsafeMutableBufferPointer { valuePosition in
              for r in 0..<rows {
                for k in Int(rowStart[r])..<Int(rowStart[r + 1]) {
                  let c = Int(columnIndex[k])
                  let slot = Int(next[c])
                  rowIndex[slot] = Int32(r)
                  valuePosition[slot] = Int32(k)
                  next[c] = Int32(slot + 1)
                }
              }
            }
          }
        }
      }
    }
    self.rowStart = rowStart
    self.columnIndex = columnIndex
    self.columnStart = columnStart
    self.rowIndex = rowIndex
    self.valuePosition = valuePosition
  }

  /// A pattern from a dense row-major mask (`true` = active).
  public init(rows: Int, columns: Int, mask: [Bool]) {
    precondition(
      mask.count == rows * columns, "mask has \(mask.count) entries, shape needs \(rows * columns)")
    self.init(rows: rows, columns: columns, activeIndices: mask.indices.filter { mask[$0] })
  }

  /// The fully dense pattern of a shape.
  public static func dense(rows: Int, columns: Int) -> SparsePattern {
    SparsePattern(rows: rows, columns: columns, activeIndices: Array(0..<(rows * columns)))
  }

  /// Row-major flat indices of the active weights, in CSR (values) order.
  public var activeIndices: [Int] {
    var result = [Int]()
    result.reserveCapacity(nonzeroCount)
    for r in 0..<rows {
      for k in Int(rowStart[r])..<Int(rowStart[r + 1]) {
        result.append(r * columns + Int(columnIndex[k]))
      }
    }
    return result
  }

  /// The dense row-major mask.
  public var mask: [Bool] {
    var result = [Bool](repeating: false, count: rows * columns)
    for flat in activeIndices { result[flat] = true }
    return result
  }

  /// Scatters CSR-ordered `values` into a dense row-major matrix (zeros elsewhere).
  public func densify(_ values: [Float]) -> Matrix {
    precondition(
      values.count == nonzeroCount, "values count \(values.count) != nonzeros \(nonzeroCount)")
    var dense = Matrix(rows: rows, columns: columns)
    for (k, flat) in activeIndices.enumerated() { dense.scalars[flat] = values[k] }
    return dense
  }

  /// Gathers the active entries of a dense row-major matrix, in CSR order.
  public func gather(_ dense: Matrix) -> [Float] {
    precondition(dense.rows == rows && dense.columns == columns, "shape mismatch in gather")
    return activeIndices.map { dense.scalars[$0] }
  }
}
