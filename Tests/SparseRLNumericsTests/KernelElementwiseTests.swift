import Testing

@testable import SparseRLNumerics

/// The layers' element-wise kernels against scalar Swift loops: ReLU and the epilogue must match bit for bit
/// (the same operations), the row sums (a different summation order) the `Double` sum within float rounding.
/// Lengths and widths straddle the 8- and 16-lane blocks and their scalar tails.
@Suite struct KernelElementwiseTests {
  static let lengths = [0, 1, 7, 8, 9, 16, 17, 31, 1000]

  /// Random values with the special cases ReLU must keep: -0, +0, infinities and NaN.
  static func valuesWithSpecials(_ count: Int, seed: UInt64) -> [Float] {
    var generator = RandomGenerator(seed: seed)
    var values = KernelReference.randomValues(count, &generator)
    let specials: [Float] = [-0.0, 0, .infinity, -.infinity, .nan, -.nan]
    for (k, special) in specials.enumerated() where k * 3 < count { values[k * 3] = special }
    return values
  }

  @Test(arguments: lengths)
  func reluMatchesSwiftMaxBitForBit(count: Int) {
    let x = Self.valuesWithSpecials(count, seed: UInt64(count) + 1)
    var y = [Float](repeating: 7, count: count)
    x.withUnsafeBufferPointer { x in
      y.withUnsafeMutableBufferPointer { y in ElementwiseKernels.relu(input: x, output: y) }
    }
    #expect(y.map(\.bitPattern) == x.map { max($0, 0) }.map(\.bitPattern))
  }

  @Test(arguments: lengths)
  func reluBackwardMatchesScalarLoopBitForBit(count: Int) {
    let y = Self.valuesWithSpecials(count, seed: UInt64(count) + 2).map { max($0, 0) }
    let dy = Self.valuesWithSpecials(count, seed: UInt64(count) + 3)
    var dx = [Float](repeating: 7, count: count)
    y.withUnsafeBufferPointer { y in
      dy.withUnsafeBufferPointer { dy in
        dx.withUnsafeMutableBufferPointer { dx in
          ElementwiseKernels.reluBackward(output: y, outputGradient: dy, inputGradient: dx)
        }
      }
    }
    let expected = (0..<count).map { dy[$0] * (y[$0] > 0 ? 1 : 0) }
    #expect(dx.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  /// The epilogue forms the layers use: bias, bias + ReLU, ReLU alone, ReLU gate.
  enum EpilogueForm: CaseIterable { case bias, biasReLU, relu, gate }

  @Test(arguments: [(1, 1), (3, 7), (2, 8), (5, 17), (4, 256)], EpilogueForm.allCases)
  func epilogueMatchesSeparateScalarLoopsBitForBit(shape: (Int, Int), form: EpilogueForm) {
    let (rows, columns) = shape
    var generator = RandomGenerator(seed: UInt64(rows * 100 + columns))
    let bias = KernelReference.randomValues(rows, &generator)
    var values = Self.valuesWithSpecials(rows * columns, seed: UInt64(rows + columns))
    let gate = Self.valuesWithSpecials(rows * columns, seed: UInt64(rows + columns + 1)).map { max($0, 0) }
    let useBias = form == .bias || form == .biasReLU
    let relu = form == .biasReLU || form == .relu
    let expected = KernelReference.epilogue(
      values, rows: rows, columns: columns, bias: useBias ? bias : nil, relu: relu, gate: form == .gate ? gate : nil)
    bias.withUnsafeBufferPointer { b in
      gate.withUnsafeBufferPointer { g in
        values.withUnsafeMutableBufferPointer { v in
          ElementwiseKernels.applyEpilogue(
            to: v, rows: rows, columns: columns, bias: useBias ? b : nil, relu: relu, gate: form == .gate ? g : nil)
        }
      }
    }
    #expect(values.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  /// Each row's sum is added to what `sums` held, within `1e-6` of the `Double` sum of the magnitudes (float
  /// rounding of a few hundred terms); rows are independent (a row of NaN spoils only its own sum).
  @Test(arguments: [(1, 1), (3, 7), (2, 8), (5, 17), (4, 33), (3, 256), (2, 1000)])
  func rowSumsMatchDoubleSum(shape: (Int, Int)) {
    let (rows, columns) = shape
    var generator = RandomGenerator(seed: UInt64(rows * 1000 + columns))
    var values = KernelReference.randomValues(rows * columns, &generator)
    let initial = KernelReference.randomValues(rows, &generator)
    if rows > 1 { values[columns - 1] = .nan }
    var sums = initial
    values.withUnsafeBufferPointer { v in
      sums.withUnsafeMutableBufferPointer { s in
        ElementwiseKernels.addRowSums(of: v, rows: rows, columns: columns, to: s)
      }
    }
    for r in 0..<rows {
      let row = values[(r * columns)..<((r + 1) * columns)]
      if rows > 1 && r == 0 {
        #expect(sums[0].isNaN)
        continue
      }
      let exact = Double(initial[r]) + row.reduce(0.0) { $0 + Double($1) }
      let magnitude = abs(Double(initial[r])) + row.reduce(0.0) { $0 + abs(Double($1)) }
      #expect(abs(Double(sums[r]) - exact) <= 1e-6 * magnitude, "row \(r) of \(shape)")
    }
  }
}
