import Testing

@testable import SparseRLNumerics

/// The element-wise update kernels against the scalar Swift loops they replaced: same operations in the same
/// order, so the results must be bit-identical (lengths around the 8-lane blocks and their scalar tails).
@Suite struct UpdateKernelsTests {
  static let lengths = [0, 1, 7, 8, 9, 31, 1000]

  @Test(arguments: lengths, [false, true])
  func adamMatchesScalarLoopBitForBit(count: Int, decoupled: Bool) {
    var generator = RandomGenerator(seed: UInt64(count) + 5)
    var values = KernelReference.randomValues(count, &generator)
    let gradients = KernelReference.randomValues(count, &generator)
    var m = KernelReference.randomValues(count, &generator)
    var v = KernelReference.randomValues(count, &generator).map { $0 * $0 }
    let (b1, b2, lr, eps, wd): (Float, Float, Float, Float, Float) = (0.9, 0.999, 3e-4, 1e-8, 0.01)
    let stepSize = lr / (1 - 0.9 * 0.9 * 0.9)
    let inverseRoot = 1 / (1 - 0.999 * 0.999 * 0.999 as Float).squareRoot()
    let shrink: Float = decoupled ? 1 - lr * wd : 1
    let l2: Float = decoupled ? 0 : wd
    // The reference: the scalar loop of Adam.step before the kernel.
    var (expectedP, expectedM, expectedV) = (values, m, v)
    for i in 0..<count {
      let decayed = expectedP[i] * shrink
      let gi = gradients[i] + l2 * expectedP[i]
      let mi = b1 * expectedM[i] + (1 - b1) * gi
      let vi = b2 * expectedV[i] + (1 - b2) * gi * gi
      expectedM[i] = mi
      expectedV[i] = vi
      expectedP[i] = decayed - stepSize * mi / (vi.squareRoot() * inverseRoot + eps)
    }
    let step = UpdateKernels.AdamStep(
      beta1: b1, beta2: b2, stepSize: stepSize, inverseCorrection2Root: inverseRoot, epsilon: eps, shrink: shrink,
      l2: l2)
    values.withUnsafeMutableBufferPointer { p in
      gradients.withUnsafeBufferPointer { g in
        m.withUnsafeMutableBufferPointer { m in
          v.withUnsafeMutableBufferPointer { v in
            UpdateKernels.adam(step, values: p, gradients: g, firstMoments: m, secondMoments: v)
          }
        }
      }
    }
    #expect(values.map(\.bitPattern) == expectedP.map(\.bitPattern))
    #expect(m.map(\.bitPattern) == expectedM.map(\.bitPattern))
    #expect(v.map(\.bitPattern) == expectedV.map(\.bitPattern))
  }

  @Test(arguments: lengths)
  func polyakMatchesScalarLoopBitForBit(count: Int) {
    var generator = RandomGenerator(seed: UInt64(count) + 9)
    var target = KernelReference.randomValues(count, &generator)
    let online = KernelReference.randomValues(count, &generator)
    let tau: Float = 0.005
    let expected = (0..<count).map { target[$0] * (1 - tau) + tau * online[$0] }
    target.withUnsafeMutableBufferPointer { t in
      online.withUnsafeBufferPointer { o in UpdateKernels.polyak(target: t, online: o, tau: tau) }
    }
    #expect(target.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  /// The batch-1 dense weight gradient (`dy x^T`, the outer-product kernel) against the naive loop, written and
  /// accumulated, for widths around the 8-lane blocks.
  @Test(arguments: [(1, 1), (3, 17), (17, 8), (256, 9), (6, 256)], [false, true])
  func batchOneWeightGradientMatchesNaiveLoop(shape: (Int, Int), accumulate: Bool) {
    let (out, inFeatures) = shape
    var generator = RandomGenerator(seed: UInt64(out * 1000 + inFeatures))
    let dy = KernelReference.randomValues(out, &generator)
    let x = KernelReference.randomValues(inFeatures, &generator)
    let start = KernelReference.randomValues(out * inFeatures, &generator)
    var dw = start
    dy.withUnsafeBufferPointer { dy in
      x.withUnsafeBufferPointer { x in
        dw.withUnsafeMutableBufferPointer { dw in
          DenseKernels.weightGradient(
            outputGradient: dy, input: x, weightGradient: dw, outFeatures: out, inFeatures: inFeatures, batch: 1,
            accumulate: accumulate)
        }
      }
    }
    let expected = (0..<(out * inFeatures)).map { k in
      (accumulate ? start[k] : 0) + dy[k / inFeatures] * x[k % inFeatures]
    }
    #expect(dw.map(\.bitPattern) == expected.map(\.bitPattern))
  }
}
