import SparseRLNetworks
import SparseRLNumerics

/// How the weights of a streaming network start.
public enum StreamingInitialization: String, ConfigChoice {
  /// Elsayed et al.'s `sparse_init`: `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, then `ceil(fraction * fan_in)` random
  /// incoming weights of every unit set to 0 (they stay trainable); zero biases.
  case sparseInit = "sparse_init"
  /// The same uniform distribution without zeroing; zero biases.
  case uniform
}

/// The networks of streaming RL (Elsayed et al. 2024): `hidden_sizes` x [Linear -> LayerNorm without affine ->
/// LeakyReLU], then a linear output. A static mask (the agent's `*_sparsity` sections) is applied on top by
/// `SparseNetwork`; its inactive weights are not stored and stay exactly zero.
public struct StreamingNetworkSettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// Hidden widths (128, 128 in the paper).
  public var hiddenSizes = [128, 128]
  /// Slope of LeakyReLU for negative inputs (PyTorch's 0.01).
  public var negativeSlope = 0.01
  /// The initialisation.
  public var initialization = StreamingInitialization.sparseInit
  /// Fraction of each unit's incoming weights `sparse_init` zeroes.
  public var sparseInitFraction = 0.9

  /// The defaults above.
  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(
      !hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, path, "hidden_sizes",
      "needs at least one positive width, got \(hiddenSizes)", &issues)
    check(negativeSlope >= 0, path, "negative_slope", "must be non-negative, got \(negativeSlope)", &issues)
    check(
      sparseInitFraction >= 0 && sparseInitFraction < 1, path, "sparse_init_fraction",
      "must be in [0, 1), got \(sparseInitFraction)", &issues)
  }

  /// Builds the network for `inputs` features and `outputs` outputs.
  public func build(inputs: Int, outputs: Int, random: inout RandomGenerator) -> Sequential {
    var layers: [any Layer] = []
    var width = inputs
    for hidden in hiddenSizes {
      layers.append(linear(width, hidden, random: &random))
      layers.append(LayerNorm(features: hidden, affine: false))
      layers.append(LeakyReLU(negativeSlope: Float(negativeSlope)))
      width = hidden
    }
    layers.append(linear(width, outputs, random: &random))
    return Sequential(layers)
  }

  private func linear(_ fanIn: Int, _ fanOut: Int, random: inout RandomGenerator) -> Linear {
    let bound = 1 / Float(fanIn).squareRoot()
    var values = (0..<(fanIn * fanOut)).map { _ in random.uniform(-bound, bound) }
    if initialization == .sparseInit {
      let zeros = Int((sparseInitFraction * Double(fanIn)).rounded(.up))
      var columns = Array(0..<fanIn)
      for row in 0..<fanOut {
        // The first `zeros` entries of a uniformly random permutation (partial Fisher-Yates).
        for k in 0..<zeros {
          let j = k + random.integer(below: fanIn - k)
          columns.swapAt(k, j)
          values[row * fanIn + columns[k]] = 0
        }
      }
    }
    return Linear(
      weight: Parameter(name: "weight", rows: fanOut, columns: fanIn, value: values),
      bias: Parameter(name: "bias", rows: fanOut, columns: 1, value: [Float](repeating: 0, count: fanOut)))
  }
}
