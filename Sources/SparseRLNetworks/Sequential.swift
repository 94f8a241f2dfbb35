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

  /// A network applying `layers` in order.
  public init(_ layers: [any Layer]) {
    self.layers = layers
    self.parameters = layers.flatMap(\.parameters)
    let linears = layers.enumerated().compactMap { index, layer in (layer as? Linear).map { (index, $0) } }
    linearsKeepingInput = linears.filter { $0.0 > 0 }.map(\.1)
    linearsKeepingOutputGradient = linears.filter { $0.0 < layers.count - 1 }.map(\.1)
    for linear in linearsKeepingInput { linear.savesInputByReference = true }
    for linear in linearsKeepingOutputGradient { linear.savesOutputGradientByReference = true }
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

  public func forward(_ input: Matrix) -> Matrix {
    for linear in linearsKeepingInput { linear.releaseSavedInput() }
    guard Profiler.isEnabled else {
      var x = input
      for layer in layers { x = layer.forward(x) }
      return x
    }
    return Profiler.measure(profileName + " forward") {
      var x = input
      for (index, layer) in layers.enumerated() {
        x = Profiler.measure(Sequential.profileLabel(index, layer)) { layer.forward(x) }
      }
      return x
    }
  }

  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    for linear in linearsKeepingOutputGradient { linear.releaseSavedOutputGradient() }
    guard Profiler.isEnabled else {
      var gradient = outputGradient
      for layer in layers.reversed() {
        gradient = layer.backward(gradient, accumulateParameterGradients: accumulateParameterGradients)
      }
      return gradient
    }
    let kind = accumulateParameterGradients ? " backward" : " backward (input gradient only)"
    return Profiler.measure(profileName + kind) {
      var gradient = outputGradient
      for (index, layer) in layers.enumerated().reversed() {
        gradient = Profiler.measure(Sequential.profileLabel(index, layer)) {
          layer.backward(gradient, accumulateParameterGradients: accumulateParameterGradients)
        }
      }
      return gradient
    }
  }

  /// `backward(outputGradient, accumulateParameterGradients: true)` without the input gradient of the first
  /// layer when it is a `Linear` (nothing reads the gradient with respect to a network's input during a
  /// parameter update): the same parameter gradients, one product fewer.
  public func accumulateParameterGradients(_ outputGradient: Matrix) {
    guard let first = layers.first as? Linear else {
      _ = backward(outputGradient, accumulateParameterGradients: true)
      return
    }
    for linear in linearsKeepingOutputGradient { linear.releaseSavedOutputGradient() }
    // Labels are autoclosures, built only while the profiler records.
    Profiler.measure(profileName + " backward") {
      var gradient = outputGradient
      for index in stride(from: layers.count - 1, to: 0, by: -1) {
        gradient = Profiler.measure(Sequential.profileLabel(index, layers[index])) {
          layers[index].backward(gradient, accumulateParameterGradients: true)
        }
      }
      Profiler.measure(Sequential.profileLabel(0, first) + " (no input gradient)") {
        first.accumulateParameterGradients(gradient)
      }
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
