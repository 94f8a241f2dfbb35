/// Dense kernels of a linear layer, on row-major buffers with feature-major activations.
///
/// Shapes: weights `W` are `[out x in]`, activations `X` are `[in x batch]`, outputs `Y` are `[out x batch]`.
/// Every kernel is O(out * in * batch), single-threaded, and performs no allocation: the three products are the
/// NN, TN and NT variants of one packed, register-blocked SIMD matrix multiply (`PackedGEMM`, 4 x 16 tiles,
/// AVX2 + FMA). Batch 1 (acting) uses dedicated matrix-vector loops instead, since padding a single column
/// to a 16-wide tile would waste 15/16 of the arithmetic.
///
/// Packing scratch comes from a ``KernelWorkspace``: the overloads without `workspace:` use the calling
/// thread's ``KernelWorkspace/current``.
public enum DenseKernels {
  /// `Y = W X` (overwrites `output`).
  public static func forward(
    weights: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int
  ) {
    forward(
      weights: weights, input: input, output: output, outFeatures: outFeatures,
      inFeatures: inFeatures,
      batch: batch, workspace: .current)
  }

  /// `Y = W X` (overwrites `output`), using `workspace` for packing scratch.
  public static func forward(
    weights: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    workspace: KernelWorkspace
  ) {
    checkShape(outFeatures: outFeatures, inFeatures: inFeatures, batch: batch)
    precondition(
      weights.count >= outFeatures * inFeatures,
      "forward: weights hold \(weights.count) floats, [\(outFeatures) x \(inFeatures)] needs more")
    precondition(
      input.count >= inFeatures * batch,
      "forward: input holds \(input.count) floats, [\(inFeatures) x \(batch)] needs more")
    precondition(
      output.count >= outFeatures * batch,
      "forward: output holds \(output.count) floats, [\(outFeatures) x \(batch)] needs more")
    guard outFeatures > 0, batch > 0, let y = output.baseAddress else { return }
    guard inFeatures > 0, let w = weights.baseAddress, let x = input.baseAddress else {
      y.update(repeating: 0, count: outFeatures * batch)
      return
    }
    if batch == 1 {
      MatrixVector.multiply(matrix: w, vector: x, result: y, rows: outFeatures, columns: inFeatures)
      return
    }
    PackedGEMM.multiply(
      m: outFeatures, n: batch, k: inFeatures,
      a: StridedOperand(base: w, rowStride: inFeatures, columnStride: 1),
      b: StridedOperand(base: x, rowStride: batch, columnStride: 1),
      c: y, cRowStride: batch, accumulate: false, workspace: workspace)
  }

  /// `dX = W^T dY` (overwrites `inputGradient`).
  public static func inputGradient(
    weights: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int
  ) {
    self.inputGradient(
      weights: weights, outputGradient: outputGradient, inputGradient: inputGradient,
      outFeatures: outFeatures,
      inFeatures: inFeatures, batch: batch, workspace: .current)
  }

  /// `dX = W^T dY` (overwrites `inputGradient`), using `workspace` for packing scratch.
  public static func inputGradient(
    weights: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    workspace: KernelWorkspace
  ) {
    checkShape(outFeatures: outFeatures, inFeatures: inFeatures, batch: batch)
    precondition(
      weights.count >= outFeatures * inFeatures,
      "inputGradient: weights hold \(weights.count) floats, [\(outFeatures) x \(inFeatures)] needs more"
    )
    precondition(
      outputGradient.count >= outFeatures * batch,
      "inputGradient: outputGradient holds \(outputGradient.count) floats, [\(outFeatures) x \(batch)] needs more"
    )
    precondition(
      inputGradient.count >= inFeatures * batch,
      "inputGradient: inputGradient holds \(inputGradient.count) floats, [\(inFeatures) x \(batch)] needs more"
    )
    guard inFeatures > 0, batch > 0 else { return }
    guard let dx = inputGradient.baseAddress else { return }
    guard outFeatures > 0, let w = weights.baseAddress, let dy = outputGradient.baseAddress else {
      dx.update(repeating: 0, count: inFeatures * batch)
      return
    }
    if batch == 1 {
      MatrixVector.multiplyTransposed(
        matrix: w, vector: dy, result: dx, rows: outFeatures, columns: inFeatures)
      return
    }
    PackedGEMM.multiply(
      m: inFeatures, n: batch, k: outFeatures,
      a: StridedOperand(base: w, rowStride: 1, columnStride: inFeatures),
      b: StridedOperand(base: dy, rowStride: batch, columnStride: 1),
      c: dx, cRowStride: batch, accumulate: false, workspace: workspace)
  }

  /// `dW (+)= dY X^T`: overwrites `weightGradient` unless `accumulate` is true, then adds to it.
  public static func weightGradient(
    outputGradient: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    weightGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int,
    batch: Int,
    accumulate: Bool
  ) {
    self.weightGradient(
      outputGradient: outputGradient, input: input, weightGradient: weightGradient,
      outFeatures: outFeatures,
      inFeatures: inFeatures, batch: batch, accumulate: accumulate, workspace: .current)
  }

  /// `dW (+)= dY X^T` using `workspace` for packing scratch: overwrites `weightGradient` unless `accumulate`
  /// is true, then adds to it. Also the dense gradient RigL's growth step needs.
  public static func weightGradient(
    outputGradient: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    weightGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int,
    batch: Int,
    accumulate: Bool, workspace: KernelWorkspace
  ) {
    checkShape(outFeatures: outFeatures, inFeatures: inFeatures, batch: batch)
    precondition(
      outputGradient.count >= outFeatures * batch,
      "weightGradient: outputGradient holds \(outputGradient.count) floats, [\(outFeatures) x \(batch)] needs more"
    )
    precondition(
      input.count >= inFeatures * batch,
      "weightGradient: input holds \(input.count) floats, [\(inFeatures) x \(batch)] needs more")
    precondition(
      weightGradient.count >= outFeatures * inFeatures,
      "weightGradient: weightGradient holds \(weightGradient.count) floats, [\(outFeatures) x \(inFeatures)] needs more"
    )
    guard outFeatures > 0, inFeatures > 0, let dw = weightGradient.baseAddress else { return }
    guard batch > 0, let dy = outputGradient.baseAddress, let x = input.baseAddress else {
      if !accumulate { dw.update(repeating: 0, count: outFeatures * inFeatures) }
      return
    }
    PackedGEMM.multiply(
      m: outFeatures, n: inFeatures, k: batch,
      a: StridedOperand(base: dy, rowStride: batch, columnStride: 1),
      b: StridedOperand(base: x, rowStride: 1, columnStride: batch),
      c: dw, cRowStride: inFeatures, accumulate: accumulate, workspace: workspace)
  }

  private static func checkShape(outFeatures: Int, inFeatures: Int, batch: Int) {
    precondition(
      outFeatures >= 0 && inFeatures >= 0 && batch >= 0,
      "negative shape: outFeatures \(outFeatures), inFeatures \(inFeatures), batch \(batch)")
  }
}

/// Matrix-vector products for batch 1 on a row-major `[rows x columns]` matrix. O(rows * columns).
enum MatrixVector {
  /// `result = M v` (`v` has `columns` entries): four row dot products at a time, two vector accumulators
  /// each, so eight independent FMA chains hide the FMA latency.
  static func multiply(
    matrix: UnsafePointer<Float>, vector: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>,
    rows: Int,
    columns: Int
  ) {
    var row = 0
    while row + 4 <= rows {
      let r0 = matrix + row * columns
      let (t0, t1, t2, t3) = DotProducts.four(
        vector, r0, r0 + columns, r0 + 2 * columns, r0 + 3 * columns, count: columns)
      result[row] = t0
      result[row + 1] = t1
      result[row + 2] = t2
      result[row + 3] = t3
      row += 4
    }
    while row < rows {
      result[row] = DotProducts.one(vector, matrix + row * columns, count: columns)
      row += 1
    }
  }

  /// `result = M^T v` (`v` has `rows` entries, `result` `columns`): blocks of 64 result entries held in eight
  /// vector accumulators while streaming down the rows, then blocks of 8, then a scalar tail.
  static func multiplyTransposed(
    matrix: UnsafePointer<Float>, vector: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>,
    rows: Int,
    columns: Int
  ) {
    var column = 0
    while column + 64 <= columns {
      var s0 = SIMD8<Float>()
      var s1 = SIMD8<Float>()
      var s2 = SIMD8<Float>()
      var s3 = SIMD8<Float>()
      var s4 = SIMD8<Float>()
      var s5 = SIMD8<Float>()
      var s6 = SIMD8<Float>()
      var s7 = SIMD8<Float>()
      var p = matrix + column
      for i in 0..<rows {
        let v = SIMD8<Float>(repeating: vector[i])
        multiplyAdd(&s0, loadVector(p), v)
        multiplyAdd(&s1, loadVector(p + 8), v)
        multiplyAdd(&s2, loadVector(p + 16), v)
        multiplyAdd(&s3, loadVector(p + 24), v)
        multiplyAdd(&s4, loadVector(p + 32), v)
        multiplyAdd(&s5, loadVector(p + 40), v)
        multiplyAdd(&s6, loadVector(p + 48), v)
        multiplyAdd(&s7, loadVector(p + 56), v)
        p += columns
      }
      let out = result + column
      storeVector(s0, out)
      storeVector(s1, out + 8)
      storeVector(s2, out + 16)
      storeVector(s3, out + 24)
      storeVector(s4, out + 32)
      storeVector(s5, out + 40)
      storeVector(s6, out + 48)
      storeVector(s7, out + 56)
      column += 64
    }
    while column + 8 <= columns {
      var s0 = SIMD8<Float>()
      var s1 = SIMD8<Float>()
      var p = matrix + column
      var i = 0
      while i + 2 <= rows {
        multiplyAdd(&s0, loadVector(p), SIMD8<Float>(repeating: vector[i]))
        multiplyAdd(&s1, loadVector(p + columns), SIMD8<Float>(repeating: vector[i + 1]))
        p += 2 * columns
        i += 2
      }
      if i < rows { multiplyAdd(&s0, loadVector(p), SIMD8<Float>(repeating: vector[i])) }
      storeVector(s0 + s1, result + column)
      column += 8
    }
    while column < columns {
      var t: Float = 0
      for i in 0..<rows { t += matrix[i * columns + column] * vector[i] }
      result[column] = t
      column += 1
    }
  }
}
