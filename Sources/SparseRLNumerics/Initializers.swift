/// How `Initializer.varianceScaling` counts the connections of a unit.
public enum FanMode: String, Sendable, Codable, CaseIterable {
  /// The number of inputs of a unit (`in` for a linear weight, `inChannels * kh * kw` for a convolution).
  case fanIn
  /// The number of outputs of an input (`out` for a linear weight, `outChannels * kh * kw` for a convolution).
  case fanOut
  /// The mean of `fanIn` and `fanOut`.
  case fanAverage
}

/// The distribution `Initializer.varianceScaling` draws from, always with mean 0 and the requested variance.
public enum VarianceScalingDistribution: String, Sendable, Codable, CaseIterable {
  /// Normal with standard deviation `sqrt(variance)`.
  case normal
  /// Normal truncated to two standard deviations, rescaled so that the truncated variance is the requested one
  /// (the convention of Keras / JAX `variance_scaling` with `truncated_normal`).
  case truncatedNormal
  /// Uniform on `[-sqrt(3 * variance), sqrt(3 * variance))`.
  case uniform
}

/// A rule for the initial values of a weight or bias, drawn from a `RandomGenerator`.
///
/// Every rule is described for a weight of dense shape `[rows x columns]` with given fans. For a linear layer
/// `rows = out`, `columns = in`, `fanIn = in`, `fanOut = out`; for a convolution weight
/// `[outChannels x inChannels * kh * kw]`, `fanIn = inChannels * kh * kw` and `fanOut = outChannels * kh * kw`.
/// A bias is initialised as a `[out x 1]` tensor with the fans of its layer's weight.
public enum Initializer: Sendable, Equatable {
  /// All zeros.
  case zeros
  /// Every entry equals the value.
  case constant(Float)
  /// Uniform on `[low, high)`.
  case uniform(low: Float, high: Float)
  /// PyTorch's default for `nn.Linear` / `nn.Conv2d` weights *and* biases: `kaiming_uniform_(a: sqrt(5))` on the
  /// weight, which is `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`; the bias uses the same bound.
  case pytorchDefault
  /// He (Kaiming) normal, PyTorch convention: `N(0, gain^2 / fanIn)` with ReLU gain `sqrt(2)`, not truncated.
  case heNormal
  /// He (Kaiming) uniform: `U(-sqrt(6 / fanIn), sqrt(6 / fanIn))`.
  case heUniform
  /// Glorot (Xavier) uniform: `U(-sqrt(6 / (fanIn + fanOut)), sqrt(6 / (fanIn + fanOut)))`.
  case glorotUniform
  /// A (semi-)orthogonal matrix times `gain`: the Q factor of the QR decomposition of a standard Gaussian matrix,
  /// with the signs fixed so that R has a positive diagonal (so Q is Haar-distributed). Rows are orthonormal when
  /// `rows <= columns`, columns otherwise (the convention of `torch.nn.init.orthogonal_`).
  case orthogonal(gain: Float)
  /// Zero-mean values with variance `scale / n`, `n` chosen by `mode`, drawn from `distribution`.
  case varianceScaling(scale: Float, mode: FanMode, distribution: VarianceScalingDistribution)

  /// Draws the values of a `[rows x columns]` tensor, row-major.
  ///
  /// - Parameters:
  ///   - rows: rows of the tensor (output units).
  ///   - columns: columns of the tensor (inputs per unit).
  ///   - fanIn: inputs per unit; defaults to `columns`.
  ///   - fanOut: outputs per input; defaults to `rows`.
  ///   - random: the generator the values are drawn from.
  public func values(
    rows: Int, columns: Int, fanIn: Int? = nil, fanOut: Int? = nil, using random: inout RandomGenerator
  ) -> [Float] {
    precondition(rows >= 0 && columns >= 0, "Initializer: negative shape \(rows)x\(columns)")
    let count = rows * columns
    let fanIn = fanIn ?? columns
    let fanOut = fanOut ?? rows
    switch self {
    case .zeros:
      return [Float](repeating: 0, count: count)
    case .constant(let value):
      return [Float](repeating: value, count: count)
    case .uniform(let low, let high):
      precondition(low <= high, "Initializer.uniform: low \(low) > high \(high)")
      return Self.uniformValues(count: count, low: low, high: high, using: &random)
    case .pytorchDefault:
      let bound = fanIn > 0 ? Float(1 / Double(fanIn).squareRoot()) : 0
      return Self.uniformValues(count: count, low: -bound, high: bound, using: &random)
    case .heNormal:
      return Self.varianceScaling(
        count: count, scale: 2, n: Double(Self.positive(fanIn, "fanIn")), distribution: .normal, using: &random)
    case .heUniform:
      return Self.varianceScaling(
        count: count, scale: 2, n: Double(Self.positive(fanIn, "fanIn")), distribution: .uniform, using: &random)
    case .glorotUniform:
      let n = Double(Self.positive(fanIn + fanOut, "fanIn + fanOut")) / 2
      return Self.varianceScaling(count: count, scale: 1, n: n, distribution: .uniform, using: &random)
    case .orthogonal(let gain):
      return Self.orthogonalValues(rows: rows, columns: columns, gain: gain, using: &random)
    case .varianceScaling(let scale, let mode, let distribution):
      precondition(scale > 0, "Initializer.varianceScaling: scale must be positive, got \(scale)")
      let n: Double
      switch mode {
      case .fanIn: n = Double(Self.positive(fanIn, "fanIn"))
      case .fanOut: n = Double(Self.positive(fanOut, "fanOut"))
      case .fanAverage: n = Double(Self.positive(fanIn + fanOut, "fanIn + fanOut")) / 2
      }
      return Self.varianceScaling(
        count: count, scale: Double(scale), n: n, distribution: distribution, using: &random)
    }
  }

  private static func positive(_ fan: Int, _ what: String) -> Int {
    precondition(fan > 0, "Initializer: \(what) must be positive, got \(fan)")
    return fan
  }

  private static func uniformValues(count: Int, low: Float, high: Float, using random: inout RandomGenerator)
    -> [Float]
  {
    (0..<count).map { _ in random.uniform(low, high) }
  }

  /// The factor by which a standard normal truncated to [-2, 2] has a smaller standard deviation.
  static let truncatedNormalStandardDeviation = 0.879_625_661_034_239_78

  private static func varianceScaling(
    count: Int, scale: Double, n: Double, distribution: VarianceScalingDistribution,
    using random: inout RandomGenerator
  ) -> [Float] {
    let variance = scale / n
    switch distribution {
    case .normal:
      let std = variance.squareRoot()
      return (0..<count).map { _ in Float(std * random.normal()) }
    case .truncatedNormal:
      let std = variance.squareRoot() / truncatedNormalStandardDeviation
      return (0..<count).map { _ in
        var z = random.normal()
        while abs(z) > 2 { z = random.normal() }
        return Float(std * z)
      }
    case .uniform:
      let bound = Float((3 * variance).squareRoot())
      return uniformValues(count: count, low: -bound, high: bound, using: &random)
    }
  }

  /// Modified Gram-Schmidt in `Double` on the columns of a tall Gaussian matrix. Gram-Schmidt's R has a
  /// positive diagonal by construction, which is exactly the sign correction that makes Q Haar-distributed.
  /// O(rows * columns * min(rows, columns)).
  private static func orthogonalValues(rows: Int, columns: Int, gain: Float, using random: inout RandomGenerator)
    -> [Float]
  {
    if rows == 0 || columns == 0 { return [] }
    let tall = max(rows, columns)
    let narrow = min(rows, columns)
    // vectors[k] is column k of the tall [tall x narrow] Gaussian matrix.
    var vectors = (0..<narrow).map { _ in (0..<tall).map { _ in random.normal() } }
    for k in 0..<narrow {
      var norm = 0.0
      repeat {
        for j in 0..<k {
          var dot = 0.0
          for i in 0..<tall { dot += vectors[j][i] * vectors[k][i] }
          for i in 0..<tall { vectors[k][i] -= dot * vectors[j][i] }
        }
        norm = vectors[k].reduce(0) { $0 + $1 * $1 }.squareRoot()
        // A (measure-zero) degenerate draw: redraw that column.
        if norm < 1e-10 { vectors[k] = (0..<tall).map { _ in random.normal() } }
      } while norm < 1e-10
      for i in 0..<tall { vectors[k][i] /= norm }
    }
    var result = [Float](repeating: 0, count: rows * columns)
    for k in 0..<narrow {
      for i in 0..<tall {
        let value = gain * Float(vectors[k][i])
        // Tall: column k of the result. Wide: row k of the result (the transpose).
        if rows >= columns { result[i * columns + k] = value } else { result[k * columns + i] = value }
      }
    }
    return result
  }
}
