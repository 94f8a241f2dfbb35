import SparseRLNumerics

/// Layers applied in order. Sublayers are named by position (`0`, `1`, ...), so parameters are reachable as
/// `0.weight`, `2.bias`, `3.fc1.weight`; building a `Sequential` renames every parameter below it to that path.
public final class Sequential: Layer {
  /// The layers, in application order.
  public let layers: [any Layer]

  /// The parameters of every layer, in `namedParameters` order: collected once, since the layers (and their
  /// `Parameter` objects) never change, so the per-step users (`zeroGradients`, `TargetUpdate`) allocate nothing.
  public let parameters: [Parameter]

  /// The `Linear` layers that keep references to the activations this network passes them (every one but the
  /// first layer's input and the last layer's output gradient, which the caller owns): released before each
  /// pass rewrites them, so no pass copies an activation (see `Linear.savesInputByReference`).
  private let linearsKeepingInput: [Linear]
  private let linearsKeepingOutputGradient: [Linear]

  /// The passes in order: each layer's own, except that a `Linear` followed by a `ReLU` is one forward step
  /// (the product applies the ReLU as it finishes each row), and a `Linear` preceded by a `ReLU` one backward
  /// step (the input-gradient product applies the ReLU's gate): the same bits, one pass over each activation
  /// fewer per pair.
  private let forwardSteps: [Step]
  /// The backward passes, last layer first.
  private let backwardSteps: [Step]
  /// The ReLUs whose forward output a `Linear` writes (released with the saved inputs before each forward).
  private let fusedReLUs: [ReLU]

  /// One pass of the network: a layer's own (`layer`), or a `Linear` at `index` fused with the `ReLU` after it
  /// (forward) or before it (backward).
  private enum Step {
    case layer(index: Int)
    case linearWithReLU(index: Int, linear: Linear, relu: ReLU)
  }

  /// A network applying `layers` in order.
  public init(_ layers: [any Layer]) {
    self.layers = layers
    self.parameters = layers.flatMap(\.parameters)
    let linears = layers.enumerated().compactMap { index, layer in (layer as? Linear).map { (index, $0) } }
    linearsKeepingInput = linears.filter { $0.0 > 0 }.map(\.1)
    linearsKeepingOutputGradient = linears.filter { $0.0 < layers.count - 1 }.map(\.1)
    for linear in linearsKeepingInput { linear.savesInputByReference = true }
    for linear in linearsKeepingOutputGradient { linear.savesOutputGradientByReference = true }
    (forwardSteps, fusedReLUs) = Sequential.forwardSteps(layers)
    backwardSteps = Sequential.backwardSteps(layers)
    assignParameterNames()
  }

  /// A network applying `layers` in order.
  public convenience init(_ layers: any Layer...) { self.init(layers) }

  public var localParameters: [(name: String, parameter: Parameter)] { [] }

  public var namedChildren: [(name: String, layer: any Layer)] {
    layers.enumerated().map { (String($0.offset), $0.element) }
  }

  public func outputFeatures(forInput inputFeatures: Int) -> Int {
    layers.reduce(inputFeatures) { $1.outputFeatures(forInput: $0) }
  }

  /// The forward steps of `layers`, fusing each `Linear` with a `ReLU` right after it, and those ReLUs.
  private static func forwardSteps(_ layers: [any Layer]) -> ([Step], [ReLU]) {
    var steps: [Step] = []
    var relus: [ReLU] = []
    var index = 0
    while index < layers.count {
      if let linear = layers[index] as? Linear, index + 1 < layers.count, let relu = layers[index + 1] as? ReLU {
        steps.append(.linearWithReLU(index: index, linear: linear, relu: relu))
        relus.append(relu)
        index += 2
      } else {
        steps.append(.layer(index: index))
        index += 1
      }
    }
    return (steps, relus)
  }

  /// The backward steps of `layers`, last layer first, fusing each `Linear` with a `ReLU` right before it.
  private static func backwardSteps(_ layers: [any Layer]) -> [Step] {
    var steps: [Step] = []
    var index = layers.count - 1
    while index >= 0 {
      if let linear = layers[index] as? Linear, index > 0, let relu = layers[index - 1] as? ReLU {
        steps.append(.linearWithReLU(index: index, linear: linear, relu: relu))
        index -= 2
      } else {
        steps.append(.layer(index: index))
        index -= 1
      }
    }
    return steps
  }

  public func forward(_ input: Matrix) -> Matrix {
    for linear in linearsKeepingInput { linear.releaseSavedInput() }
    for relu in fusedReLUs { relu.releaseAdoptedOutput() }
    // Labels are autoclosures, built only while the profiler records.
    return Profiler.measure(profileName + " forward") {
      var x = input
      for step in forwardSteps {
        switch step {
        case .layer(let index):
          x = Profiler.measure(profileLabel(step)) { layers[index].forward(x) }
        case .linearWithReLU(_, let linear, let relu):
          x = Profiler.measure(profileLabel(step)) { linear.forward(x, fusedReLU: true) }
          relu.adoptFusedOutput(x)
        }
      }
      return x
    }
  }

  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    for linear in linearsKeepingOutputGradient { linear.releaseSavedOutputGradient() }
    let kind = accumulateParameterGradients ? " backward" : " backward (input gradient only)"
    return Profiler.measure(profileName + kind) {
      backward(outputGradient, steps: backwardSteps[...], accumulateParameterGradients: accumulateParameterGradients)
    }
  }

  /// `outputGradient` through `steps`, in order.
  private func backward(_ outputGradient: Matrix, steps: ArraySlice<Step>, accumulateParameterGradients: Bool)
    -> Matrix
  {
    var gradient = outputGradient
    for step in steps {
      switch step {
      case .layer(let index):
        gradient = Profiler.measure(profileLabel(step)) {
          layers[index].backward(gradient, accumulateParameterGradients: accumulateParameterGradients)
        }
      case .linearWithReLU(_, let linear, let relu):
        gradient = Profiler.measure(profileLabel(step)) {
          linear.backward(gradient, accumulateParameterGradients: accumulateParameterGradients, reluGate: relu.output)
        }
      }
    }
    return gradient
  }

  /// `backward(outputGradient, accumulateParameterGradients: true)` without the input gradient of the first
  /// layer when it is a `Linear` (nothing reads the gradient with respect to a network's input during a
  /// parameter update): the same parameter gradients, one product fewer.
  public func accumulateParameterGradients(_ outputGradient: Matrix) {
    // A first `Linear` has no ReLU before it, so the last backward step is its own.
    guard let first = layers.first as? Linear else {
      _ = backward(outputGradient, accumulateParameterGradients: true)
      return
    }
    for linear in linearsKeepingOutputGradient { linear.releaseSavedOutputGradient() }
    Profiler.measure(profileName + " backward") {
      let gradient = backward(outputGradient, steps: backwardSteps.dropLast(), accumulateParameterGradients: true)
      Profiler.measure(Sequential.profileLabel(0, first) + " (no input gradient)") {
        first.accumulateParameterGradients(gradient)
      }
    }
  }

  /// A step's name in a profile: its layer's, with ` + ReLU` for a fused pair.
  private func profileLabel(_ step: Step) -> String {
    switch step {
    case .layer(let index): Sequential.profileLabel(index, layers[index])
    case .linearWithReLU(let index, let linear, _): Sequential.profileLabel(index, linear) + " + ReLU"
    }
  }

  /// The network's name in a profile: the label given with `Profiler.setLabel`, else `network`.
  private var profileName: String { Profiler.label(for: self) ?? "network" }

  /// A layer's name in a profile: its position, type, and for a weight layer its shape and density.
  private static func profileLabel(_ index: Int, _ layer: any Layer) -> String {
    let type = String(describing: Swift.type(of: layer))
    guard let weighted = layer as? any MaskableLayer else { return "\(index) \(type)" }
    let weight = weighted.weight
    let density = Double(weight.activeCount) / Double(max(weight.denseCount, 1))
    let sparsity = weight.isSparse ? " \(Int((100 * (1 - density)).rounded()))% sparse" : " dense"
    return "\(index) \(type) \(weight.columns)->\(weight.rows)\(sparsity)"
  }

  public func copy() -> Sequential { Sequential(layers.map { $0.copy() }) }
}
