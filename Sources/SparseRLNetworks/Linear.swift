import SparseRLNumerics

/// A fully connected layer `Y = W X + b` with `W` `[out x in]` dense or sparse and `X` `[in x batch]`.
///
/// A sparse weight stores only its active entries (see `Parameter`); the layer multiplies with the sparse
/// kernels, O(nnz * batch) per product, and reads `weight.pattern` on every call, so after `weight.setPattern`
/// the next forward uses the new topology. Where the dense kernels are faster (`Linear.usesSparseKernels`), the
/// weight is scattered into a dense scratch copy and multiplied with them instead (see `WeightProduct`).
///
/// Forward keeps its input (needed for the weight gradient); backward keeps the output gradient (needed by
/// `denseWeightGradient`, RigL's grow criterion). Alone, the layer keeps copies in reused buffers. Inside a
/// `Sequential`, which owns the buffers passed between its layers, it keeps references instead (see
/// `savesInputByReference`), saving a copy of each activation per pass.
public final class Linear: MaskableLayer {
  /// Input features.
  public let inFeatures: Int
  /// Output features.
  public let outFeatures: Int
  /// The weight, `[out x in]`, dense or sparse.
  public let weight: Parameter
  /// The bias, `[out x 1]` and always dense, or `nil` for a layer without bias.
  public let bias: Parameter?
  /// Each weight is used once per sample.
  public var weightUsesPerSample: Int { 1 }

  private var product: WeightProduct
  private var input = Matrix(rows: 0, columns: 0)
  private var output = Matrix(rows: 0, columns: 0)
  private var inputGradient = Matrix(rows: 0, columns: 0)
  private var outputGradient = Matrix(rows: 0, columns: 0)
  private var hasOutputGradient = false

  /// Whether `forward` keeps a reference to its input rather than a copy. Set by a container that passes this
  /// layer the buffer of another of its layers and calls `releaseSavedInput()` before that buffer is written
  /// again, so the write finds it unshared (a write to a buffer still shared would copy it: always correct,
  /// but an allocation). `Sequential` sets it for every `Linear` but its first layer, whose input the caller
  /// owns.
  var savesInputByReference = false
  /// Whether `backward` keeps a reference to its output gradient rather than a copy, under the same contract
  /// with `releaseSavedOutputGradient()` (`Sequential`: every `Linear` but its last layer).
  var savesOutputGradientByReference = false

  /// Drops a kept reference to the last input (see `savesInputByReference`); a later `backward` needs a new
  /// `forward` first.
  func releaseSavedInput() {
    if savesInputByReference { input = Matrix(rows: 0, columns: 0) }
  }

  /// Drops a kept reference to the last output gradient (see `savesOutputGradientByReference`).
  func releaseSavedOutputGradient() {
    guard savesOutputGradientByReference else { return }
    outputGradient = Matrix(rows: 0, columns: 0)
    hasOutputGradient = false
  }

  private func saveInput(_ x: Matrix) {
    if savesInputByReference { input = x } else { input.copyContents(of: x) }
  }

  private func saveOutputGradient(_ dy: Matrix) {
    if savesOutputGradientByReference { outputGradient = dy } else { outputGradient.copyContents(of: dy) }
    hasOutputGradient = true
  }

  /// A fixed density from which a sparse weight is multiplied through a dense scratch copy with the dense
  /// kernels, whatever the shape; `nil` (the default) for the measured rule of
  /// `Linear.denseKernelDensity(inFeatures:columns:)`. Set above 1 to always use the sparse kernels.
  public var denseKernelDensity: Double? {
    get { product.denseKernelDensity }
    set { product.denseKernelDensity = newValue }
  }

  /// The density from which the dense kernels (through a dense copy of the weight, scattered on every call) beat
  /// the sparse ones for a sparse `[out x inFeatures]` weight multiplied with `columns` columns of activations (the
  /// batch, or output positions times batch for `Conv2d`), as `sparserl bench kernels --layer-paths` measures the
  /// two paths of a `Linear` (docs/benchmarks.md, "Dense fallback by shape and batch"):
  /// - 50% for training batches (128 columns and more) of a layer with more than 24 inputs: there the packed GEMM's
  ///   rate pays for the scatter from about half density on.
  /// - 70% otherwise. Below 128 columns the scatter (O(out x in) per call) costs as much as the product; at most 24
  ///   inputs (an observation layer) the few input rows the sparse products gather from stay in L1, where they run
  ///   near the dense GEMM's rate.
  public static func denseKernelDensity(inFeatures: Int, columns: Int) -> Double {
    columns >= 128 && inFeatures > 24 ? 0.5 : 0.7
  }

  /// Whether a sparse weight of `density` with `inFeatures` columns, multiplied with `columns` columns of
  /// activations, runs on the sparse kernels (below `denseKernelDensity`, by default the measured
  /// `denseKernelDensity(inFeatures:columns:)`) or on the dense ones through a scratch copy (from it on): the one
  /// rule `WeightProduct` applies and `sparserl describe` reports per layer.
  public static func usesSparseKernels(
    density: Double, inFeatures: Int, columns: Int, denseKernelDensity: Double? = nil
  ) -> Bool {
    density < (denseKernelDensity ?? Self.denseKernelDensity(inFeatures: inFeatures, columns: columns))
  }

  /// A layer with freshly initialised parameters.
  ///
  /// - Parameters:
  ///   - inFeatures: input features.
  ///   - outFeatures: output features.
  ///   - pattern: the active weights of a sparse layer (`nil`: dense). Values are drawn for the dense shape and
  ///     the active entries kept, so each active weight follows `weightInitializer`.
  ///   - weightInitializer: `.pytorchDefault` (PyTorch's `nn.Linear`) by default.
  ///   - biasInitializer: `.pytorchDefault` by default, drawn with the weight's fans; `nil` for no bias.
  ///   - random: the generator the initial values are drawn from.
  public convenience init(
    inFeatures: Int, outFeatures: Int, pattern: SparsePattern? = nil,
    weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer? = .pytorchDefault,
    random: inout RandomGenerator
  ) {
    precondition(
      inFeatures > 0 && outFeatures > 0, "Linear: features must be positive, got \(inFeatures)->\(outFeatures)")
    let values = weightInitializer.values(rows: outFeatures, columns: inFeatures, using: &random)
    let weight: Parameter
    if let pattern {
      precondition(
        pattern.rows == outFeatures && pattern.columns == inFeatures,
        "Linear(\(inFeatures)->\(outFeatures)): pattern is \(pattern.rows)x\(pattern.columns)")
      weight = Parameter(
        name: "weight", pattern: pattern,
        value: pattern.gather(Matrix(rows: outFeatures, columns: inFeatures, scalars: values)))
    } else {
      weight = Parameter(name: "weight", rows: outFeatures, columns: inFeatures, value: values)
    }
    var bias: Parameter? = nil
    if let biasInitializer {
      let biasValues = biasInitializer.values(
        rows: outFeatures, columns: 1, fanIn: inFeatures, fanOut: outFeatures, using: &random)
      bias = Parameter(name: "bias", rows: outFeatures, columns: 1, value: biasValues)
    }
    self.init(weight: weight, bias: bias)
  }

  /// A layer around existing parameters: `weight` `[out x in]`, `bias` dense `[out x 1]` or `nil`.
  public init(
    weight: Parameter, bias: Parameter?, denseKernelDensity: Double? = nil
  ) {
    if let bias {
      precondition(
        bias.rows == weight.rows && bias.columns == 1 && !bias.isSparse,
        "Linear: bias must be dense \(weight.rows)x1, got \(bias.rows)x\(bias.columns)")
    }
    self.inFeatures = weight.columns
    self.outFeatures = weight.rows
    self.weight = weight
    self.bias = bias
    self.product = WeightProduct(denseKernelDensity: denseKernelDensity)
  }

  public var localParameters: [(name: String, parameter: Parameter)] {
    if let bias { return [("weight", weight), ("bias", bias)] }
    return [("weight", weight)]
  }

  public func outputFeatures(forInput inputFeatures: Int) -> Int {
    precondition(
      inputFeatures == inFeatures, "Linear(\(inFeatures)->\(outFeatures)): got \(inputFeatures) input features")
    return outFeatures
  }

  public func forward(_ x: Matrix) -> Matrix { forward(x, fusedReLU: false) }

  /// `forward(x)`, then with `fusedReLU` `max(y, 0)` applied as the product finishes each row: the output of
  /// this layer followed by a `ReLU` without a pass of its own (`Sequential` fuses such pairs). The bits are
  /// those of the two layers one after the other.
  func forward(_ x: Matrix, fusedReLU: Bool) -> Matrix {
    precondition(x.rows == inFeatures, "Linear(\(inFeatures)->\(outFeatures)): input has \(x.rows) features")
    let batch = x.columns
    saveInput(x)
    hasOutputGradient = false
    output.prepare(rows: outFeatures, columns: batch)
    input.scalars.withUnsafeBufferPointer { xs in
      output.scalars.withUnsafeMutableBufferPointer { ys in
        product.forward(weight, bias: bias, input: xs, output: ys, n: batch, relu: fusedReLU)
      }
    }
    return output
  }

  public func backward(_ dy: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    backward(dy, accumulateParameterGradients: accumulateParameterGradients, reluGate: nil)
  }

  /// `backward(dy, accumulateParameterGradients:)`, then with a `reluGate` (the output of a `ReLU` in front of
  /// this layer, `[in x batch]`) the input gradient multiplied by `reluGate > 0 ? 1 : 0` as the product
  /// finishes each row: the gradient through that ReLU as well, without its pass (`Sequential` fuses such
  /// pairs). The bits are those of the two backward passes one after the other.
  func backward(_ dy: Matrix, accumulateParameterGradients: Bool, reluGate: Matrix?) -> Matrix {
    let batch = input.columns
    precondition(
      dy.rows == outFeatures && dy.columns == batch,
      "Linear(\(inFeatures)->\(outFeatures)).backward: gradient is \(dy.rows)x\(dy.columns), expected \(outFeatures)x\(batch)"
    )
    if let reluGate {
      precondition(
        reluGate.rows == inFeatures && reluGate.columns == batch,
        "Linear(\(inFeatures)->\(outFeatures)).backward: ReLU gate is \(reluGate.rows)x\(reluGate.columns), expected \(inFeatures)x\(batch)"
      )
    }
    saveOutputGradient(dy)
    inputGradient.prepare(rows: inFeatures, columns: batch)
    input.scalars.withUnsafeBufferPointer { xs in
      outputGradient.scalars.withUnsafeBufferPointer { dys in
        if accumulateParameterGradients {
          product.accumulateWeightGradient(weight, outputGradient: dys, input: xs, n: batch)
          if let bias { WeightProduct.accumulateRowSums(dys, rows: outFeatures, columns: batch, into: bias) }
        }
        inputGradient.scalars.withUnsafeMutableBufferPointer { dxs in
          withOptionalBuffer(reluGate?.scalars) { gate in
            product.inputGradient(weight, outputGradient: dys, inputGradient: dxs, n: batch, gate: gate)
          }
        }
      }
    }
    return inputGradient
  }

  /// The parameter half of `backward(dy, accumulateParameterGradients: true)`: adds the weight and bias
  /// gradients (and keeps `dy` for `denseWeightGradient`) without computing the input gradient, for a first
  /// layer whose input gradient nothing reads. Saves O(nnz * batch) (dense: O(out * in * batch)).
  public func accumulateParameterGradients(_ dy: Matrix) {
    let batch = input.columns
    precondition(
      dy.rows == outFeatures && dy.columns == batch,
      "Linear(\(inFeatures)->\(outFeatures)).backward: gradient is \(dy.rows)x\(dy.columns), expected \(outFeatures)x\(batch)"
    )
    saveOutputGradient(dy)
    input.scalars.withUnsafeBufferPointer { xs in
      outputGradient.scalars.withUnsafeBufferPointer { dys in
        product.accumulateWeightGradient(weight, outputGradient: dys, input: xs, n: batch)
        if let bias { WeightProduct.accumulateRowSums(dys, rows: outFeatures, columns: batch, into: bias) }
      }
    }
  }

  public func denseWeightGradient() -> Matrix {
    precondition(hasOutputGradient, "Linear.denseWeightGradient needs a forward and then a backward pass")
    return input.scalars.withUnsafeBufferPointer { xs in
      outputGradient.scalars.withUnsafeBufferPointer { dys in
        WeightProduct.denseGradient(
          rows: outFeatures, columns: inFeatures, outputGradient: dys, input: xs, n: input.columns)
      }
    }
  }

  /// Nothing is derived from the pattern: every call reads `weight.pattern`.
  public func weightPatternDidChange() {
    precondition(weight.rows == outFeatures && weight.columns == inFeatures, "Linear: weight shape changed")
  }

  public func copy() -> Linear {
    Linear(weight: weight.copy(), bias: bias?.copy(), denseKernelDensity: denseKernelDensity)
  }
}
