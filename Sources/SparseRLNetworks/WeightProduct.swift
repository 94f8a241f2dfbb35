import SparseRLNumerics

/// The three products of a weight `W` (`[out x in]`, a dense or sparse `Parameter`) with feature-major
/// activations (`[in x n]`), shared by `Linear` (n = batch) and `Conv2d` (n = output positions * batch).
///
/// A sparse weight uses the sparse kernels, O(nnz * n), unless `Linear.usesSparseKernels` says the dense ones are
/// faster for its density, input width and `n`: then forward and input-gradient products scatter the active values
/// into a dense `[out x in]` scratch matrix (O(out * in), reused across calls) and run the dense kernels. The
/// weight gradient of a sparse weight is always the sampled product at the active entries, so inactive entries
/// never receive gradient.
struct WeightProduct {
  /// A fixed density from which a sparse weight is multiplied through a dense scratch copy (`nil`: the measured
  /// rule of `Linear.denseKernelDensity(inFeatures:columns:)`).
  var denseKernelDensity: Double?
  /// Dense copy of a sparse weight's values, rebuilt on every use (values change every step).
  private var scratch: [Float] = []
  /// A sparse weight's values in CSC order for the input gradient (`SparseKernels.inputGradient`), rebuilt on
  /// every use.
  private var transposedValues: [Float] = []

  init(denseKernelDensity: Double?) {
    self.denseKernelDensity = denseKernelDensity
  }

  /// The pattern of `weight` if its products with `n` columns run on the sparse kernels, else `nil`.
  private func sparsePattern(_ weight: Parameter, n: Int) -> SparsePattern? {
    guard let pattern = weight.pattern,
      Linear.usesSparseKernels(
        density: pattern.density, inFeatures: weight.columns, columns: n, denseKernelDensity: denseKernelDensity)
    else { return nil }
    return pattern
  }

  private mutating func scatterIntoScratch(_ weight: Parameter, _ pattern: SparsePattern) {
    let count = weight.denseCount
    if scratch.count != count { scratch = [Float](repeating: 0, count: count) }
    let columns = pattern.columns
    scratch.withUnsafeMutableBufferPointer { dense in
      dense.update(repeating: 0)
      weight.value.withUnsafeBufferPointer { values in
        pattern.rowStart.withUnsafeBufferPointer { rowStart in
          pattern.columnIndex.withUnsafeBufferPointer { columnIndex in
            for r in 0..<pattern.rows {
              for k in Int(rowStart[r])..<Int(rowStart[r + 1]) { dense[r * columns + Int(columnIndex[k])] = values[k] }
            }
          }
        }
      }
    }
  }

  /// `output = W input + bias` (the bias broadcast over the `n` columns), then `max(output, 0)` if `relu`;
  /// `output` `[out x n]`. The sparse and thin dense kernels add the bias and apply the ReLU as they finish each
  /// row; the other dense ones in one pass after the product: the same bits either way.
  mutating func forward(
    _ weight: Parameter, bias: Parameter?, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, n: Int, relu: Bool = false
  ) {
    withOptionalBuffer(bias?.value) { b in
      if let pattern = sparsePattern(weight, n: n) {
        weight.value.withUnsafeBufferPointer { values in
          SparseKernels.forward(
            pattern: pattern, values: values, input: input, output: output, batch: n, bias: b, relu: relu)
        }
        return
      }
      denseOperand(weight) { dense in
        DenseKernels.forward(
          weights: dense, input: input, output: output, outFeatures: weight.rows, inFeatures: weight.columns, batch: n,
          bias: b, relu: relu)
      }
    }
  }

  /// `parameter.gradient[i] += sum_k values[i, k]` over the `columns` columns (the bias gradient).
  static func accumulateRowSums(
    _ values: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into parameter: Parameter
  ) {
    parameter.gradient.withUnsafeMutableBufferPointer { g in
      ElementwiseKernels.addRowSums(of: values, rows: rows, columns: columns, to: g)
    }
  }

  /// Calls `body` with the dense `[out x in]` values of `weight`: its own for a dense weight, the scratch copy
  /// for a sparse one.
  private mutating func denseOperand(_ weight: Parameter, _ body: (UnsafeBufferPointer<Float>) -> Void) {
    if let pattern = weight.pattern {
      scatterIntoScratch(weight, pattern)
      scratch.withUnsafeBufferPointer(body)
    } else {
      weight.value.withUnsafeBufferPointer(body)
    }
  }

  /// `inputGradient = W^T outputGradient`, `inputGradient` `[in x n]`; with a `gate` (`[in x n]`, the output of
  /// the ReLU in front of the layer) then `inputGradient *= (gate > 0 ? 1 : 0)`, the gradient through that ReLU.
  mutating func inputGradient(
    _ weight: Parameter, outputGradient: UnsafeBufferPointer<Float>, inputGradient: UnsafeMutableBufferPointer<Float>,
    n: Int, gate: UnsafeBufferPointer<Float>? = nil
  ) {
    if let pattern = sparsePattern(weight, n: n) {
      if transposedValues.count < pattern.nonzeroCount {
        transposedValues = [Float](repeating: 0, count: pattern.nonzeroCount)
      }
      weight.value.withUnsafeBufferPointer { values in
        transposedValues.withUnsafeMutableBufferPointer { transposed in
          SparseKernels.inputGradient(
            pattern: pattern, values: values, outputGradient: outputGradient, inputGradient: inputGradient, batch: n,
            transposedValues: transposed, gate: gate)
        }
      }
      return
    }
    denseOperand(weight) { dense in
      DenseKernels.inputGradient(
        weights: dense, outputGradient: outputGradient, inputGradient: inputGradient, outFeatures: weight.rows,
        inFeatures: weight.columns, batch: n, gate: gate)
    }
  }

  /// `weight.gradient += outputGradient input^T` at the stored entries.
  func accumulateWeightGradient(
    _ weight: Parameter, outputGradient: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>, n: Int
  ) {
    let rows = weight.rows
    let columns = weight.columns
    let pattern = weight.pattern
    weight.gradient.withUnsafeMutableBufferPointer { gradient in
      if let pattern {
        SparseKernels.weightGradient(
          pattern: pattern, outputGradient: outputGradient, input: input, valueGradient: gradient, batch: n,
          accumulate: true)
      } else {
        DenseKernels.weightGradient(
          outputGradient: outputGradient, input: input, weightGradient: gradient, outFeatures: rows,
          inFeatures: columns, batch: n, accumulate: true)
      }
    }
  }

  /// The dense gradient `outputGradient input^T`, `[out x in]`, for every entry active or not.
  static func denseGradient(
    rows: Int, columns: Int, outputGradient: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>, n: Int
  ) -> Matrix {
    var result = Matrix(rows: rows, columns: columns)
    result.scalars.withUnsafeMutableBufferPointer { gradient in
      DenseKernels.weightGradient(
        outputGradient: outputGradient, input: input, weightGradient: gradient, outFeatures: rows,
        inFeatures: columns, batch: n, accumulate: false)
    }
    return result
  }
}

/// Calls `body` with the contents of `array` if there is one, with `nil` otherwise.
func withOptionalBuffer<Result>(
  _ array: [Float]?, _ body: (UnsafeBufferPointer<Float>?) -> Result
) -> Result {
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0) }
}
