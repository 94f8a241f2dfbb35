import Testing

@testable import SparseRLNumerics

/// Whether this process can run the AVX-512 build (asked without changing the setting).
private let avx512BuildAvailable: Bool = {
  let current = KernelVariant.usesAVX512
  let possible = KernelVariant.setAVX512(true)
  KernelVariant.setAVX512(current)
  return possible
}()

/// The AVX-512 build of the AVX2 + FMA kernels (`KernelVariant.usesAVX512`) gives the AVX2 build's bits: the
/// sparse products over every batch-chunk path of the row gather (64, 32, 16, 8 and scalar columns, blocked
/// sources; CSR and CSC with and without the fused epilogue), the dense products and the update kernels, each
/// run once per build in one process. Against the naive loops, the other kernel tests check the default build.
/// Skipped on CPUs without AVX-512F (and under SPARSERL_KERNELS=portable).
@Suite(.serialized, .enabled(if: avx512BuildAvailable)) struct KernelAVX512Tests {
  /// `body` with the AVX2 build, then with the AVX-512 build; the setting is restored afterwards.
  static func bothBuilds(_ body: () -> [Float]) -> (avx2: [Float], avx512: [Float]) {
    let current = KernelVariant.usesAVX512
    defer { KernelVariant.setAVX512(current) }
    KernelVariant.setAVX512(false)
    let avx2 = body()
    #expect(KernelVariant.setAVX512(true))
    return (avx2, body())
  }

  static func expectIdentical(_ results: (avx2: [Float], avx512: [Float]), _ label: String) {
    let first = results.avx2.indices.first { results.avx2[$0].bitPattern != results.avx512[$0].bitPattern }
    #expect(
      results.avx2.count == results.avx512.count && first == nil,
      "\(label): the AVX-512 build differs at element \(first.map(String.init) ?? "-")")
  }

  /// Batches 16, 32, 48 and 64 take the 16-float chunks in every combination; the rest are
  /// `KernelSparseTests.shapes` (scalar tails, blocked sources, huge rows).
  static let shapes: [(Int, Int, Int)] =
    [(40, 33, 16), (40, 33, 32), (40, 33, 48), (17, 70, 64), (9, 11, 120), (256, 256, 256)] + KernelSparseTests.shapes

  @Test(arguments: shapes, [0.5, 0.9])
  func sparseProductsAreBitIdentical(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    let (pattern, values, _, start) = KernelSparseTests.layer(shape, sparsity: sparsity, seed: 41)
    var generator = start
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let bias = KernelReference.randomValues(out, &generator)
    let gate = KernelReference.randomValues(inFeatures * batch, &generator).map { max($0, 0) }
    let results = Self.bothBuilds {
      var y = [Float](repeating: .nan, count: out * batch)
      var dx = [Float](repeating: .nan, count: inFeatures * batch)
      var transposedDX = dx
      var scratch = [Float](repeating: .nan, count: pattern.nonzeroCount)
      var dw = [Float](repeating: 1, count: pattern.nonzeroCount)
      values.withUnsafeBufferPointer { v in
        x.withUnsafeBufferPointer { x in
          dy.withUnsafeBufferPointer { dy in
            bias.withUnsafeBufferPointer { b in
              y.withUnsafeMutableBufferPointer { y in
                SparseKernels.forward(
                  pattern: pattern, values: v, input: x, output: y, batch: batch, bias: b, relu: true)
              }
            }
            gate.withUnsafeBufferPointer { g in
              dx.withUnsafeMutableBufferPointer { dx in
                SparseKernels.inputGradient(
                  pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch, gate: g)
              }
            }
            transposedDX.withUnsafeMutableBufferPointer { dx in
              scratch.withUnsafeMutableBufferPointer { t in
                SparseKernels.inputGradient(
                  pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch,
                  transposedValues: t)
              }
            }
            dw.withUnsafeMutableBufferPointer { dw in
              SparseKernels.weightGradient(
                pattern: pattern, outputGradient: dy, input: x, valueGradient: dw, batch: batch, accumulate: true)
            }
          }
        }
      }
      return y + dx + transposedDX + dw
    }
    Self.expectIdentical(results, "shape \(shape), sparsity \(sparsity)")
  }

  @Test(arguments: [(256, 256, 256), (23, 256, 256), (6, 256, 256), (257, 61, 129), (256, 256, 1), (33, 17, 5)])
  func denseProductsAndUpdatesAreBitIdentical(shape: (Int, Int, Int)) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: 43)
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let gradients = KernelReference.randomValues(out * inFeatures, &generator)
    let step = UpdateKernels.AdamStep(
      beta1: 0.9, beta2: 0.999, stepSize: 3e-4, inverseCorrection2Root: 1.2, epsilon: 1e-8, shrink: 0.999, l2: 0.01)
    let results = Self.bothBuilds {
      let products = KernelThreadsTests.denseProducts(w, x, dy, out: out, inFeatures: inFeatures, batch: batch)
      var parameters = w
      var first = gradients.map { $0 * 0.1 }
      var second = gradients.map { $0 * $0 }
      var target = gradients
      w.withUnsafeBufferPointer { w in
        gradients.withUnsafeBufferPointer { g in
          parameters.withUnsafeMutableBufferPointer { p in
            first.withUnsafeMutableBufferPointer { m in
              second.withUnsafeMutableBufferPointer { v in
                UpdateKernels.adam(step, values: p, gradients: g, firstMoments: m, secondMoments: v)
              }
            }
          }
          target.withUnsafeMutableBufferPointer { t in UpdateKernels.polyak(target: t, online: w, tau: 0.005) }
        }
      }
      return products + parameters + first + second + target
    }
    Self.expectIdentical(results, "shape \(shape)")
  }
}
