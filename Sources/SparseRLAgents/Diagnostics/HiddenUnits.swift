import SparseRLNetworks
import SparseRLNumerics

/// One hidden layer of a network as the dormant-unit measures see it: the activation whose outputs are the
/// units, and, where they are plain `Linear` layers, the layer computing the units' pre-activations (`incoming`,
/// row `u` is unit `u`'s incoming weights; a `LayerNorm` may sit between it and the activation) and the layer
/// reading them (`outgoing`, column `u`). A convolution's unit is a channel (`positionsPerUnit` rows each).
public struct HiddenLayer {
  /// Position of the activation in the probe's order (see `HiddenUnits.layers`).
  public let index: Int
  /// Number of units.
  public let units: Int
  /// Rows of the activation's output per unit (1 for a fully connected layer, output positions for a conv).
  public let positionsPerUnit: Int
  /// The linear layer whose output rows are the units' pre-activations, if it is a `Linear`.
  public let incoming: Linear?
  /// The linear layer whose input columns are the units, if it is a `Linear`.
  public let outgoing: Linear?
}

/// Finds the hidden layers of the project's networks and records their activations on a batch.
///
/// Understood structure: `Sequential` (recursively), `ResidualBlock` (its ReLU is a hidden layer between
/// `fc1` and `fc2`), and the element-wise activations `ReLU`, `LeakyReLU`, `Tanh`. The encoder features are the
/// input of the last layer of the outermost `Sequential` (the representation the output head reads).
public enum HiddenUnits {
  /// The activations recorded by `forward`.
  public struct Recording {
    /// The output of every hidden activation `[rows x batch]`, in `layers` order.
    public var hidden: [Matrix]
    /// The encoder features `[features x batch]`.
    public var features: Matrix
    /// The network's output.
    public var output: Matrix
  }

  /// Runs `model` on `input` (overwriting the layers' cached forward state) and records its activations.
  public static func forward(_ model: any Layer, _ input: Matrix) -> Recording {
    var hidden: [Matrix] = []
    if let sequential = model as? Sequential, let last = sequential.layers.last {
      var x = input
      for layer in sequential.layers.dropLast() { x = record(layer, x, into: &hidden) }
      let features = x
      let output = record(last, x, into: &hidden)
      return Recording(hidden: hidden, features: features, output: output)
    }
    let output = record(model, input, into: &hidden)
    return Recording(hidden: hidden, features: output, output: output)
  }

  /// The hidden layers of `model`, in the order `forward` records them.
  public static func layers(of model: any Layer) -> [HiddenLayer] {
    var result: [HiddenLayer] = []
    collect(model, into: &result)
    return result
  }

  static func isActivation(_ layer: any Layer) -> Bool { layer is ReLU || layer is LeakyReLU || layer is Tanh }

  private static func record(_ layer: any Layer, _ x: Matrix, into hidden: inout [Matrix]) -> Matrix {
    if let sequential = layer as? Sequential {
      var h = x
      for sublayer in sequential.layers { h = record(sublayer, h, into: &hidden) }
      return h
    }
    if let block = layer as? ResidualBlock {
      let units = block.activation.forward(block.fc1.forward(block.norm.forward(x)))
      hidden.append(units)
      let branch = block.fc2.forward(units)
      var sum = Matrix(rows: x.rows, columns: x.columns)
      for k in 0..<sum.scalars.count { sum.scalars[k] = x.scalars[k] + branch.scalars[k] }
      return sum
    }
    let y = layer.forward(x)
    if isActivation(layer) { hidden.append(y) }
    return y
  }

  private static func collect(_ layer: any Layer, into result: inout [HiddenLayer]) {
    if let block = layer as? ResidualBlock {
      result.append(
        HiddenLayer(
          index: result.count, units: block.fc1.outFeatures, positionsPerUnit: 1, incoming: block.fc1,
          outgoing: block.fc2))
      return
    }
    guard let sequential = layer as? Sequential else { return }
    let layers = sequential.layers
    for (k, sublayer) in layers.enumerated() {
      if isActivation(sublayer) {
        // The producer: the nearest earlier layer that is not a LayerNorm.
        var j = k - 1
        while j >= 0 && layers[j] is LayerNorm { j -= 1 }
        let producer = j >= 0 ? layers[j] : nil
        let consumer = k + 1 < layers.count ? layers[k + 1] : nil
        if let conv = producer as? Conv2d {
          result.append(
            HiddenLayer(
              index: result.count, units: conv.outChannels, positionsPerUnit: conv.outputPositions, incoming: nil,
              outgoing: nil))
        } else if let linear = producer as? Linear {
          result.append(
            HiddenLayer(
              index: result.count, units: linear.outFeatures, positionsPerUnit: 1, incoming: linear,
              outgoing: consumer as? Linear))
        } else {
          preconditionFailure("HiddenUnits: an activation at \(k) follows neither a Linear nor a Conv2d")
        }
      } else {
        collect(sublayer, into: &result)
      }
    }
  }

  /// Sokar et al.'s score of every unit of one hidden layer: `a_u / mean_k a_k` with `a_u` the mean over the
  /// batch (and positions) of `|h_u|`; all zeros when the whole layer is silent.
  public static func scores(_ activations: Matrix, positionsPerUnit: Int) -> [Double] {
    let units = activations.rows / positionsPerUnit
    let batch = activations.columns
    var means = [Double](repeating: 0, count: units)
    activations.scalars.withUnsafeBufferPointer { h in
      for u in 0..<units {
        var sum = 0.0
        for row in (u * positionsPerUnit)..<((u + 1) * positionsPerUnit) {
          for b in 0..<batch { sum += Double(abs(h[row * batch + b])) }
        }
        means[u] = sum / Double(positionsPerUnit * batch)
      }
    }
    let layerMean = means.reduce(0, +) / Double(max(units, 1))
    guard layerMean > 0 else { return means.map { _ in 0 } }
    return means.map { $0 / layerMean }
  }
}
