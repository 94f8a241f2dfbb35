import Testing

@testable import SparseRLNumerics

/// The kernels split across threads compute every output exactly as one thread does: results for 2 and 3
/// threads are bit-identical to 1 thread, for shapes above the split threshold (and odd sizes, so parts end
/// inside tiles and rows of different lengths). The one-thread results are checked against the naive loops by
/// the other kernel tests. The thread count is process-wide; these tests set it and restore 1.
@Suite(.serialized) struct KernelThreadsTests {
  /// `(out, in, batch)` with at least 131,072 multiply-adds dense.
  static let shapes: [(Int, Int, Int)] = [(256, 256, 256), (23, 256, 256), (257, 61, 129), (6, 256, 256)]

  /// Runs `body` with each thread count and returns its results.
  static func results(_ body: () -> [Float]) -> [[Float]] {
    defer { KernelThreads.setCount(1) }
    return [1, 2, 3].map { threads in
      #expect(KernelThreads.setCount(threads) == threads)
      return body()
    }
  }

  /// Expects every result to equal the first bit for bit (reporting the first difference only: a failing
  /// `==` of arrays this long would print a diff of hundreds of thousands of elements).
  static func expectIdentical(_ results: [[Float]]) {
    for (index, result) in results.enumerated().dropFirst() {
      let first = result.indices.first { $0 >= results[0].count || result[$0].bitPattern != results[0][$0].bitPattern }
      #expect(
        result.count == results[0].count && first == nil,
        "\(index + 1) threads differ from 1 thread at element \(first.map(String.init) ?? "-")")
    }
  }

  @Test(arguments: shapes)
  func denseProductsAreBitIdenticalForEveryThreadCount(shape: (Int, Int, Int)) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: 21)
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let all = Self.results {
      var y = [Float](repeating: .nan, count: out * batch)
      var dx = [Float](repeating: .nan, count: inFeatures * batch)
      var dw = [Float](repeating: 1, count: out * inFeatures)
      w.withUnsafeBufferPointer { w in
        x.withUnsafeBufferPointer { x in
          dy.withUnsafeBufferPointer { dy in
            y.withUnsafeMutableBufferPointer { y in
              DenseKernels.forward(
                weights: w, input: x, output: y, outFeatures: out, inFeatures: inFeatures, batch: batch)
            }
            dx.withUnsafeMutableBufferPointer { dx in
              DenseKernels.inputGradient(
                weights: w, outputGradient: dy, inputGradient: dx, outFeatures: out, inFeatures: inFeatures,
                batch: batch)
            }
            dw.withUnsafeMutableBufferPointer { dw in
              DenseKernels.weightGradient(
                outputGradient: dy, input: x, weightGradient: dw, outFeatures: out, inFeatures: inFeatures,
                batch: batch, accumulate: true)
            }
          }
        }
      }
      return y + dx + dw
    }
    Self.expectIdentical(all)
    // And the split result is the product (so a part that skipped its rows would not pass unnoticed).
    let (expected, bound) = KernelReference.forward(w, x, out: out, in: inFeatures, batch: batch)
    #expect(KernelReference.mismatches(Array(all[2][0..<(out * batch)]), expected, bound).isEmpty)
  }

  @Test(arguments: shapes, [0.5, 0.9])
  func sparseProductsAreBitIdenticalForEveryThreadCount(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    let (pattern, values, dense, start) = KernelSparseTests.layer(shape, sparsity: sparsity, seed: 23)
    var generator = start
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let all = Self.results {
      var y = [Float](repeating: .nan, count: out * batch)
      var dx = [Float](repeating: .nan, count: inFeatures * batch)
      var dw = [Float](repeating: 1, count: pattern.nonzeroCount)
      values.withUnsafeBufferPointer { v in
        x.withUnsafeBufferPointer { x in
          dy.withUnsafeBufferPointer { dy in
            y.withUnsafeMutableBufferPointer { y in
              SparseKernels.forward(pattern: pattern, values: v, input: x, output: y, batch: batch)
            }
            dx.withUnsafeMutableBufferPointer { dx in
              SparseKernels.inputGradient(
                pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch)
            }
            dw.withUnsafeMutableBufferPointer { dw in
              SparseKernels.weightGradient(
                pattern: pattern, outputGradient: dy, input: x, valueGradient: dw, batch: batch, accumulate: true)
            }
          }
        }
      }
      return y + dx + dw
    }
    Self.expectIdentical(all)
    let (expected, bound) = KernelReference.inputGradient(dense, dy, out: out, in: inFeatures, batch: batch)
    let dx = Array(all[2][(out * batch)..<(out * batch + inFeatures * batch)])
    #expect(KernelReference.mismatches(dx, expected, bound).isEmpty)
  }
}
