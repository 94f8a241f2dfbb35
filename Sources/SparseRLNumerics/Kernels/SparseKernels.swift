internal import CSparseRLKernels

/// Sparse kernels of a linear layer whose active weights are described by a `SparsePattern` and whose values
/// are stored in CSR order. Activations are feature-major (`[features x batch]`, row-major).
///
/// Every kernel is O(nnz * batch) (plus O(size of the output) to clear it; large ones split by rows across the
/// `KernelThreads`, bit-identical for every count) and performs no
/// allocation; the loops are C (`CSparseRLKernels`), in the ``KernelVariant`` chosen at run time:
/// - `forward` walks the CSR rows; for each output row and each chunk of up to 64 batch entries it keeps the
///   chunk in up to eight `SIMD8<Float>` accumulators and adds `w * X[j, chunk]` for every active weight `w`
///   of the row (a broadcast times a contiguous run of the batch), then stores the chunk once. When the rows of
///   `X` a group of 128 output rows reads span more than 1 MiB (a 2048 x 8192 layer at batch 256 reads 8 MiB),
///   the group goes over `X` in 256 KiB blocks of rows, storing and reloading its accumulators between blocks,
///   so each block is read from cache by all rows of the group: the same multiply-adds in the same order.
/// - `inputGradient` does the same over the CSC index (columns of `W` = rows of `W^T`), reading each value
///   through `valuePosition`: a gather with register accumulation, never a scatter.
/// - `forward` and `inputGradient` take an epilogue (bias add and ReLU; ReLU's backward gate) that each row gets as
///   soon as its sum is complete, while it is still in L1: the bits of ``ElementwiseKernels/applyEpilogue(to:rows:columns:bias:relu:gate:)``
///   run after the product, without a second pass over the result.
/// - `weightGradient` computes the sampled products `dY[i, :] . X[j, :]` at active positions only, four
///   active weights of a row at a time so each loaded `dY` vector feeds four FMAs, `X` in blocks as above.
public enum SparseKernels {
  /// `Y = W X` with `W` sparse (overwrites `output`, `[rows x batch]`), then with a `bias` (`rows` entries)
  /// `Y[r, :] += bias[r]`, then with `relu` `Y = max(Y, 0)`.
  public static func forward(
    pattern: SparsePattern, values: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, batch: Int, bias: UnsafeBufferPointer<Float>? = nil,
    relu: Bool = false
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
    let epilogue = srl_epilogue(
      bias: bias, relu: relu, gate: nil, rows: pattern.rows, columns: batch, caller: "SparseKernels.forward")
    guard pattern.rows > 0, batch > 0, let y = output.baseAddress else { return }
    guard pattern.nonzeroCount > 0, let w = values.baseAddress, let x = input.baseAddress else {
      y.update(repeating: 0, count: pattern.rows * batch)
      srl_apply_epilogue(pattern.rows, batch, epilogue, y)
      return
    }
    pattern.rowStart.withUnsafeBufferPointer { start in
      pattern.columnIndex.withUnsafeBufferPointer { index in
        srl_row_gather(pattern.rows, start.baseAddress!, index.baseAddress!, nil, w, x, y, batch, epilogue)
      }
    }
  }

  /// `dX = W^T dY` with `W` sparse (overwrites `inputGradient`, `[columns x batch]`), then with a `gate`
  /// (`[columns x batch]`, the output of the ReLU in front of the layer) `dX = dX * (gate > 0 ? 1 : 0)`: the
  /// gradient through that ReLU as well.
  ///
  /// With `transposedValues` (at least `nonzeroCount` floats of scratch) and a batch of more than 64, the values
  /// are first copied into CSC order there (O(nnz), one random read each), so the gather, which walks each
  /// column's entries once per 64 batch entries, reads them in order instead of through `valuePosition`: the
  /// same products in the same order, so the result is bit-identical.
  public static func inputGradient(
    pattern: SparsePattern, values: UnsafeBufferPointer<Float>,
    outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, batch: Int,
    transposedValues: UnsafeMutableBufferPointer<Float>? = nil, gate: UnsafeBufferPointer<Float>? = nil
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
    let epilogue = srl_epilogue(
      bias: nil, relu: false, gate: gate, rows: pattern.columns, columns: batch, caller: "SparseKernels.inputGradient")
    guard pattern.columns > 0, batch > 0, let dx = inputGradient.baseAddress else { return }
    guard pattern.nonzeroCount > 0, let w = values.baseAddress, let dy = outputGradient.baseAddress
    else {
      dx.update(repeating: 0, count: pattern.columns * batch)
      srl_apply_epilogue(pattern.columns, batch, epilogue, dx)
      return
    }
    pattern.columnStart.withUnsafeBufferPointer { start in
      pattern.rowIndex.withUnsafeBufferPointer { index in
        pattern.valuePosition.withUnsafeBufferPointer { position in
          if batch > 64, let transposed = transposedValues {
            precondition(
              transposed.count >= pattern.nonzeroCount,
              "inputGradient: transposedValues holds \(transposed.count) floats for \(pattern.nonzeroCount) active weights"
            )
            let t = transposed.baseAddress!
            for k in 0..<pattern.nonzeroCount { t[k] = w[Int(position[k])] }
            srl_row_gather(
              pattern.columns, start.baseAddress!, index.baseAddress!, nil, t, dy, dx, batch, epilogue)
          } else {
            srl_row_gather(
              pattern.columns, start.baseAddress!, index.baseAddress!, position.baseAddress!, w, dy, dx, batch,
              epilogue)
          }
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
        srl_sampled_product(pattern.rows, start.baseAddress!, index.baseAddress!, dy, x, dw, batch, accumulate)
      }
    }
  }
}
