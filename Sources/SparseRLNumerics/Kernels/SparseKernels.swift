/// Sparse kernels of a linear layer whose active weights are described by a `SparsePattern` and whose values
/// are stored in CSR order. Activations are feature-major (`[features x batch]`, row-major).
///
/// Every kernel is O(nnz * batch) (plus O(size of the output) to clear it), single-threaded, and performs no
/// allocation:
/// - `forward` walks the CSR rows; for each output row and each chunk of up to 64 batch entries it keeps the
///   chunk in up to eight `SIMD8<Float>` accumulators and adds `w * X[j, chunk]` for every active weight `w`
///   of the row (a broadcast times a contiguous run of the batch), then stores the chunk once.
/// - `inputGradient` does the same over the CSC index (columns of `W` = rows of `W^T`), reading each value
///   through `valuePosition`: a gather with register accumulation, never a scatter.
/// - `weightGradient` computes the sampled products `dY[i, :] . X[j, :]` at active positions only, four
///   active weights of a row at a time so each loaded `dY` vector feeds four FMAs.
public enum SparseKernels {
  /// `Y = W X` with `W` sparse (overwrites `output`, `[rows x batch]`).
  public static func forward(
    pattern: SparsePattern, values: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, batch: Int
  ) {
    precondition(batch >= 0, "forward: negative batch \(batch)")
    precondition(
      values.count >= pattern.nonzeroCount,
      "forward: \(values.count) values for a pattern with \(pattern.nonzeroCount) active weights")
    precondition(
      input.count >= pattern.columns * batch,
      "forward: input holds \(input.count) floats, [\(pattern.columns) x \(batch)] needs more")
    precondition(
      output.count >= pattern.rows * batch,
      "forward: output holds \(output.count) floats, [\(pattern.rows) x \(batch)] needs more")
    guard pattern.rows > 0, batch > 0, let y = output.baseAddress else { return }
    guard pattern.nonzeroCount > 0, let w = values.baseAddress, let x = input.baseAddress else {
      y.update(repeating: 0, count: pattern.rows * batch)
      return
    }
    pattern.rowStart.withUnsafeBufferPointer { start in
      pattern.columnIndex.withUnsafeBufferPointer { index in
        RowGather.run(
          rows: pattern.rows, start: start.baseAddress!, index: index.baseAddress!, position: nil,
          values: w,
          source: x, destination: y, batch: batch)
      }
    }
  }

  /// `dX = W^T dY` with `W` sparse (overwrites `inputGradient`, `[columns x batch]`).
  public static func inputGradient(
    pattern: SparsePattern, values: UnsafeBufferPointer<Float>,
    outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, batch: Int
  ) {
    precondition(batch >= 0, "inputGradient: negative batch \(batch)")
    precondition(
      values.count >= pattern.nonzeroCount,
      "inputGradient: \(values.count) values for a pattern with \(pattern.nonzeroCount) active weights"
    )
    precondition(
      outputGradient.count >= pattern.rows * batch,
      "inputGradient: outputGradient holds \(outputGradient.count) floats, [\(pattern.rows) x \(batch)] needs more"
    )
    precondition(
      inputGradient.count >= pattern.columns * batch,
      "inputGradient: inputGradient holds \(inputGradient.count) floats, [\(pattern.columns) x \(batch)] needs more"
    )
    guard pattern.columns > 0, batch > 0, let dx = inputGradient.baseAddress else { return }
    guard pattern.nonzeroCount > 0, let w = values.baseAddress, let dy = outputGradient.baseAddress
    else {
      dx.update(repeating: 0, count: pattern.columns * batch)
      return
    }
    pattern.columnStart.withUnsafeBufferPointer { start in
      pattern.rowIndex.withUnsafeBufferPointer { index in
        pattern.valuePosition.withUnsafeBufferPointer { position in
          RowGather.run(
            rows: pattern.columns, start: start.baseAddress!, index: index.baseAddress!,
            position: position.baseAddress!, values: w, source: dy, destination: dx, batch: batch)
        }
      }
    }
  }

  /// `dW_ij (+)= sum_b dY_ib X_jb` at the active positions only (a sampled dense-dense product), into the
  /// CSR-ordered `valueGradient`. Overwrites unless `accumulate` is true.
  public static func weightGradient(
    pattern: SparsePattern, outputGradient: UnsafeBufferPointer<Float>,
    input: UnsafeBufferPointer<Float>,
    valueGradient: UnsafeMutableBufferPointer<Float>, batch: Int, accumulate: Bool
  ) {
    precondition(batch >= 0, "weightGradient: negative batch \(batch)")
    precondition(
      valueGradient.count >= pattern.nonzeroCount,
      "weightGradient: valueGradient holds \(valueGradient.count) floats for \(pattern.nonzeroCount) active weights"
    )
    precondition(
      outputGradient.count >= pattern.rows * batch,
      "weightGradient: outputGradient holds \(outputGradient.count) floats, [\(pattern.rows) x \(batch)] needs more"
    )
    precondition(
      input.count >= pattern.columns * batch,
      "weightGradient: input holds \(input.count) floats, [\(pattern.columns) x \(batch)] needs more"
    )
    guard pattern.nonzeroCount > 0, let dw = valueGradient.baseAddress else { return }
    guard batch > 0, let dy = outputGradient.baseAddress, let x = input.baseAddress else {
      if !accumulate { dw.update(repeating: 0, count: pattern.nonzeroCount) }
      return
    }
    pattern.rowStart.withUnsafeBufferPointer { start in
      pattern.columnIndex.withUnsafeBufferPointer { index in
        SampledProduct.run(
          rows: pattern.rows, start: start.baseAddress!, index: index.baseAddress!, left: dy,
          right: x,
          result: dw, batch: batch, accumulate: accumulate)
      }
    }
  }
}

/// `destination[r, :] = sum_{k in start[r]..<start[r+1]} value(k) * source[index[k], :]` for every row `r`,
/// where `value(k) = values[position[k]]` if `position` is given, else `values[k]`. Rows are `batch` long.
enum RowGather {
  static func run(
    rows: Int, start: UnsafePointer<Int32>, index: UnsafePointer<Int32>,
    position: UnsafePointer<Int32>?,
    values: UnsafePointer<Float>, source: UnsafePointer<Float>,
    destination: UnsafeMutablePointer<Float>,
    batch: Int
  ) {
    if let position {
      runRows(rows, start, index, position, values, source, destination, batch, indirect: true)
    } else {
      runRows(rows, start, index, index, values, source, destination, batch, indirect: false)
    }
  }

  @inline(__always)
  static func runRows(
    _ rows: Int, _ start: UnsafePointer<Int32>, _ index: UnsafePointer<Int32>,
    _ position: UnsafePointer<Int32>,
    _ values: UnsafePointer<Float>, _ source: UnsafePointer<Float>,
    _ destination: UnsafeMutablePointer<Float>,
    _ batch: Int, indirect: Bool
  ) {
    for row in 0..<rows {
      let first = Int(start[row])
      let end = Int(start[row + 1])
      let out = destination + row * batch
      var column = 0
      while column + 64 <= batch {
        chunk(
          vectors: 8, first, end, index, position, values, source + column, out + column, batch,
          indirect)
        column += 64
      }
      if column + 32 <= batch {
        chunk(
          vectors: 4, first, end, index, position, values, source + column, out + column, batch,
          indirect)
        column += 32
      }
      if column + 16 <= batch {
        chunk(
          vectors: 2, first, end, index, position, values, source + column, out + column, batch,
          indirect)
        column += 16
      }
      if column + 8 <= batch {
        chunk(
          vectors: 1, first, end, index, position, values, source + column, out + column, batch,
          indirect)
        column += 8
      }
      while column < batch {
        out[column] = scalarDot(
          first, end, index, position, values, source + column, batch, indirect)
        column += 1
      }
    }
  }

  /// One row, `vectors` (1, 2, 4 or 8) SIMD8 chunks of the batch held in registers across the row's entries.
  @inline(__always)
  static func chunk(
    vectors: Int, _ first: Int, _ end: Int, _ index: UnsafePointer<Int32>,
    _ position: UnsafePointer<Int32>,
    _ values: UnsafePointer<Float>, _ source: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>,
    _ batch: Int, _ indirect: Bool
  ) {
    var a0 = SIMD8<Float>()
    var a1 = SIMD8<Float>()
    var a2 = SIMD8<Float>()
    var a3 = SIMD8<Float>()
    var a4 = SIMD8<Float>()
    var a5 = SIMD8<Float>()
    var a6 = SIMD8<Float>()
    var a7 = SIMD8<Float>()
    for k in first..<end {
      let w = SIMD8<Float>(repeating: values[indirect ? Int(position[k]) : k])
      let s = source + Int(index[k]) * batch
      multiplyAdd(&a0, w, loadVector(s))
      if vectors > 1 { multiplyAdd(&a1, w, loadVector(s + 8)) }
      if vectors > 2 {
        multiplyAdd(&a2, w, loadVector(s + 16))
        multiplyAdd(&a3, w, loadVector(s + 24))
      }
      if vectors > 4 {
        multiplyAdd(&a4, w, loadVector(s + 32))
        multiplyAdd(&a5, w, loadVector(s + 40))
        multiplyAdd(&a6, w, loadVector(s + 48))
        multiplyAdd(&a7, w, loadVector(s + 56))
      }
    }
    storeVector(a0, out)
    if vectors > 1 { storeVector(a1, out + 8) }
    if vectors > 2 {
      storeVector(a2, out + 16)
      storeVector(a3, out + 24)
    }
    if vectors > 4 {
      storeVector(a4, out + 32)
      storeVector(a5, out + 40)
      storeVector(a6, out + 48)
      storeVector(a7, out + 56)
    }
  }

  /// One batch entry of one row (four independent partial sums to hide the FMA latency).
  @inline(__always)
  static func scalarDot(
    _ first: Int, _ end: Int, _ index: UnsafePointer<Int32>, _ position: UnsafePointer<Int32>,
    _ values: UnsafePointer<Float>, _ source: UnsafePointer<Float>, _ batch: Int, _ indirect: Bool
  ) -> Float {
    var s0: Float = 0
    var s1: Float = 0
    var s2: Float = 0
    var s3: Float = 0
    var k = first
    while k + 4 <= end {
      multiplyAdd(&s0, values[indirect ? Int(position[k]) : k], source[Int(index[k]) * batch])
      multiplyAdd(
        &s1, values[indirect ? Int(position[k + 1]) : k + 1], source[Int(index[k + 1]) * batch])
      multiplyAdd(
        &s2, values[indirect ? Int(position[k + 2]) : k + 2], source[Int(index[k + 2]) * batch])
      multiplyAdd(
        &s3, values[indirect ? Int(position[k + 3]) : k + 3], source[Int(index[k + 3]) * batch])
      k += 4
    }
    while k < end {
      multiplyAdd(&s0, values[indirect ? Int(position[k]) : k], source[Int(index[k]) * batch])
      k += 1
    }
    return (s0 + s1) + (s2 + s3)
  }
}

/// `result[k] (+)= left[r, :] . right[index[k], :]` for every CSR entry `k` of every row `r` (rows of `left`
/// and `right` are `batch` long): the sampled dense-dense product behind the sparse weight gradient.
enum SampledProduct {
  static func run(
    rows: Int, start: UnsafePointer<Int32>, index: UnsafePointer<Int32>, left: UnsafePointer<Float>,
    right: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>, batch: Int, accumulate: Bool
  ) {
    if batch < 8 {
      runSmallBatch(
        rows: rows, start: start, index: index, left: left, right: right, result: result,
        batch: batch,
        accumulate: accumulate)
      return
    }
    for row in 0..<rows {
      let l = left + row * batch
      var k = Int(start[row])
      let end = Int(start[row + 1])
      while k + 4 <= end {
        let (t0, t1, t2, t3) = DotProducts.four(
          l, right + Int(index[k]) * batch, right + Int(index[k + 1]) * batch, right + Int(index[k + 2]) * batch,
          right + Int(index[k + 3]) * batch, count: batch)
        write(t0, to: result + k, accumulate)
        write(t1, to: result + k + 1, accumulate)
        write(t2, to: result + k + 2, accumulate)
        write(t3, to: result + k + 3, accumulate)
        k += 4
      }
      while k < end {
        write(DotProducts.one(l, right + Int(index[k]) * batch, count: batch), to: result + k, accumulate)
        k += 1
      }
    }
  }

  /// Batches below one vector: plain scalar dot products (for batch 1, one multiply per active weight).
  static func runSmallBatch(
    rows: Int, start: UnsafePointer<Int32>, index: UnsafePointer<Int32>, left: UnsafePointer<Float>,
    right: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>, batch: Int, accumulate: Bool
  ) {
    for row in 0..<rows {
      let l = left + row * batch
      for k in Int(start[row])..<Int(start[row + 1]) {
        let r = right + Int(index[k]) * batch
        var t: Float = 0
        for b in 0..<batch { multiplyAdd(&t, l[b], r[b]) }
        write(t, to: result + k, accumulate)
      }
    }
  }

  @inline(__always)
  static func write(_ value: Float, to pointer: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    pointer.pointee = accumulate ? pointer.pointee + value : value
  }
}
