import SparseRLNumerics

/// Layers applied in order. Sublayers are named by position (`0`, `1`, ...), so parameters are reachable as
/// `0.weight`, `2.bias`, `3.fc1.weight`; building a `Sequential` renames every parameter below it to that path.
public final class Sequential: Layer {
  /// The layers, in application order.
  public let layers: [any Layer]

  /// A network applying `layers` in order.
  public init(_ layers: [any Layer]) {
    self.layers = layers
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
    var x = input
    for layer in layers { x = layer.forward(x) }
    return x
  }

  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    var gradient = outputGradient
    for layer in layers.reversed() {
      gradient = layer.backward(gradient, accumulateParameterGradients: accumulateParameterGradients)
    }
    return gradient
  }

  public func copy() -> Sequential { Sequential(layers.map { $0.copy() }) }
}
