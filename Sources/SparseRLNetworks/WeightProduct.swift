import SparseRLNumerics

/// The three products of a weight `W` (`[out x in]`, a dense or sparse `Parameter`) with feature-major
/// activations (`[in x n]`), shared by `Linear` (n = batch) and `Conv2d` (n = output positions * batch).
///
/// A sparse weight uses the sparse kernels, O(nnz * n), unless its density is at least
/// `denseKernelDensity`: then forward and input-gradient products scatter the active values into a dense
/// `[out x in]` scratch matrix (O(out * in), reused across calls) and run the dense kernels, which are faster
/// when few entries are inactive. The weight gradient of a sparse weight is always the sampled product at the
/// active entries, so inactive entries never receive gradient.
struct WeightProduct {
  /// The density from which a sparse weight is multiplied through a dense scratch copy.
  var denseKernelDensity: Double
  /// Dense copy of a sparse weight's values, rebuilt on every use (values change every step).
  private var scratch: [Float] = []
  /// A sparse weight's values in CSC order for the input gradient (`SparseKernels.inputGradient`), rebuilt on
  /// every use.
  private var transposedValues: [Float] = []

  init(denseKernelDensity: Double) {
    self.denseKernelDensity = denseKernelDensity
  }

  /// Whether `weight` is multiplied with the sparse kernels.
  func usesSparseKernels(_ weight: Parameter) -> Bool {
    guard let pattern = weight.pattern else { return false }
    return Linear.usesSparseKernels(density: pattern.density, denseKernelDensity: denseKernelDensity)
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

  /// `output = W input + bias` (the bias broadcast over the `n` columns), `output` `[out x n]`.
  mutating func forward(
    _ weight: Parameter, bias: Parameter?, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, n: Int
  ) {
    multiply(weight, input: input, output: output, n: n)
    guard let bias else { return }
    bias.value.withUnsafeBufferPointer { b in
      ElementwiseKernels.addBias(b, to: output, rows: weight.rows, columns: n)
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

  private mutating func multiply(
    _ weight: Parameter, input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>, n: Int
  ) {
    if let pattern = weight.pattern {
      if pattern.density < denseKernelDensity {
        weight.value.withUnsafeBufferPointer { values in
          SparseKernels.forward(pattern: pattern, values: values, input: input, output: output, batch: n)
        }
        return
      }
      scatterIntoScratch(weight, pattern)
      scratch.withUnsafeBufferPointer { dense in
        DenseKernels.forward(
          weights: dense, input: input, output: output, outFeatures: weight.rows, inFeatures: weight.columns, batch: n)
      }
    } else {
      weight.value.withUnsafeBufferPointer { dense in
        DenseKernels.forward(
          weights: dense, input: input, output: output, outFeatures: weight.rows, inFeatures: weight.columns, batch: n)
      }
    }
  }

  /// `inputGradient = W^T outputGradient`, `inputGradient` `[in x n]`.
  mutating func inputGradient(
    _ weight: Parameter, outputGradient: UnsafeBufferPointer<Float>, inputGradient: UnsafeMutableBufferPointer<Float>,
    n: Int
  ) {
    if let pattern = weight.pattern {
      if pattern.density < denseKernelDensity {
        if transposedValues.count < pattern.nonzeroCount {
          transposedValues = [Float](repeating: 0, count: pattern.nonzeroCount)
        }
        weight.value.withUnsafeBufferPointer { values in
          transposedValues.withUnsafeMutableBufferPointer { transposed in
            SparseKernels.inputGradient(
              pattern: pattern, values: values, outputGradient: outputGradient, inputGradient: inputGradient, batch: n,
              transposedValues: transposed)
          }
        }
        return
      }
      scatterIntoScratch(weight, pattern)
      scratch.withUnsafeBufferPointer { dense in
        DenseKernels.inputGradient(
          weights: dense, outputGradient: outputGradient, inputGradient: inputGradient, outFeatures: weight.rows,
          inFeatures: weight.columns, batch: n)
      }
    } else {
      weight.value.withUnsafeBufferPointer { dense in
        DenseKernels.inputGradient(
          weights: dense, outputGradient: outputGradient, inputGradient: inputGradient, outFeatures: weight.rows,
          inFeatures: weight.columns, batch: n)
      }
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
