internal import CSparseRLKernels

/// Dense kernels of a linear layer, on row-major buffers with feature-major activations.
///
/// Shapes: weights `W` are `[out x in]`, activations `X` are `[in x batch]`, outputs `Y` are `[out x batch]`.
/// Every kernel is O(out * in * batch) and performs no allocation (products of at least 131,072 multiply-adds split
/// by rows across the `KernelThreads`, bit-identical for every count): the three products are the
/// NN, TN and NT variants of one packed, register-blocked SIMD matrix multiply (`PackedGEMM`, 4 x 16 tiles).
/// Batch 1 (acting) uses dedicated matrix-vector loops instead (`srl_matrix_vector`: four row dot products at a
/// time; `srl_matrix_vector_transposed`: 64 result entries in registers while streaming down the rows), since
/// padding a single column to a 16-wide tile would waste 15/16 of the arithmetic; the batch-1 weight gradient
/// is the outer product `dy x^T` (`srl_outer_product`). Weights of at most ``thinRows`` rows skip the packing
/// (see ``thinRows``). The loops are C
/// (`CSparseRLKernels`), in the ``KernelVariant`` chosen at run time.
///
/// Packing scratch comes from a ``KernelWorkspace``: the overloads without `workspace:` use the calling
/// thread's ``KernelWorkspace/current``.
public enum DenseKernels {
  /// The most output features for which forward, input gradient and weight gradient read their operands in
  /// place (`srl_thin_forward`: rows in pairs, 32 batch entries in registers; `srl_thin_input_gradient`: the same
  /// over `W`'s columns; `srl_thin_weight_gradient`: one dot product per weight) instead of packing them for the
  /// GEMM: output layers such as a critic's 256 -> 1.
  public static let thinRows = Int(SRL_THIN_ROWS)

  /// `Y = W X` (overwrites `output`), then `Y[r, :] += bias[r]` with a `bias` and `max(Y, 0)` with `relu` (the
  /// epilogue of ``ElementwiseKernels/applyEpilogue(to:rows:columns:bias:relu:gate:)``, same bits).
  public static func forward(
    weights: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    bias: UnsafeBufferPointer<Float>? = nil, relu: Bool = false
  ) {
    forward(
      weights: weights, input: input, output: output, outFeatures: outFeatures, inFeatures: inFeatures,
      batch: batch, workspace: .current, bias: bias, relu: relu)
  }

  /// `Y = W X` (overwrites `output`) and the epilogue, using `workspace` for packing scratch. Thin weights apply
  /// the epilogue as each row pair is finished; the other paths in one pass after the product.
  public static func forward(
    weights: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    workspace: KernelWorkspace, bias: UnsafeBufferPointer<Float>? = nil, relu: Bool = false
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
    let epilogue = srl_epilogue(
      bias: bias, relu: relu, gate: nil, rows: outFeatures, columns: batch, caller: "DenseKernels.forward")
    guard inFeatures > 0, let w = weights.baseAddress, let x = input.baseAddress else {
      y.update(repeating: 0, count: outFeatures * batch)
      srl_apply_epilogue(outFeatures, batch, epilogue, y)
      return
    }
    if batch > 1 && outFeatures <= thinRows {
      srl_thin_forward(outFeatures, inFeatures, w, x, y, batch, epilogue)
      return
    }
    if batch == 1 {
      srl_matrix_vector(w, x, y, outFeatures, inFeatures)
    } else {
      PackedGEMM.multiply(
        m: outFeatures, n: batch, k: inFeatures,
        a: StridedOperand(base: w, rowStride: inFeatures, columnStride: 1),
        b: StridedOperand(base: x, rowStride: batch, columnStride: 1),
        c: y, cRowStride: batch, accumulate: false, workspace: workspace)
    }
    srl_apply_epilogue(outFeatures, batch, epilogue, y)
  }

  /// `dX = W^T dY` (overwrites `inputGradient`), then `dX *= (gate > 0 ? 1 : 0)` with a `gate` `[in x batch]` (the
  /// output of the ReLU before the layer: the gradient through it, same bits as the separate pass).
  public static func inputGradient(
    weights: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    gate: UnsafeBufferPointer<Float>? = nil
  ) {
    self.inputGradient(
      weights: weights, outputGradient: outputGradient, inputGradient: inputGradient, outFeatures: outFeatures,
      inFeatures: inFeatures, batch: batch, workspace: .current, gate: gate)
  }

  /// `dX = W^T dY` (overwrites `inputGradient`) and the gate, using `workspace` for packing scratch. Thin weights
  /// (`srl_thin_input_gradient`: `W`'s columns read in place, no packing) gate each row pair as it is finished;
  /// the other paths in one pass after the product.
  public static func inputGradient(
    weights: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    workspace: KernelWorkspace, gate: UnsafeBufferPointer<Float>? = nil
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
    let epilogue = srl_epilogue(
      bias: nil, relu: false, gate: gate, rows: inFeatures, columns: batch, caller: "DenseKernels.inputGradient")
    guard outFeatures > 0, let w = weights.baseAddress, let dy = outputGradient.baseAddress else {
      dx.update(repeating: 0, count: inFeatures * batch)
      srl_apply_epilogue(inFeatures, batch, epilogue, dx)
      return
    }
    if batch > 1 && outFeatures <= thinRows {
      srl_thin_input_gradient(outFeatures, inFeatures, w, dy, dx, batch, epilogue)
      return
    }
    if batch == 1 {
      srl_matrix_vector_transposed(w, dy, dx, outFeatures, inFeatures)
    } else {
      PackedGEMM.multiply(
        m: inFeatures, n: batch, k: outFeatures,
        a: StridedOperand(base: w, rowStride: 1, columnStride: inFeatures),
        b: StridedOperand(base: dy, rowStride: batch, columnStride: 1),
        c: dx, cRowStride: batch, accumulate: false, workspace: workspace)
    }
    srl_apply_epilogue(inFeatures, batch, epilogue, dx)
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
    if batch == 1 {
      srl_outer_product(outFeatures, inFeatures, dy, x, dw, accumulate)
      return
    }
    if outFeatures <= thinRows {
      srl_thin_weight_gradient(outFeatures, inFeatures, dy, x, dw, batch, accumulate)
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
