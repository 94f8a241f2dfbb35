import SparseRLNetworks
import SparseRLNumerics

/// How an agent's `weight_decay` coefficient lambda regularises its networks. The choice changes results, so
/// each paper's preset names the one its code used.
public enum WeightDecayKind: String, ConfigChoice {
  /// PyTorch `Adam(weight_decay: lambda)`: `lambda * p` is added to the gradient of every parameter (weights,
  /// biases, LayerNorm gains, PPO's log sigma). SparseRL's default, as the PyTorch code bases (RLx2, CleanRL).
  case coupled
  /// Keras `kernel_regularizer=L2(lambda)`, the State of Sparse Training code's sweeps: the loss gains
  /// `lambda * sum w^2` over the weight matrices (kernels) only, so `2 * lambda * w` is added to their gradient;
  /// biases and normalisation parameters are not decayed.
  case kernelL2 = "kernel_l2"
  /// AdamW (Loshchilov & Hutter): every stored parameter is shrunk by `1 - lr * lambda` before the Adam step,
  /// outside the moments. Inactive weights of a sparse layer are not stored, so they stay exactly 0.
  case decoupled
}

/// Builds the Adam optimizer of one network with the given weight decay.
///
/// `kernels` are the network's weight matrices (its `maskableLayers`' weights); only `kernel_l2` uses them.
func makeAdam(
  parameters: [Parameter], kernels: [Parameter], learningRate: Float, epsilon: Float = 1e-8, weightDecay: Float,
  kind: WeightDecayKind
) -> any Optimizer {
  switch kind {
  case .coupled:
    return Adam(parameters: parameters, learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay)
  case .decoupled:
    return AdamW(parameters: parameters, learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay)
  case .kernelL2:
    return KernelL2Adam(
      adam: Adam(parameters: parameters, learningRate: learningRate, epsilon: epsilon), kernels: kernels,
      coefficient: weightDecay)
  }
}

/// Builds the Adam optimizer of `network` (all its parameters; its maskable layers' weights as kernels).
func makeAdam(
  for network: SparseNetwork, learningRate: Float, epsilon: Float = 1e-8, weightDecay: Float, kind: WeightDecayKind
) -> any Optimizer {
  makeAdam(
    parameters: network.model.parameters, kernels: network.model.maskableLayers.map(\.layer.weight),
    learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay, kind: kind)
}

/// Adam on a loss with Keras' L2 penalty `coefficient * sum w^2` on `kernels`: each step first adds
/// `2 * coefficient * w` to the kernels' stored gradients, then takes the plain Adam step.
final class KernelL2Adam: Optimizer {
  let adam: Adam
  let kernels: [Parameter]
  /// lambda of `L2(lambda)`.
  let coefficient: Float

  init(adam: Adam, kernels: [Parameter], coefficient: Float) {
    precondition(adam.weightDecay == 0, "the L2 penalty replaces Adam's own decay")
    self.adam = adam
    self.kernels = kernels
    self.coefficient = coefficient
  }

  var parameters: [Parameter] { adam.parameters }
  var learningRate: Float {
    get { adam.learningRate }
    set { adam.learningRate = newValue }
  }
  var stepCount: Int { adam.stepCount }

  func step() {
    let scale = 2 * coefficient
    if scale != 0 {
      for kernel in kernels {
        for i in 0..<kernel.value.count { kernel.gradient[i] += scale * kernel.value[i] }
      }
    }
    adam.step()
  }

  func archive() -> BinaryArchive {
    var archive = adam.archive()
    archive["kernel_l2"] = .double(Double(coefficient))
    return archive
  }

  func load(from archive: BinaryArchive) throws {
    let saved = try archive.double("kernel_l2")
    guard Float(saved) == coefficient else {
      throw AgentError.invalidState("optimizer saved with kernel L2 \(saved), configured with \(coefficient)")
    }
    try adam.load(from: archive)
  }
}
