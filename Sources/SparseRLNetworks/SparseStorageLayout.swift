import SparseRLNumerics

/// The stored (serialized) layout of a sparse weight: the one place that decides index widths, used by
/// `NetworkArchive` (checkpoints, policy files), the storage accounting and the exports.
///
/// A sparse `[rows x columns]` weight with `nnz` active entries is stored as CSR: the values (`Float`, `4 nnz`
/// bytes), the column index of each value and the start of each row (`rows + 1` entries). Index widths are
/// sized to the layer: a column index takes 2 bytes when the layer has at most 65,536 columns (indices fit in
/// `UInt16`), else 4; a row start takes 2 bytes when `nnz <= 65,535`, else 4. The CSC transpose the kernels use
/// in memory is derived on loading and not stored. In memory, `SparsePattern` keeps 32-bit indices.
public enum SparseStorageLayout {
  /// Largest column count whose indices are stored in 16 bits.
  public static let maximumNarrowColumns = 1 << 16
  /// Largest entry count whose row starts are stored in 16 bits.
  public static let maximumNarrowNonzeros = (1 << 16) - 1

  /// Bytes per stored column index of a layer with `columns` columns (2 or 4).
  public static func columnIndexBytes(columns: Int) -> Int { columns <= maximumNarrowColumns ? 2 : 4 }

  /// Bytes per stored row start of a weight with `nonzeros` active entries (2 or 4).
  public static func rowStartBytes(nonzeros: Int) -> Int { nonzeros <= maximumNarrowNonzeros ? 2 : 4 }

  /// Bytes of the stored sparse weight: values, column indices and row starts.
  public static func weightBytes(rows: Int, columns: Int, nonzeros: Int) -> Int {
    4 * nonzeros + columnIndexBytes(columns: columns) * nonzeros + rowStartBytes(nonzeros: nonzeros) * (rows + 1)
  }

  /// Writes `pattern` as the entries `rowStart` and `columnIndex` of `entry`, each `[UInt16]` or `[Int32]` as
  /// the widths above say.
  public static func encode(_ pattern: SparsePattern, into entry: inout BinaryArchive) {
    if rowStartBytes(nonzeros: pattern.nonzeroCount) == 2 {
      entry["rowStart"] = .uint16s(pattern.rowStart.map { UInt16(truncatingIfNeeded: $0) })
    } else {
      entry["rowStart"] = .int32s(pattern.rowStart)
    }
    if columnIndexBytes(columns: pattern.columns) == 2 {
      entry["columnIndex"] = .uint16s(pattern.columnIndex.map { UInt16(truncatingIfNeeded: $0) })
    } else {
      entry["columnIndex"] = .int32s(pattern.columnIndex)
    }
  }

  /// Reads and validates the pattern of a `[rows x columns]` weight from `entry`. Accepts `[UInt16]` or
  /// `[Int32]` for either array (archives from before sized indices hold `[Int32]`). Throws on a missing entry,
  /// another type, or indices that are not a valid CSR pattern (row starts from 0 to `nnz`, non-decreasing;
  /// columns ascending inside each row and below `columns`).
  public static func decode(_ entry: BinaryArchive, rows: Int, columns: Int) throws -> SparsePattern {
    let rowStart = try indices(entry, "rowStart", count: rows + 1)
    let columnIndex = try indices(entry, "columnIndex", count: nil)
    guard rowStart.first == 0, rowStart.last! == columnIndex.count else {
      throw ArchiveError.invalidValue(
        entry: entry.qualified("rowStart"), reason: "must start at 0 and end at \(columnIndex.count)")
    }
    var active: [Int] = []
    active.reserveCapacity(columnIndex.count)
    for r in 0..<rows {
      let (start, end) = (rowStart[r], rowStart[r + 1])
      guard start <= end else {
        throw ArchiveError.invalidValue(entry: entry.qualified("rowStart"), reason: "decreases at row \(r)")
      }
      var previous = -1
      for k in start..<end {
        let c = columnIndex[k]
        guard c > previous && c < columns else {
          throw ArchiveError.invalidValue(
            entry: entry.qualified("columnIndex"), reason: "row \(r): columns must ascend inside 0..<\(columns)")
        }
        previous = c
        active.append(r * columns + c)
      }
    }
    return SparsePattern(rows: rows, columns: columns, activeIndices: active)
  }

  private static func indices(_ entry: BinaryArchive, _ name: String, count: Int?) throws -> [Int] {
    if case .uint16s = try entry.value(name) { return try entry.uint16s(name, count: count).map(Int.init) }
    return try entry.int32s(name, count: count).map(Int.init)
  }
}
