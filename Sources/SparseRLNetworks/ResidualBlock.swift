import SparseRLNumerics

/// The SimBa residual block `x + fc2(ReLU(fc1(LayerNorm(x))))` with `fc1` `[hidden x features]` and `fc2`
/// `[features x hidden]`, `hidden = 4 * features` by default. Parameters: `norm.weight`, `norm.bias`,
/// `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias`; `fc1` and `fc2` may be sparse.
public final class ResidualBlock: Layer {
  /// Width of the residual stream.
  public let features: Int
  /// The pre-normalisation (affine).
  public let norm: LayerNorm
  /// The expanding linear layer.
  public let fc1: Linear
  /// The activation between the linear layers.
  public let activation: ReLU
  /// The projecting linear layer.
  public let fc2: Linear
  private var output = Matrix(rows: 0, columns: 0)
  private var inputGradient = Matrix(rows: 0, columns: 0)

  /// A block with fresh parameters: `weightInitializer` (He normal by default, as SimBa) for both linear
  /// weights, `biasInitializer` (zeros) for both biases, optional sparsity patterns for the two weights.
  public convenience init(
    features: Int, expansion: Int = 4, weightInitializer: Initializer = .heNormal,
    biasInitializer: Initializer = .zeros, fc1Pattern: SparsePattern? = nil, fc2Pattern: SparsePattern? = nil,
    random: inout RandomGenerator
  ) {
    precondition(expansion > 0, "ResidualBlock: expansion must be positive")
    let hidden = features * expansion
    self.init(
      norm: LayerNorm(features: features),
      fc1: Linear(
        inFeatures: features, outFeatures: hidden, pattern: fc1Pattern, weightInitializer: weightInitializer,
        biasInitializer: biasInitializer, random: &random),
      fc2: Linear(
        inFeatures: hidden, outFeatures: features, pattern: fc2Pattern, weightInitializer: weightInitializer,
        biasInitializer: biasInitializer, random: &random))
  }

  /// A block from existing layers (`fc1: features -> hidden`, `fc2: hidden -> features`).
  public init(norm: LayerNorm, fc1: Linear, fc2: Linear) {
    precondition(
      norm.features == fc1.inFeatures && fc1.outFeatures == fc2.inFeatures && fc2.outFeatures == norm.features,
      "ResidualBlock: shapes \(norm.features) -> \(fc1.inFeatures)x\(fc1.outFeatures) -> \(fc2.inFeatures)x\(fc2.outFeatures) do not chain"
    )
    self.features = norm.features
    self.norm = norm
    self.fc1 = fc1
    self.activation = ReLU()
    self.fc2 = fc2
    assignParameterNames()
  }

  public var localParameters: [(name: String, parameter: Parameter)] { [] }

  public var namedChildren: [(name: String, layer: any Layer)] { [("norm", norm), ("fc1", fc1), ("fc2", fc2)] }

  public func outputFeatures(forInput inputFeatures: Int) -> Int {
    precondition(inputFeatures == features, "ResidualBlock(\(features)): got \(inputFeatures) input features")
    return features
  }

  public func forward(_ input: Matrix) -> Matrix {
    precondition(input.rows == features, "ResidualBlock(\(features)): input has \(input.rows) features")
    let branch = fc2.forward(activation.forward(fc1.forward(norm.forward(input))))
    output.prepare(rows: features, columns: input.columns)
    Self.add(input, branch, into: &output)
    return output
  }

  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    let accumulate = accumulateParameterGradients
    let branch = norm.backward(
      fc1.backward(
        activation.backward(
          fc2.backward(outputGradient, accumulateParameterGradients: accumulate),
          accumulateParameterGradients: accumulate),
        accumulateParameterGradients: accumulate),
      accumulateParameterGradients: accumulate)
    inputGradient.prepare(rows: features, columns: outputGradient.columns)
    Self.add(outputGradient, branch, into: &inputGradient)
    return inputGradient
  }

  private static func add(_ a: Matrix, _ b: Matrix, into result: inout Matrix) {
    result.scalars.withUnsafeMutableBufferPointer { r in
      a.scalars.withUnsafeBufferPointer { x in
        b.scalars.withUnsafeBufferPointer { y in
          for k in 0..<r.count { r[k] = x[k] + y[k] }
        }
      }
    }
  }

  public func copy() -> ResidualBlock { ResidualBlock(norm: norm.copy(), fc1: fc1.copy(), fc2: fc2.copy()) }
}
