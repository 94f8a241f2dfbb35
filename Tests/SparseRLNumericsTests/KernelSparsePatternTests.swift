import Testing

@testable import SparseRLNumerics

/// `SparsePattern` construction and round trips, checked against direct scans of the mask.
@Suite struct KernelSparsePatternTests {
  static let cases: [(Int, Int, Double)] = [
    (1, 1, 0), (1, 1, 1), (3, 17, 0.5), (17, 3, 0.9), (255, 17, 0.99), (40, 33, 0), (20, 20, 1),
    (0, 5, 0.5),
  ]

  @Test(arguments: cases)
  func maskAndIndicesRoundTrip(rows: Int, columns: Int, sparsity: Double) {
    var generator = RandomGenerator(seed: UInt64(rows * 100 + columns))
    let mask = KernelReference.randomMask(
      rows: rows, columns: columns, sparsity: sparsity, &generator)
    let pattern = SparsePattern(rows: rows, columns: columns, mask: mask)
    let indices = mask.indices.filter { mask[$0] }
    #expect(pattern.mask == mask)
    #expect(pattern.activeIndices == indices)
    #expect(SparsePattern(rows: rows, columns: columns, activeIndices: indices) == pattern)
    #expect(pattern.nonzeroCount == indices.count)
    let values = KernelReference.randomValues(pattern.nonzeroCount, &generator)
    #expect(pattern.gather(pattern.densify(values)) == values)
  }

  @Test(arguments: cases)
  func compressedColumnIndexIsTheTransposeOfTheRowIndex(rows: Int, columns: Int, sparsity: Double) {
    var generator = RandomGenerator(seed: UInt64(rows * 7 + columns))
    let mask = KernelReference.randomMask(
      rows: rows, columns: columns, sparsity: sparsity, &generator)
    let pattern = SparsePattern(rows: rows, columns: columns, mask: mask)
    #expect(pattern.rowStart.count == rows + 1 && pattern.columnStart.count == columns + 1)
    #expect(pattern.rowStart.first == 0 && Int(pattern.rowStart.last!) == pattern.nonzeroCount)
    #expect(
      pattern.columnStart.first == 0 && Int(pattern.columnStart.last!) == pattern.nonzeroCount)
    // Every CSC entry names an active position, in ascending rows per column, and points at the CSR slot
    // holding the same position; together they cover each CSR slot exactly once.
    var seen = [Bool](repeating: false, count: pattern.nonzeroCount)
    let active = pattern.activeIndices
    for c in 0..<columns {
      let entries = Int(pattern.columnStart[c])..<Int(pattern.columnStart[c + 1])
      let rowsOfColumn = entries.map { Int(pattern.rowIndex[$0]) }
      #expect(rowsOfColumn == (0..<rows).filter { mask[$0 * columns + c] }, "column \(c)")
      for k in entries {
        let slot = Int(pattern.valuePosition[k])
        #expect(active[slot] == Int(pattern.rowIndex[k]) * columns + c)
        #expect(!seen[slot])
        seen[slot] = true
      }
    }
    #expect(seen.allSatisfy { $0 })
    // CSR columns ascend within each row.
    for r in 0..<rows {
      let cols = (Int(pattern.rowStart[r])..<Int(pattern.rowStart[r + 1])).map {
        Int(pattern.columnIndex[$0])
      }
      #expect(cols == (0..<columns).filter { mask[r * columns + $0] }, "row \(r)")
    }
  }

  @Test func densePatternIsFullAndDensityIsExact() {
    let pattern = SparsePattern.dense(rows: 3, columns: 4)
    #expect(pattern.nonzeroCount == 12 && pattern.density == 1)
    #expect(pattern.mask.allSatisfy { $0 })
    let half = SparsePattern(rows: 2, columns: 2, activeIndices: [0, 3])
    #expect(half.density == 0.5)
    #expect(
      half.columnIndex == [0, 1] && half.rowIndex == [0, 1] && half.valuePosition == [0, 1])
  }
}
