import SparseRLNetworks
import SparseRLNumerics

/// Everything a `TopologyController` needs to resume exactly: a plain value to save with a checkpoint.
public struct TopologyControllerState: Equatable, Hashable, Sendable, Codable {
  /// Seed of the controller's random streams; each (step, layer) update draws from its own named stream, so the
  /// numbers do not depend on how many updates ran before.
  public var seed: UInt64
  /// Number of update steps applied so far.
  public var updatesApplied: Int
  /// The step of the last update, if any.
  public var lastUpdateStep: Int?
  /// Per-layer method state, in masked-layer order.
  public var layers: [TopologyLayerState]

  /// A fresh state for `layerCount` layers.
  public init(seed: UInt64, layerCount: Int) {
    self.seed = seed
    self.updatesApplied = 0
    self.lastUpdateStep = nil
    self.layers = Array(repeating: TopologyLayerState(), count: layerCount)
  }
}

/// Drives a `TopologyMethod` over one network's masked layers: sets the initial masks and, after each gradient
/// update `t`, applies the method's topology changes when `t` is one of its update steps.
///
/// The caller calls `update(step:layers:)` after the optimizer step of update `t` and before the next forward
/// pass (RigL reads the dense gradient of the last forward/backward pair).
public final class TopologyController {
  /// The method.
  public let method: any TopologyMethod
  /// The saveable state.
  public private(set) var state: TopologyControllerState

  /// A controller for `layerCount` masked layers, whose random streams derive from `random`'s seed.
  public init(method: any TopologyMethod, layerCount: Int, random: RandomGenerator) {
    self.method = method
    self.state = TopologyControllerState(seed: random.seed, layerCount: layerCount)
  }

  /// A controller resumed from a saved state.
  public init(method: any TopologyMethod, state: TopologyControllerState) {
    self.method = method
    self.state = state
  }

  /// The random stream of one layer's work at one step (`step == nil`: initialisation).
  func stream(layer: Int, step: Int?) -> RandomGenerator {
    let label = step.map { "topology/step\($0)/layer\(layer)" } ?? "topology/init/layer\(layer)"
    return RandomGenerator(seed: state.seed).stream(label)
  }

  /// Whether the topology changes at step `t` (call `denseWeightGradient` only then, and only for RigL).
  public func isUpdateStep(_ t: Int) -> Bool { method.isUpdateStep(t) }

  /// Sets the initial masks of freshly initialised (dense) parameters. Methods that start dense leave them
  /// alone. Otherwise layer `i` gets `activeCounts[i]` active positions chosen by `initialMask` (from the
  /// current values for `largestMagnitude`); with `sparsityAwareInitialization` the active values are then
  /// redrawn from the sparsity-aware uniform distribution. `columnsPerInputUnit[i]` is 1 for Linear and
  /// `kh * kw` for Conv2d (default: all 1).
  public func initialize(
    parameters: [Parameter], activeCounts: [Int], initialMask: InitialMask = .random,
    sparsityAwareInitialization: Bool = false, columnsPerInputUnit: [Int]? = nil
  ) {
    precondition(
      parameters.count == state.layers.count,
      "\(parameters.count) parameters for \(state.layers.count) layers")
    precondition(
      activeCounts.count == parameters.count,
      "\(activeCounts.count) active counts for \(parameters.count) layers")
    guard !method.startsDense else { return }
    for (index, parameter) in parameters.enumerated() {
      var random = stream(layer: index, step: nil)
      let pattern = initialMask.pattern(
        rows: parameter.rows, columns: parameter.columns, activeCount: activeCounts[index],
        denseValues: parameter.denseValue().scalars, random: &random)
      parameter.setPattern(pattern)
      if sparsityAwareInitialization {
        parameter.value = SparsityAwareInitializer.values(
          for: pattern, columnsPerInputUnit: columnsPerInputUnit?[index] ?? 1, random: &random)
      }
    }
  }

  /// `initialize(parameters:...)` for layers, notifying each layer of its new pattern.
  public func initialize(
    layers: [any MaskableLayer], activeCounts: [Int], initialMask: InitialMask = .random,
    sparsityAwareInitialization: Bool = false, columnsPerInputUnit: [Int]? = nil
  ) {
    initialize(
      parameters: layers.map(\.weight), activeCounts: activeCounts, initialMask: initialMask,
      sparsityAwareInitialization: sparsityAwareInitialization,
      columnsPerInputUnit: columnsPerInputUnit)
    if !method.startsDense { for layer in layers { layer.weightPatternDidChange() } }
  }

  /// Applies the method at step `t` to the given weights. `denseGradients[i]` must be present for every layer
  /// when the method needs dense gradients. Returns one change per layer, or `[]` when `t` is not an update step.
  @discardableResult
  public func update(
    step t: Int, parameters: [Parameter], denseGradients: [Matrix?]? = nil,
    columnsPerInputUnit: [Int]? = nil
  ) -> [TopologyChange] {
    precondition(
      parameters.count == state.layers.count,
      "\(parameters.count) parameters for \(state.layers.count) layers")
    guard method.isUpdateStep(t) else { return [] }
    var changes = [TopologyChange]()
    for (index, parameter) in parameters.enumerated() {
      var random = stream(layer: index, step: t)
      let context = TopologyUpdateContext(
        layer: index, step: t, denseGradient: denseGradients?[index],
        columnsPerInputUnit: columnsPerInputUnit?[index] ?? 1)
      changes.append(
        method.update(parameter, context: context, state: &state.layers[index], random: &random))
    }
    state.updatesApplied += 1
    state.lastUpdateStep = t
    return changes
  }

  /// Applies the method at step `t` to the layers: gathers their dense gradients first when needed, updates
  /// every weight, then calls `weightPatternDidChange` on each layer.
  @discardableResult
  public func update(step t: Int, layers: [any MaskableLayer], columnsPerInputUnit: [Int]? = nil)
    -> [TopologyChange]
  {
    guard method.isUpdateStep(t) else { return [] }
    let gradients: [Matrix?]? =
      method.needsDenseGradient ? layers.map { $0.denseWeightGradient() } : nil
    let changes = update(
      step: t, parameters: layers.map(\.weight), denseGradients: gradients,
      columnsPerInputUnit: columnsPerInputUnit)
    for layer in layers { layer.weightPatternDidChange() }
    return changes
  }
}
