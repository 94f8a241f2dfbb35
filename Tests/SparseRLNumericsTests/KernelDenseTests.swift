import Testing

@testable import SparseRLNumerics

/// Dense kernels against the naive `Double` loops of `KernelReference` (tolerance stated there:
/// `1e-4 * sum of |products| + 1e-6` per entry).
@Suite struct KernelDenseTests {
  /// `(out, in, batch)`: odd sizes, batch 1 (matrix-vector path), tile edges (6 x 16), depths past the
  /// 256-deep packing block (in = 300 for the forward pass, out = 300 for the input gradient, batch = 300 for
  /// the weight gradient), and the thin path's shapes (out up to `DenseKernels.thinRows`: odd and even row
  /// counts, batches around its 32- and 8-entry chunks, the output layers 256 -> 1 and 256 -> 6) next to the
  /// first shape past it (9 rows, the GEMM).
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (3, 17, 1), (255, 17, 1), (17, 255, 1), (17, 3, 5), (6, 16, 16), (7, 17, 17),
    (255, 17, 33),
    (17, 255, 3), (13, 300, 2), (300, 13, 9), (5, 7, 300), (1, 255, 64), (64, 1, 8), (96, 70, 65),
    (1, 256, 256), (6, 256, 256), (8, 33, 41), (3, 300, 37), (2, 5, 7), (9, 20, 40),
  ]

  @Test(arguments: shapes)
  func forwardMatchesNaiveLoop(shape: (Int, Int, Int)) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: UInt64(out * 1_000_003 + inFeatures * 1009 + batch))
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    var y = [Float](repeating: .nan, count: out * batch)
    w.withUnsafeBufferPointer { w in
      x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
          DenseKernels.forward(
            weights: w, input: x, output: y, outFeatures: out, inFeatures: inFeatures, batch: batch)
        }
      }
    }
    let (expected, bound) = KernelReference.forward(w, x, out: out, in: inFeatures, batch: batch)
    #expect(KernelReference.mismatches(y, expected, bound).isEmpty, "shape \(shape)")
  }

  @Test(arguments: shapes)
  func inputGradientMatchesNaiveLoop(shape: (Int, Int, Int)) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: UInt64(out * 7919 + inFeatures * 31 + batch))
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    var dx = [Float](repeating: .nan, count: inFeatures * batch)
    w.withUnsafeBufferPointer { w in
      dy.withUnsafeBufferPointer { dy in
        dx.withUnsafeMutableBufferPointer { dx in
          DenseKernels.inputGradient(
            weights: w, outputGradient: dy, inputGradient: dx, outFeatures: out,
            inFeatures: inFeatures,
            batch: batch)
        }
      }
    }
    let (expected, bound) = KernelReference.inputGradient(
      w, dy, out: out, in: inFeatures, batch: batch)
    #expect(KernelReference.mismatches(dx, expected, bound).isEmpty, "shape \(shape)")
  }

  @Test(arguments: shapes, [false, true])
  func weightGradientMatchesNaiveLoop(shape: (Int, Int, Int), accumulate: Bool) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: UInt64(out * 104_729 + inFeatures * 13 + batch))
    let dy = KernelReference.randomValues(out * batch, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let initial = KernelReference.randomValues(out * inFeatures, &generator)
    var dw = accumulate ? initial : [Float](repeating: .nan, count: out * inFeatures)
    dy.withUnsafeBufferPointer { dy in
      x.withUnsafeBufferPointer { x in
        dw.withUnsafeMutableBufferPointer { dw in
          DenseKernels.weightGradient(
            outputGradient: dy, input: x, weightGradient: dw, outFeatures: out,
            inFeatures: inFeatures,
            batch: batch, accumulate: accumulate)
        }
      }
    }
    var (expected, bound) = KernelReference.weightGradient(
      dy, x, out: out, in: inFeatures, batch: batch)
    if accumulate {
      for k in expected.indices {
        expected[k] += Double(initial[k])
        bound[k] += abs(Double(initial[k]))
      }
    }
    #expect(
      KernelReference.mismatches(dw, expected, bound).isEmpty,
      "shape \(shape), accumulate \(accumulate)")
  }

  /// The fused epilogue (bias and ReLU after the forward, the ReLU gate after the input gradient) gives the bits
  /// of the product followed by the separate pass, on every path: batch 1, the thin kernels (applied per row
  /// pair), the GEMM, and an empty reduction.
  @Test(arguments: [
    (1, 17, 1), (6, 17, 1), (1, 256, 256), (6, 256, 256), (7, 33, 41), (3, 5, 7), (9, 20, 40), (4, 0, 3),
  ])
  func fusedEpilogueMatchesTheSeparatePass(shape: (Int, Int, Int)) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: UInt64(out * 65_537 + inFeatures * 257 + batch))
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let bias = KernelReference.randomValues(out, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    // A ReLU output in front of the layer: about half zeros.
    let gate = KernelReference.randomValues(inFeatures * batch, &generator).map { max($0, 0) }
    func forward(bias: [Float]?, relu: Bool) -> [Float] {
      var y = [Float](repeating: .nan, count: out * batch)
      w.withUnsafeBufferPointer { w in
        x.withUnsafeBufferPointer { x in
          y.withUnsafeMutableBufferPointer { y in
            withOptionalBuffer(bias) { b in
              DenseKernels.forward(
                weights: w, input: x, output: y, outFeatures: out, inFeatures: inFeatures, batch: batch, bias: b,
                relu: relu)
            }
          }
        }
      }
      return y
    }
    let plain = forward(bias: nil, relu: false)
    for (withBias, relu) in [(true, false), (true, true), (false, true)] {
      var expected = plain
      expected.withUnsafeMutableBufferPointer { e in
        withOptionalBuffer(withBias ? bias : nil) { b in
          ElementwiseKernels.applyEpilogue(to: e, rows: out, columns: batch, bias: b, relu: relu)
        }
      }
      let fused = forward(bias: withBias ? bias : nil, relu: relu)
      #expect(
        fused.map(\.bitPattern) == expected.map(\.bitPattern), "forward \(shape), bias \(withBias), relu \(relu)")
    }
    func inputGradient(gate: [Float]?) -> [Float] {
      var dx = [Float](repeating: .nan, count: inFeatures * batch)
      w.withUnsafeBufferPointer { w in
        dy.withUnsafeBufferPointer { dy in
          dx.withUnsafeMutableBufferPointer { dx in
            withOptionalBuffer(gate) { g in
              DenseKernels.inputGradient(
                weights: w, outputGradient: dy, inputGradient: dx, outFeatures: out, inFeatures: inFeatures,
                batch: batch, gate: g)
            }
          }
        }
      }
      return dx
    }
    var expected = inputGradient(gate: nil)
    expected.withUnsafeMutableBufferPointer { e in
      gate.withUnsafeBufferPointer { g in
        ElementwiseKernels.applyEpilogue(to: e, rows: inFeatures, columns: batch, gate: g)
      }
    }
    #expect(inputGradient(gate: gate).map(\.bitPattern) == expected.map(\.bitPattern), "input gradient \(shape)")
  }

  /// Zero-sized dimensions: an empty reduction writes zeros (or leaves accumulated values), nothing is read.
  @Test func emptyDimensionsProduceZerosOrNoOp() {
    var y = [Float](repeating: .nan, count: 4 * 3)
    y.withUnsafeMutableBufferPointer { y in
      DenseKernels.forward(
        weights: UnsafeBufferPointer(start: nil, count: 0),
        input: UnsafeBufferPointer(start: nil, count: 0),
        output: y, outFeatures: 4, inFeatures: 0, batch: 3)
    }
    #expect(y == [Float](repeating: 0, count: 12))
    var dx = [Float](repeating: .nan, count: 5 * 2)
    dx.withUnsafeMutableBufferPointer { dx in
      DenseKernels.inputGradient(
        weights: UnsafeBufferPointer(start: nil, count: 0),
        outputGradient: UnsafeBufferPointer(start: nil, count: 0),
        inputGradient: dx, outFeatures: 0, inFeatures: 5, batch: 2)
    }
    #expect(dx == [Float](repeating: 0, count: 10))
    var dw: [Float] = [1, 2, 3, 4, 5, 6]
    for accumulate in [true, false] {
      dw.withUnsafeMutableBufferPointer { dw in
        DenseKernels.weightGradient(
          outputGradient: UnsafeBufferPointer(start: nil, count: 0),
          input: UnsafeBufferPointer(start: nil, count: 0),
          weightGradient: dw, outFeatures: 2, inFeatures: 3, batch: 0, accumulate: accumulate)
      }
      #expect(dw == (accumulate ? [1, 2, 3, 4, 5, 6] : [0, 0, 0, 0, 0, 0]))
    }
  }

  /// An explicit workspace gives bit-identical results to the thread's own, and concurrent callers on
  /// different threads (each with its own thread-local workspace) do not disturb each other.
  @Test func workspacesAreIndependentAcrossThreads() async {
    let (out, inFeatures, batch) = (70, 300, 37)
    var generator = RandomGenerator(seed: 5)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    func gradient(_ workspace: KernelWorkspace?) -> [Float] {
      var dw = [Float](repeating: 0, count: out * inFeatures)
      dy.withUnsafeBufferPointer { dy in
        x.withUnsafeBufferPointer { x in
          dw.withUnsafeMutableBufferPointer { dw in
            if let workspace {
              DenseKernels.weightGradient(
                outputGradient: dy, input: x, weightGradient: dw, outFeatures: out,
                inFeatures: inFeatures,
                batch: batch, accumulate: false, workspace: workspace)
            } else {
              DenseKernels.weightGradient(
                outputGradient: dy, input: x, weightGradient: dw, outFeatures: out,
                inFeatures: inFeatures,
                batch: batch, accumulate: false)
            }
          }
        }
      }
      return dw
    }
    let reference = gradient(KernelWorkspace())
    #expect(gradient(nil) == reference)
    let results = await withTaskGroup(of: [Float].self) { group in
      for _ in 0..<4 { group.addTask { (0..<5).map { _ in gradient(nil) }.last! } }
      return await group.reduce(into: [[Float]]()) { $0.append($1) }
    }
    #expect(results.allSatisfy { $0 == reference })
  }
}

/// `body` with `array`'s buffer, or with `nil`.
private func withOptionalBuffer<R>(_ array: [Float]?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0) }
}
