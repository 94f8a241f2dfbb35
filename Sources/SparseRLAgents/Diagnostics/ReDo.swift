import SparseRLNetworks
import SparseRLNumerics

/// ReDo, recycling dormant neurons (Sokar et al. 2023), as an option of any network (the `redo:` section of an
/// agent's settings).
public struct ReDoSettings: Codable, Equatable, Sendable, ConfigValidatable {
  /// Recycle every this many gradient updates of the network (0: never).
  public var interval = 0
  /// Units with a dormancy score at or below this are recycled (0.025 for ReDo's DQN on Atari, 0.1 otherwise).
  public var threshold = 0.1

  /// ReDo off (`interval` 0) with threshold 0.1.
  public init() {}

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check(interval >= 0, path, "interval", "must be non-negative (0: off), got \(interval)", &issues)
    check(threshold >= 0 && threshold < 1, path, "threshold", "must be in [0, 1), got \(threshold)", &issues)
  }

  /// Whether recycling is due after `updates` gradient updates.
  public func isDue(afterUpdates updates: Int) -> Bool { interval > 0 && updates > 0 && updates % interval == 0 }
}

/// Recycles the tau-dormant units of a network (see `HiddenUnits` for the structure it understands): the
/// incoming weights of each dormant unit are drawn again from PyTorch's default `U(-1/sqrt(fan_in),
/// 1/sqrt(fan_in))` at the active positions only (a sparse layer keeps its mask), its incoming bias becomes 0,
/// its outgoing weights become 0, and every optimizer slot (Adam's moments, ObGD's traces) of those entries
/// becomes 0. Layers are processed from input to output, as ReDo's code: a weight from a recycled unit to a unit
/// recycled in the next layer is zeroed as outgoing, then redrawn as incoming. Dormancy is measured for all layers
/// before anything changes. Hidden layers whose producer or consumer is not a `Linear` (convolutions) are left
/// alone.
public enum ReDo {
  /// Recycles the units of `model` dormant on `inputs` at `threshold`; returns the recycled units per hidden
  /// layer (in `HiddenUnits.layers` order). Overwrites the layers' forward caches.
  @discardableResult
  public static func recycle(
    _ model: any Layer, inputs: Matrix, threshold: Double, random: inout RandomGenerator
  ) -> [[Int]] {
    let recording = HiddenUnits.forward(model, inputs)
    let layers = HiddenUnits.layers(of: model)
    var recycled: [[Int]] = []
    for (layer, activations) in zip(layers, recording.hidden) {
      guard let incoming = layer.incoming, let outgoing = layer.outgoing else {
        recycled.append([])
        continue
      }
      let scores = HiddenUnits.scores(activations, positionsPerUnit: layer.positionsPerUnit)
      let dormant = scores.indices.filter { scores[$0] <= threshold }
      for unit in dormant {
        reinitializeIncoming(incoming, unit: unit, random: &random)
        zeroOutgoing(outgoing, unit: unit)
      }
      recycled.append(dormant)
    }
    return recycled
  }

  /// The storage positions of row `row` of `parameter` (CSR order for a sparse one).
  static func rowPositions(_ parameter: Parameter, row: Int) -> Range<Int> {
    if let pattern = parameter.pattern { return Int(pattern.rowStart[row])..<Int(pattern.rowStart[row + 1]) }
    return (row * parameter.columns)..<((row + 1) * parameter.columns)
  }

  /// The storage positions of column `column` of `parameter`.
  static func columnPositions(_ parameter: Parameter, column: Int) -> [Int] {
    if let pattern = parameter.pattern {
      return (Int(pattern.columnStart[column])..<Int(pattern.columnStart[column + 1])).map {
        Int(pattern.valuePosition[$0])
      }
    }
    return (0..<parameter.rows).map { $0 * parameter.columns + column }
  }

  private static func clearState(_ parameter: Parameter, at positions: some Sequence<Int>) {
    for key in Array(parameter.optimizerState.keys) {
      // Taken out and put back, so that the writes do not copy a slot shared with the dictionary.
      guard var slot = parameter.optimizerState.removeValue(forKey: key) else { continue }
      for k in positions where k < slot.count { slot[k] = 0 }
      parameter.optimizerState[key] = slot
    }
  }

  private static func reinitializeIncoming(_ layer: Linear, unit: Int, random: inout RandomGenerator) {
    let bound = 1 / Float(layer.inFeatures).squareRoot()
    let positions = rowPositions(layer.weight, row: unit)
    for k in positions { layer.weight.value[k] = random.uniform(-bound, bound) }
    clearState(layer.weight, at: positions)
    if let bias = layer.bias {
      bias.value[unit] = 0
      clearState(bias, at: [unit])
    }
  }

  private static func zeroOutgoing(_ layer: Linear, unit: Int) {
    let positions = columnPositions(layer.weight, column: unit)
    for k in positions { layer.weight.value[k] = 0 }
    clearState(layer.weight, at: positions)
  }
}
