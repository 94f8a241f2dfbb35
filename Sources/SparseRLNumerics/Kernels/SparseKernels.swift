/// Sparse kernels of a linear layer whose active weights are described by a `SparsePattern` and whose values
/// are stored in CSR order. Activations are feature-major (`[features x batch]`, row-major).
///
/// Every kernel is O(nnz * batch) (plus O(size of the output) to clear it) and performs no allocation.
///
/// NOTE: these are straightforward reference loops; the optimised versions replace the bodies.
public enum SparseKernels {
  /// `Y = W X` with `W` sparse (overwrites `output`, `[rows x batch]`).
  public static func forward(
    pattern: SparsePattern, values: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, batch: Int
  ) {
    precondition(values.count >= pattern.nonzeroCount && input.count >= pattern.columns * batch)
    precondition(output.count >= pattern.rows * batch)
    for i in 0..<pattern.rows {
      for b in 0..<batch { output[i * batch + b] = 0 }
      for k in Int(pattern.rowStart[i])..<Int(pattern.rowStart[i + 1]) {
        let j = Int(pattern.columnIndex[k])
        let w = values[k]
        for b in 0..<batch { output[i * batch + b] += w * input[j * batch + b] }
      }
    }
  }

  /// `dX = W^T dY` with `W` sparse (overwrites `inputGradient`, `[columns x batch]`).
  public static func inputGradient(
    pattern: SparsePattern, values: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, batch: Int
  ) {
    precondition(values.count >= pattern.nonzeroCount && outputGradient.count >= pattern.rows * batch)
    precondition(inputGradient.count >= pattern.columns * batch)
    for j in 0..<pattern.columns {
      for b in 0..<batch { inputGradient[j * batch + b] = 0 }
      for k in Int(pattern.columnStart[j])..<Int(pattern.columnStart[j + 1]) {
        let i = Int(pattern.rowIndex[k])
        let w = values[Int(pattern.valuePosition[k])]
        for b in 0..<batch { inputGradient[j * batch + b] += w * outputGradient[i * batch + b] }
      }
    }
  }

  /// `dW_ij (+)= sum_b dY_ib X_jb` at the active positions only (a sampled dense-dense product), into the
  /// CSR-ordered `valueGradient`. Overwrites unless `accumulate` is true.
  public static func weightGradient(
    pattern: SparsePattern, outputGradient: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    valueGradient: UnsafeMutableBufferPointer<Float>, batch: Int, accumulate: Bool
  ) {
    precondition(valueGradient.count >= pattern.nonzeroCount)
    precondition(outputGradient.count >= pattern.rows * batch && input.count >= pattern.columns * batch)
    for i in 0..<pattern.rows {
      for k in Int(pattern.rowStart[i])..<Int(pattern.rowStart[i + 1]) {
        let j = Int(pattern.columnIndex[k])
        var sum: Float = 0
        for b in 0..<batch { sum += outputGradient[i * batch + b] * input[j * batch + b] }
        if accumulate { valueGradient[k] += sum } else { valueGradient[k] = sum }
      }
    }
  }
}
