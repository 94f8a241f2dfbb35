import SparseRLNetworks
import SparseRLNumerics

/// The kinds of network an agent can use.
public enum ArchitectureKind: String, ConfigChoice {
  /// Fully connected layers with an activation between them.
  case mlp
  /// MinAtar's Q-network: Conv(16, 3x3, stride 1) -> ReLU -> Linear(128) -> ReLU -> output.
  case minatarCNN = "minatar_cnn"
  /// The Nature DQN network: Conv(32, 8x8/4) -> Conv(64, 4x4/2) -> Conv(64, 3x3/1) -> Linear(512) -> output.
  case natureCNN = "nature_cnn"
  /// SimBa: Linear(width) -> blocks x residual [LayerNorm -> Linear(4 width) -> ReLU -> Linear(width)] ->
  /// LayerNorm -> output.
  case simba
}

/// Hidden-layer activations.
public enum ActivationKind: String, ConfigChoice {
  /// `max(0, x)`.
  case relu
  /// `tanh(x)`.
  case tanh
  /// `max(0.01 x, x)`.
  case leakyRelu = "leaky_relu"

  func makeLayer() -> any Layer {
    switch self {
    case .relu: ReLU()
    case .tanh: Tanh()
    case .leakyRelu: LeakyReLU()
    }
  }
}

/// Weight initialisation schemes of the networks.
public enum InitializationKind: String, ConfigChoice {
  /// PyTorch's `nn.Linear`/`nn.Conv2d` default (most RL code bases).
  case pytorchDefault = "pytorch_default"
  /// Orthogonal with gain sqrt(2) for hidden layers and `output_gain` for the output layer, zero biases (PPO).
  case orthogonal
  /// The State of Sparse Training code's classic-control DQN (Dopamine's Keras network): hidden kernels He
  /// truncated normal (`VarianceScaling(2, fan_in, truncated_normal)`) with zero biases, output kernel
  /// `U(-0.03, 0.03)` with bias -0.2.
  case dopamine
}

/// The architecture of one network.
public struct NetworkArchitecture: Codable, Equatable, Sendable, ConfigValidatable {
  /// The kind of network.
  public var kind = ArchitectureKind.mlp
  /// Hidden widths of an MLP (before `width_multiplier`).
  public var hiddenSizes = [256, 256]
  /// The activation between hidden layers.
  public var activation = ActivationKind.relu
  /// Multiplies every hidden width and channel count (the width-scaled dense baseline; 1 = as published).
  public var widthMultiplier = 1.0
  /// SimBa: width and number of residual blocks.
  public var simbaWidth = 512
  /// SimBa: the number of residual blocks.
  public var simbaBlocks = 2
  /// How weights and biases are initialised.
  public var initialization = InitializationKind.pytorchDefault
  /// Gain of the output layer's orthogonal initialisation.
  public var outputGain = 1.0

  /// A 2x256 ReLU MLP with PyTorch's default initialisation.
  public init() {}

  /// An MLP with the given hidden widths.
  public init(hiddenSizes: [Int], activation: ActivationKind = .relu) {
    self.hiddenSizes = hiddenSizes
    self.activation = activation
  }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(!hiddenSizes.isEmpty || kind != .mlp, path, "hidden_sizes", "an MLP needs at least one hidden layer", &issues)
    check(
      hiddenSizes.allSatisfy { $0 > 0 }, path, "hidden_sizes", "widths must be positive, got \(hiddenSizes)", &issues)
    check(widthMultiplier > 0, path, "width_multiplier", "must be positive, got \(widthMultiplier)", &issues)
    check(simbaWidth > 0, path, "simba_width", "must be positive, got \(simbaWidth)", &issues)
    check(simbaBlocks >= 0, path, "simba_blocks", "must be non-negative, got \(simbaBlocks)", &issues)
  }

  func scaled(_ width: Int) -> Int { max(1, Int((Double(width) * widthMultiplier).rounded())) }

  /// Builds the network for inputs of `inputShape` (`[features]`, or `[channels, height, width]` for the CNNs)
  /// and `outputs` outputs. Every weight starts dense; `SparseNetwork` applies the masks.
  public func build(inputShape: [Int], outputs: Int, random: inout RandomGenerator) throws -> Sequential {
    let inputFeatures = inputShape.reduce(1, *)
    let hiddenInit: Initializer
    let outputInit: Initializer
    let biasInit: Initializer
    let outputBiasInit: Initializer
    switch initialization {
    case .pytorchDefault:
      (hiddenInit, outputInit, biasInit) = (.pytorchDefault, .pytorchDefault, .pytorchDefault)
      outputBiasInit = .pytorchDefault
    case .orthogonal:
      (hiddenInit, outputInit, biasInit) = (
        .orthogonal(gain: Float(2).squareRoot()), .orthogonal(gain: Float(outputGain)), .zeros
      )
      outputBiasInit = .zeros
    case .dopamine:
      hiddenInit = .varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal)
      (outputInit, biasInit, outputBiasInit) = (.uniform(low: -0.03, high: 0.03), .zeros, .constant(-0.2))
    }
    func linear(_ input: Int, _ output: Int, _ weights: Initializer, bias: Initializer? = nil) -> Linear {
      Linear(
        inFeatures: input, outFeatures: output, weightInitializer: weights, biasInitializer: bias ?? biasInit,
        random: &random)
    }
    var layers: [any Layer] = []
    switch kind {
    case .mlp:
      var width = inputFeatures
      for hidden in hiddenSizes.map(scaled) {
        layers.append(linear(width, hidden, hiddenInit))
        layers.append(activation.makeLayer())
        width = hidden
      }
      layers.append(linear(width, outputs, outputInit, bias: outputBiasInit))
    case .minatarCNN, .natureCNN:
      guard inputShape.count == 3 else {
        throw AgentError.incompatibleEnvironment(
          "\(kind.rawValue) needs image observations [channels, height, width], got shape \(inputShape)")
      }
      let specs: [(channels: Int, kernel: Int, stride: Int)] =
        kind == .minatarCNN ? [(16, 3, 1)] : [(32, 8, 4), (64, 4, 2), (64, 3, 1)]
      var (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
      for spec in specs {
        guard height >= spec.kernel && width >= spec.kernel else {
          throw AgentError.incompatibleEnvironment("\(kind.rawValue): input \(inputShape) too small for its kernels")
        }
        let conv = Conv2d(
          inChannels: channels, outChannels: scaled(spec.channels), inputHeight: height, inputWidth: width,
          kernelSize: spec.kernel, stride: spec.stride, weightInitializer: hiddenInit, biasInitializer: biasInit,
          random: &random)
        layers.append(conv)
        layers.append(ReLU())
        (channels, height, width) = (conv.outChannels, conv.outputHeight, conv.outputWidth)
      }
      layers.append(Flatten())
      let hidden = scaled(kind == .minatarCNN ? 128 : 512)
      layers.append(linear(channels * height * width, hidden, hiddenInit))
      layers.append(ReLU())
      layers.append(linear(hidden, outputs, outputInit, bias: outputBiasInit))
    case .simba:
      let width = scaled(simbaWidth)
      layers.append(
        Linear(
          inFeatures: inputFeatures, outFeatures: width, weightInitializer: .orthogonal(gain: 1),
          biasInitializer: .zeros,
          random: &random))
      for _ in 0..<simbaBlocks { layers.append(ResidualBlock(features: width, random: &random)) }
      layers.append(LayerNorm(features: width))
      layers.append(linear(width, outputs, outputInit, bias: outputBiasInit))
    }
    return Sequential(layers)
  }
}
