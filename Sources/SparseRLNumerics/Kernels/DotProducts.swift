/// Dot products of one contiguous vector with contiguous rows of the same length: the inner loops of the batch-1
/// matrix-vector product (`MatrixVector`) and of the sparse weight gradient (`SampledProduct`). The rows may lie
/// anywhere (consecutive matrix rows, or rows gathered through a sparsity pattern).
///
/// `four` keeps two vector accumulators per row, so eight independent FMA chains hide the FMA latency; blocks of
/// 16, then one block of 8, then a scalar tail. O(count) per row, no allocation.
enum DotProducts {
  @inline(__always)
  static func four(
    _ v: UnsafePointer<Float>, _ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ r2: UnsafePointer<Float>,
    _ r3: UnsafePointer<Float>, count: Int
  ) -> (Float, Float, Float, Float) {
    var s00 = SIMD8<Float>()
    var s01 = SIMD8<Float>()
    var s10 = SIMD8<Float>()
    var s11 = SIMD8<Float>()
    var s20 = SIMD8<Float>()
    var s21 = SIMD8<Float>()
    var s30 = SIMD8<Float>()
    var s31 = SIMD8<Float>()
    var j = 0
    while j + 16 <= count {
      let v0 = loadVector(v + j)
      let v1 = loadVector(v + j + 8)
      multiplyAdd(&s00, v0, loadVector(r0 + j))
      multiplyAdd(&s01, v1, loadVector(r0 + j + 8))
      multiplyAdd(&s10, v0, loadVector(r1 + j))
      multiplyAdd(&s11, v1, loadVector(r1 + j + 8))
      multiplyAdd(&s20, v0, loadVector(r2 + j))
      multiplyAdd(&s21, v1, loadVector(r2 + j + 8))
      multiplyAdd(&s30, v0, loadVector(r3 + j))
      multiplyAdd(&s31, v1, loadVector(r3 + j + 8))
      j += 16
    }
    if j + 8 <= count {
      let v0 = loadVector(v + j)
      multiplyAdd(&s00, v0, loadVector(r0 + j))
      multiplyAdd(&s10, v0, loadVector(r1 + j))
      multiplyAdd(&s20, v0, loadVector(r2 + j))
      multiplyAdd(&s30, v0, loadVector(r3 + j))
      j += 8
    }
    var t0 = horizontalSum(s00 + s01)
    var t1 = horizontalSum(s10 + s11)
    var t2 = horizontalSum(s20 + s21)
    var t3 = horizontalSum(s30 + s31)
    while j < count {
      let x = v[j]
      t0 += x * r0[j]
      t1 += x * r1[j]
      t2 += x * r2[j]
      t3 += x * r3[j]
      j += 1
    }
    return (t0, t1, t2, t3)
  }

  @inline(__always)
  static func one(_ v: UnsafePointer<Float>, _ r: UnsafePointer<Float>, count: Int) -> Float {
    var s0 = SIMD8<Float>()
    var s1 = SIMD8<Float>()
    var j = 0
    while j + 16 <= count {
      multiplyAdd(&s0, loadVector(v + j), loadVector(r + j))
      multiplyAdd(&s1, loadVector(v + j + 8), loadVector(r + j + 8))
      j += 16
    }
    if j + 8 <= count {
      multiplyAdd(&s0, loadVector(v + j), loadVector(r + j))
      j += 8
    }
    var t = horizontalSum(s0 + s1)
    while j < count {
      t += v[j] * r[j]
      j += 1
    }
    return t
  }
}
