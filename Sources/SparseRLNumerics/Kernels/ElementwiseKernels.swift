internal import CSparseRLKernels

/// The element-wise loops of the layers (ReLU; the products' epilogue of bias add, ReLU and ReLU gate; the bias
/// gradient), in the C kernels: 8 lanes at a time,
/// with plain compares, multiplies and adds, so every ``KernelVariant`` gives the same bits. Each is
/// O(elements) and allocates nothing. Matrices are row-major `[rows x columns]` (features x batch for
/// activations).
public enum ElementwiseKernels {
  /// `output[i] = max(input[i], 0)`, with Swift's `max` semantics: `+0` for every `input <= 0` (`-0` included),
  /// NaN stays NaN.
  public static func relu(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
    precondition(
      output.count >= input.count, "ElementwiseKernels.relu: \(input.count) inputs, \(output.count) outputs")
    guard let x = input.baseAddress, let y = output.baseAddress else { return }
    srl_relu_forward(input.count, x, y)
  }

  /// `inputGradient[i] = outputGradient[i] * (output[i] > 0 ? 1 : 0)`: ReLU's backward pass from its output.
  public static func reluBackward(
    output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>
  ) {
    let count = outputGradient.count
    precondition(
      output.count >= count && inputGradient.count >= count,
      "ElementwiseKernels.reluBackward: \(output.count) outputs, \(count) gradients, \(inputGradient.count) results")
    guard let y = output.baseAddress, let dy = outputGradient.baseAddress, let dx = inputGradient.baseAddress
    else { return }
    srl_relu_backward(count, y, dy, dx)
  }

  /// The epilogue of a product, in place on `values` `[rows x columns]`: each entry `v` of row `r` becomes
  /// `v + bias[r]` (with a `bias`), then `max(v, 0)` (with `relu`, the semantics of ``relu(input:output:)``), then
  /// `v * (gate[r, c] > 0 ? 1 : 0)` (with a `gate` `[rows x columns]`, the output of a ReLU: its backward pass).
  /// The products in ``SparseKernels`` apply the same epilogue as they finish each row, with the same bits.
  public static func applyEpilogue(
    to values: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int,
    bias: UnsafeBufferPointer<Float>? = nil, relu: Bool = false, gate: UnsafeBufferPointer<Float>? = nil
  ) {
    precondition(
      rows >= 0 && columns >= 0 && values.count >= rows * columns,
      "ElementwiseKernels.applyEpilogue: \(values.count) values for [\(rows) x \(columns)]")
    let epilogue = srl_epilogue(
      bias: bias, relu: relu, gate: gate, rows: rows, columns: columns, caller: "ElementwiseKernels.applyEpilogue")
    guard rows > 0, columns > 0 else { return }
    srl_apply_epilogue(rows, columns, epilogue, values.baseAddress!)
  }

  /// `sums[r] += values[r, 0] + ... + values[r, columns - 1]` (a bias gradient), summed in a fixed order of
  /// 8-lane partial sums (`srl_add_row_sums`): not the left-to-right order, but the same for every variant and
  /// thread count.
  public static func addRowSums(
    of values: UnsafeBufferPointer<Float>, rows: Int, columns: Int, to sums: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(
      rows >= 0 && columns >= 0 && sums.count >= rows && values.count >= rows * columns,
      "ElementwiseKernels.addRowSums: \(values.count) values for [\(rows) x \(columns)], \(sums.count) sums")
    guard rows > 0 else { return }
    guard columns > 0 else { return }
    srl_add_row_sums(rows, columns, values.baseAddress!, sums.baseAddress!)
  }
}

extension srl_epilogue {
  /// The C epilogue of a `[rows x columns]` result; stops with a message naming `caller` if `bias` has fewer than
  /// `rows` entries or `gate` fewer than `rows * columns`.
  init(
    bias: UnsafeBufferPointer<Float>?, relu: Bool, gate: UnsafeBufferPointer<Float>?, rows: Int, columns: Int,
    caller: String
  ) {
    if let bias {
      precondition(bias.count >= rows, "\(caller): \(bias.count) biases for \(rows) rows")
    }
    if let gate {
      precondition(
        gate.count >= rows * columns, "\(caller): gate holds \(gate.count) floats, [\(rows) x \(columns)] needs more")
    }
    self.init(bias: bias?.baseAddress, relu: relu, gate: gate?.baseAddress)
  }

}
