import Testing

@testable import SparseRLNumerics

/// Sparse kernels against the naive `Double` loops of `KernelReference` applied to the densified weights
/// (inactive weights are zero there). Tolerance as stated in `KernelReference`.
@Suite struct KernelSparseTests {
  /// `(rows = out, columns = in, batch)`: odd sizes and every batch-chunk path (64, 32, 16, 8, scalar tail); then
  /// sources beyond four 256 KiB blocks, which the kernels read block by block (`gather_rows`): in both directions
  /// at batch 256, a batch not a multiple of 8, one huge row, a batch of one vector plus a scalar, and more rows
  /// than one 128-row group.
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (3, 17, 1), (17, 3, 5), (255, 17, 3), (17, 255, 1), (33, 40, 127), (9, 11, 256),
    (20, 30, 17),
    (10, 12, 12),
    (40, 1500, 256), (1500, 40, 256), (37, 3000, 100), (1, 20000, 72), (3, 40000, 9), (300, 3000, 64),
  ]
  static let sparsities: [Double] = [0, 0.5, 0.9, 0.99, 1]

  /// A random pattern, CSR values and the equivalent dense weights (zeros at inactive positions).
  static func layer(_ shape: (Int, Int, Int), sparsity: Double, seed: UInt64) -> (
    SparsePattern, [Float], [Float], RandomGenerator
  ) {
    var generator = RandomGenerator(seed: seed)
    let mask = KernelReference.randomMask(
      rows: shape.0, columns: shape.1, sparsity: sparsity, &generator)
    let pattern = SparsePattern(rows: shape.0, columns: shape.1, mask: mask)
    let values = KernelReference.randomValues(pattern.nonzeroCount, &generator)
    return (pattern, values, pattern.densify(values).scalars, generator)
  }

  @Test(arguments: shapes, sparsities)
  func forwardMatchesDenseNaiveLoop(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    var (pattern, values, dense, generator) = Self.layer(shape, sparsity: sparsity, seed: 11)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    var y = [Float](repeating: .nan, count: out * batch)
    values.withUnsafeBufferPointer { v in
      x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
          SparseKernels.forward(pattern: pattern, values: v, input: x, output: y, batch: batch)
        }
      }
    }
    let (expected, bound) = KernelReference.forward(
      dense, x, out: out, in: inFeatures, batch: batch)
    #expect(
      KernelReference.mismatches(y, expected, bound).isEmpty, "shape \(shape), sparsity \(sparsity)"
    )
    _ = pattern
  }

  /// Shapes for the input gradient through CSC-ordered values (used above a batch of 64): batches just past
  /// one and two 64-chunks and not multiples of a chunk, a single huge CSC row (one input feeding 3000 outputs),
  /// single-entry rows, and a wide layer.
  static let transposedShapes: [(Int, Int, Int)] = [
    (1, 1, 65), (3000, 1, 129), (1, 3000, 100), (17, 3, 65), (33, 40, 127), (255, 17, 200), (64, 64, 256),
    (40, 33, 300),
  ]

  /// The input gradient through CSC-ordered values (`transposedValues`) matches the naive loop and is
  /// bit-identical to the gather through `valuePosition`.
  @Test(arguments: transposedShapes, [0, 0.5, 0.9, 0.99])
  func inputGradientThroughTransposedValuesIsTheSame(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    var (pattern, values, dense, generator) = Self.layer(shape, sparsity: sparsity, seed: 31)
    let dy = KernelReference.randomValues(out * batch, &generator)
    var direct = [Float](repeating: .nan, count: inFeatures * batch)
    var transposedResult = [Float](repeating: .nan, count: inFeatures * batch)
    var scratch = [Float](repeating: .nan, count: pattern.nonzeroCount + 3)
    values.withUnsafeBufferPointer { v in
      dy.withUnsafeBufferPointer { dy in
        direct.withUnsafeMutableBufferPointer { dx in
          SparseKernels.inputGradient(
            pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch)
        }
        transposedResult.withUnsafeMutableBufferPointer { dx in
          scratch.withUnsafeMutableBufferPointer { t in
            SparseKernels.inputGradient(
              pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch, transposedValues: t)
          }
        }
      }
    }
    let (expected, bound) = KernelReference.inputGradient(dense, dy, out: out, in: inFeatures, batch: batch)
    #expect(
      KernelReference.mismatches(transposedResult, expected, bound).isEmpty, "shape \(shape), sparsity \(sparsity)")
    #expect(transposedResult == direct, "shape \(shape), sparsity \(sparsity)")
    // The scratch holds the values in CSC order.
    for k in 0..<pattern.nonzeroCount { #expect(scratch[k] == values[Int(pattern.valuePosition[k])]) }
    _ = pattern
  }

  @Test(arguments: shapes, sparsities)
  func inputGradientMatchesDenseNaiveLoop(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    var (pattern, values, dense, generator) = Self.layer(shape, sparsity: sparsity, seed: 12)
    let dy = KernelReference.randomValues(out * batch, &generator)
    var dx = [Float](repeating: .nan, count: inFeatures * batch)
    values.withUnsafeBufferPointer { v in
      dy.withUnsafeBufferPointer { dy in
        dx.withUnsafeMutableBufferPointer { dx in
          SparseKernels.inputGradient(
            pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch)
        }
      }
    }
    let (expected, bound) = KernelReference.inputGradient(
      dense, dy, out: out, in: inFeatures, batch: batch)
    #expect(
      KernelReference.mismatches(dx, expected, bound).isEmpty,
      "shape \(shape), sparsity \(sparsity)")
    _ = pattern
  }

  @Test(arguments: shapes, sparsities)
  func weightGradientMatchesDenseNaiveLoopAtActivePositions(
    shape: (Int, Int, Int), sparsity: Double
  ) {
    let (out, inFeatures, batch) = shape
    var (pattern, _, _, generator) = Self.layer(shape, sparsity: sparsity, seed: 13)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let initial = KernelReference.randomValues(pattern.nonzeroCount, &generator)
    let (denseExpected, denseBound) = KernelReference.weightGradient(
      dy, x, out: out, in: inFeatures, batch: batch)
    let active = pattern.activeIndices
    for accumulate in [false, true] {
      // One extra slot past the active weights must stay untouched.
      var gradient =
        (accumulate ? initial : [Float](repeating: .nan, count: pattern.nonzeroCount)) + [42]
      dy.withUnsafeBufferPointer { dy in
        x.withUnsafeBufferPointer { x in
          gradient.withUnsafeMutableBufferPointer { g in
            SparseKernels.weightGradient(
              pattern: pattern, outputGradient: dy, input: x, valueGradient: g, batch: batch,
              accumulate: accumulate)
          }
        }
      }
      #expect(gradient.last == 42)
      let expected = active.indices.map {
        denseExpected[active[$0]] + (accumulate ? Double(initial[$0]) : 0)
      }
      let bound = active.indices.map {
        denseBound[active[$0]] + (accumulate ? abs(Double(initial[$0])) : 0)
      }
      #expect(
        KernelReference.mismatches(Array(gradient.dropLast()), expected, bound).isEmpty,
        "shape \(shape), sparsity \(sparsity), accumulate \(accumulate)")
    }
    generator = RandomGenerator(seed: 0)
    _ = pattern
  }

  /// Bias and ReLU fused into `forward`, and the ReLU gate into `inputGradient` (through `valuePosition` and
  /// through CSC-ordered values), give the bits of the plain product followed by the scalar passes: on every
  /// path of the gather (chunks, blocked sources, scalar tails) and for an empty pattern.
  @Test(arguments: shapes, [0.5, 0.9, 1])
  func fusedEpilogueMatchesSeparatePassesBitForBit(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    var (pattern, values, _, generator) = Self.layer(shape, sparsity: sparsity, seed: 14)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let bias = KernelReference.randomValues(out, &generator)
    var gate = KernelReference.randomValues(inFeatures * batch, &generator).map { max($0, 0) }
    if gate.count > 2 { gate[1] = 0 }
    var plainY = [Float](repeating: .nan, count: out * batch)
    var fusedY = plainY
    var plainDX = [Float](repeating: .nan, count: inFeatures * batch)
    var gatedDX = plainDX
    var gatedTransposedDX = plainDX
    var scratch = [Float](repeating: .nan, count: pattern.nonzeroCount)
    values.withUnsafeBufferPointer { v in
      x.withUnsafeBufferPointer { x in
        plainY.withUnsafeMutableBufferPointer { y in
          SparseKernels.forward(pattern: pattern, values: v, input: x, output: y, batch: batch)
        }
        bias.withUnsafeBufferPointer { b in
          fusedY.withUnsafeMutableBufferPointer { y in
            SparseKernels.forward(pattern: pattern, values: v, input: x, output: y, batch: batch, bias: b, relu: true)
          }
        }
      }
      dy.withUnsafeBufferPointer { dy in
        plainDX.withUnsafeMutableBufferPointer { dx in
          SparseKernels.inputGradient(pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch)
        }
        gate.withUnsafeBufferPointer { g in
          gatedDX.withUnsafeMutableBufferPointer { dx in
            SparseKernels.inputGradient(
              pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch, gate: g)
          }
          gatedTransposedDX.withUnsafeMutableBufferPointer { dx in
            scratch.withUnsafeMutableBufferPointer { t in
              SparseKernels.inputGradient(
                pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch,
                transposedValues: t, gate: g)
            }
          }
        }
      }
    }
    let expectedY = KernelReference.epilogue(plainY, rows: out, columns: batch, bias: bias, relu: true)
    let expectedDX = KernelReference.epilogue(plainDX, rows: inFeatures, columns: batch, gate: gate)
    #expect(fusedY.map(\.bitPattern) == expectedY.map(\.bitPattern), "shape \(shape), sparsity \(sparsity)")
    #expect(gatedDX.map(\.bitPattern) == expectedDX.map(\.bitPattern), "shape \(shape), sparsity \(sparsity)")
    #expect(
      gatedTransposedDX.map(\.bitPattern) == expectedDX.map(\.bitPattern), "shape \(shape), sparsity \(sparsity)")
    _ = pattern
  }

  /// A fully dense pattern gives the same results as the dense kernels (up to rounding).
  @Test func densePatternAgreesWithDenseKernels() {
    let (out, inFeatures, batch) = (37, 45, 40)
    var generator = RandomGenerator(seed: 99)
    let pattern = SparsePattern.dense(rows: out, columns: inFeatures)
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    var sparseY = [Float](repeating: 0, count: out * batch)
    var denseY = sparseY
    w.withUnsafeBufferPointer { w in
      x.withUnsafeBufferPointer { x in
        sparseY.withUnsafeMutableBufferPointer { y in
          SparseKernels.forward(pattern: pattern, values: w, input: x, output: y, batch: batch)
        }
        denseY.withUnsafeMutableBufferPointer { y in
          DenseKernels.forward(
            weights: w, input: x, output: y, outFeatures: out, inFeatures: inFeatures, batch: batch)
        }
      }
    }
    let (_, bound) = KernelReference.forward(w, x, out: out, in: inFeatures, batch: batch)
    #expect(KernelReference.mismatches(sparseY, denseY.map(Double.init), bound).isEmpty)
  }
}
