import SparseRLNumerics

/// A 2-D convolution (cross-correlation, as PyTorch's `nn.Conv2d`) on feature-major activations.
///
/// Layouts: the input is `[inChannels * height * width x batch]` (row `(c * height + y) * width + x`), the
/// output `[outChannels * outHeight * outWidth x batch]`, the weight `[outChannels x inChannels * kh * kw]`
/// (column `(c * kh + dy) * kw + dx`, PyTorch's order) and may be sparse. With `P = outHeight * outWidth`:
///
/// - forward: im2col builds `columns` `[inChannels * kh * kw x P * batch]` (column `p * batch + b`), then
///   `output = W columns` with the same dense or sparse kernels as `Linear` (n = P * batch). The result
///   `[outChannels x P * batch]` is already the output layout. Cost O(nnz * P * batch) plus O(K * P * batch)
///   for im2col.
/// - backward: `dW += dY columns^T` at the stored entries, `dColumns = W^T dY`, then col2im adds `dColumns`
///   back into `[inChannels * height * width x batch]`.
///
/// Zero padding is applied to every border. `outHeight = (height + 2 padding - kh) / stride + 1`.
public final class Conv2d: MaskableLayer {
  /// Input channels.
  public let inChannels: Int
  /// Output channels.
  public let outChannels: Int
  /// Input height and width.
  public let inputHeight: Int, inputWidth: Int
  /// Kernel height and width.
  public let kernelHeight: Int, kernelWidth: Int
  /// Step between kernel positions, in both directions.
  public let stride: Int
  /// Zero padding on every border.
  public let padding: Int
  /// Output height and width.
  public let outputHeight: Int, outputWidth: Int
  /// The weight `[outChannels x inChannels * kh * kw]`, dense or sparse.
  public let weight: Parameter
  /// The bias `[outChannels x 1]`, or `nil`.
  public let bias: Parameter?

  private var product: WeightProduct
  private var columns = Matrix(rows: 0, columns: 0)
  private var output = Matrix(rows: 0, columns: 0)
  private var columnGradient = Matrix(rows: 0, columns: 0)
  private var inputGradient = Matrix(rows: 0, columns: 0)
  private var outputGradient = Matrix(rows: 0, columns: 0)
  private var hasOutputGradient = false
  private var batch = 0

  /// Number of output positions `P`.
  public var outputPositions: Int { outputHeight * outputWidth }
  /// Each weight is applied at every output position.
  public var weightUsesPerSample: Int { outputPositions }
  /// `inChannels * kh * kw`, the weight's columns.
  public var patchSize: Int { inChannels * kernelHeight * kernelWidth }
  /// Input features `inChannels * height * width`.
  public var inFeatures: Int { inChannels * inputHeight * inputWidth }
  /// Output features `outChannels * outHeight * outWidth`.
  public var outFeatures: Int { outChannels * outputPositions }

  /// A fixed density from which a sparse weight is multiplied through a dense scratch copy; `nil` for the measured
  /// rule (see `Linear.denseKernelDensity`).
  public var denseKernelDensity: Double? {
    get { product.denseKernelDensity }
    set { product.denseKernelDensity = newValue }
  }

  /// A convolution with fresh parameters. Fans are `inChannels * kh * kw` (in) and `outChannels * kh * kw`
  /// (out), as PyTorch; `.pytorchDefault` reproduces `nn.Conv2d`'s initialisation.
  public convenience init(
    inChannels: Int, outChannels: Int, inputHeight: Int, inputWidth: Int, kernelSize: Int, stride: Int = 1,
    padding: Int = 0, pattern: SparsePattern? = nil, weightInitializer: Initializer = .pytorchDefault,
    biasInitializer: Initializer? = .pytorchDefault, random: inout RandomGenerator
  ) {
    let k = inChannels * kernelSize * kernelSize
    let fanOut = outChannels * kernelSize * kernelSize
    let values = weightInitializer.values(rows: outChannels, columns: k, fanIn: k, fanOut: fanOut, using: &random)
    let weight: Parameter
    if let pattern {
      precondition(pattern.rows == outChannels && pattern.columns == k, "Conv2d: pattern must be \(outChannels)x\(k)")
      weight = Parameter(
        name: "weight", pattern: pattern, value: pattern.gather(Matrix(rows: outChannels, columns: k, scalars: values)))
    } else {
      weight = Parameter(name: "weight", rows: outChannels, columns: k, value: values)
    }
    let bias = biasInitializer.map {
      Parameter(
        name: "bias", rows: outChannels, columns: 1,
        value: $0.values(rows: outChannels, columns: 1, fanIn: k, fanOut: fanOut, using: &random))
    }
    self.init(
      inChannels: inChannels, inputHeight: inputHeight, inputWidth: inputWidth, kernelHeight: kernelSize,
      kernelWidth: kernelSize, stride: stride, padding: padding, weight: weight, bias: bias)
  }

  /// A convolution around existing parameters (`weight` `[outChannels x inChannels * kh * kw]`).
  public init(
    inChannels: Int, inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int, stride: Int,
    padding: Int, weight: Parameter, bias: Parameter?,
    denseKernelDensity: Double? = nil
  ) {
    precondition(
      inChannels > 0 && kernelHeight > 0 && kernelWidth > 0 && stride > 0 && padding >= 0, "Conv2d: invalid geometry")
    precondition(
      weight.columns == inChannels * kernelHeight * kernelWidth,
      "Conv2d: weight has \(weight.columns) columns, expected \(inChannels * kernelHeight * kernelWidth)")
    precondition(
      inputHeight + 2 * padding >= kernelHeight && inputWidth + 2 * padding >= kernelWidth,
      "Conv2d: \(kernelHeight)x\(kernelWidth) kernel larger than padded \(inputHeight)x\(inputWidth) input")
    if let bias {
      precondition(
        bias.rows == weight.rows && bias.columns == 1 && !bias.isSparse, "Conv2d: bias must be dense \(weight.rows)x1")
    }
    self.inChannels = inChannels
    self.outChannels = weight.rows
    self.inputHeight = inputHeight
    self.inputWidth = inputWidth
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.stride = stride
    self.padding = padding
    self.outputHeight = (inputHeight + 2 * padding - kernelHeight) / stride + 1
    self.outputWidth = (inputWidth + 2 * padding - kernelWidth) / stride + 1
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
      inputFeatures == inFeatures,
      "Conv2d: got \(inputFeatures) input features, expected \(inChannels)x\(inputHeight)x\(inputWidth) = \(inFeatures)"
    )
    return outFeatures
  }

  /// Calls `body(row, p, sourceRow)` for every patch row and output position; `sourceRow` is the input
  /// feature row read there, or -1 in the padding.
  @inline(__always)
  private func forEachPatchEntry(_ body: (Int, Int, Int) -> Void) {
    for c in 0..<inChannels {
      for dy in 0..<kernelHeight {
        for dx in 0..<kernelWidth {
          let row = (c * kernelHeight + dy) * kernelWidth + dx
          for oy in 0..<outputHeight {
            let iy = oy * stride + dy - padding
            for ox in 0..<outputWidth {
              let ix = ox * stride + dx - padding
              let inside = iy >= 0 && iy < inputHeight && ix >= 0 && ix < inputWidth
              body(row, oy * outputWidth + ox, inside ? (c * inputHeight + iy) * inputWidth + ix : -1)
            }
          }
        }
      }
    }
  }

  public func forward(_ input: Matrix) -> Matrix {
    precondition(
      input.rows == inFeatures,
      "Conv2d: input has \(input.rows) features, expected \(inChannels)x\(inputHeight)x\(inputWidth) = \(inFeatures)")
    let batch = input.columns
    self.batch = batch
    hasOutputGradient = false
    let n = outputPositions * batch
    columns.prepare(rows: patchSize, columns: n)
    output.prepare(rows: outFeatures, columns: batch)
    columns.scalars.withUnsafeMutableBufferPointer { cols in
      input.scalars.withUnsafeBufferPointer { x in
        forEachPatchEntry { row, p, source in
          let destination = row * n + p * batch
          if source >= 0 {
            for b in 0..<batch { cols[destination + b] = x[source * batch + b] }
          } else {
            for b in 0..<batch { cols[destination + b] = 0 }
          }
        }
      }
    }
    columns.scalars.withUnsafeBufferPointer { cols in
      output.scalars.withUnsafeMutableBufferPointer { y in
        product.forward(weight, bias: bias, input: cols, output: y, n: n)
      }
    }
    return output
  }

  public func backward(_ dy: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    precondition(
      dy.rows == outFeatures && dy.columns == batch,
      "Conv2d.backward: gradient is \(dy.rows)x\(dy.columns), expected \(outFeatures)x\(batch)")
    let batch = batch
    let n = outputPositions * batch
    outputGradient.copyContents(of: dy)
    hasOutputGradient = true
    columnGradient.prepare(rows: patchSize, columns: n)
    inputGradient.prepare(rows: inFeatures, columns: batch)
    outputGradient.scalars.withUnsafeBufferPointer { dys in
      if accumulateParameterGradients {
        columns.scalars.withUnsafeBufferPointer { cols in
          product.accumulateWeightGradient(weight, outputGradient: dys, input: cols, n: n)
        }
        if let bias { WeightProduct.accumulateRowSums(dys, rows: outChannels, columns: n, into: bias) }
      }
      columnGradient.scalars.withUnsafeMutableBufferPointer { dcols in
        product.inputGradient(weight, outputGradient: dys, inputGradient: dcols, n: n)
      }
    }
    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
      dx.update(repeating: 0)
      columnGradient.scalars.withUnsafeBufferPointer { dcols in
        forEachPatchEntry { row, p, source in
          guard source >= 0 else { return }
          let origin = row * n + p * batch
          for b in 0..<batch { dx[source * batch + b] += dcols[origin + b] }
        }
      }
    }
    return inputGradient
  }

  public func denseWeightGradient() -> Matrix {
    precondition(hasOutputGradient, "Conv2d.denseWeightGradient needs a forward and then a backward pass")
    return columns.scalars.withUnsafeBufferPointer { cols in
      outputGradient.scalars.withUnsafeBufferPointer { dys in
        WeightProduct.denseGradient(
          rows: outChannels, columns: patchSize, outputGradient: dys, input: cols, n: outputPositions * batch)
      }
    }
  }

  /// Nothing is derived from the pattern: every call reads `weight.pattern`.
  public func weightPatternDidChange() {
    precondition(weight.rows == outChannels && weight.columns == patchSize, "Conv2d: weight shape changed")
  }

  public func copy() -> Conv2d {
    Conv2d(
      inChannels: inChannels, inputHeight: inputHeight, inputWidth: inputWidth, kernelHeight: kernelHeight,
      kernelWidth: kernelWidth, stride: stride, padding: padding, weight: weight.copy(), bias: bias?.copy(),
      denseKernelDensity: denseKernelDensity)
  }
}
