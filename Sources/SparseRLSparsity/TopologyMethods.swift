import SparseRLNetworks
import SparseRLNumerics

/// What one topology update did to one layer. Positions are row-major flat indices, ascending.
public struct TopologyChange: Equatable, Hashable, Sendable, Codable {
  /// Index of the layer in the network's masked-layer order.
  public var layer: Int
  /// The step `t` of the update.
  public var step: Int
  /// Active positions removed by the drop (or prune) step, including any that were regrown.
  public var dropped: [Int]
  /// Positions chosen by the grow step, including just-dropped ones that were regrown.
  public var grown: [Int]
  /// Active weights before the update.
  public var activeBefore: Int
  /// Active weights after the update.
  public var activeAfter: Int

  /// Positions dropped and regrown in the same update (they keep their value and optimizer state).
  public var regrown: [Int] { Array(Set(dropped).intersection(grown)).sorted() }
}

/// Per-layer state a topology method keeps between updates (saved with the controller).
public struct TopologyLayerState: Equatable, Hashable, Sendable, Codable {
  /// Optimizer state of positions dropped in earlier updates, by flat index and slot name; used only with
  /// `GrownMomentPolicy.keep`.
  public var archivedOptimizerState: [Int: [String: Float]]

  /// Empty state.
  public init() { archivedOptimizerState = [:] }
}

/// The inputs of one layer's topology update besides the weight itself.
public struct TopologyUpdateContext {
  /// Index of the layer in the network's masked-layer order.
  public var layer: Int
  /// The step `t` (gradient updates of this network so far).
  public var step: Int
  /// The dense gradient `dL/dW` of every entry, required when the method's `needsDenseGradient` is true.
  public var denseGradient: Matrix?
  /// Weight columns per input unit (1 for Linear, `kh * kw` for Conv2d), for sparsity-aware initialisation.
  public var columnsPerInputUnit: Int

  /// A context; see the properties.
  public init(layer: Int, step: Int, denseGradient: Matrix? = nil, columnsPerInputUnit: Int = 1) {
    self.layer = layer
    self.step = step
    self.denseGradient = denseGradient
    self.columnsPerInputUnit = columnsPerInputUnit
  }
}

/// A sparse-training method's rule for the topology of the masked layers: whether it starts dense, and when and
/// how it changes each layer's active positions. One type per method; `TopologyController` drives it.
///
/// `update` changes `parameter` through `Parameter.setPattern` (which keeps the value, gradient and optimizer
/// state of positions active before and after); the caller then notifies the layer (`weightPatternDidChange`).
public protocol TopologyMethod: Sendable {
  /// Whether the masked layers start fully dense (Dense, width-scaled Dense, gradual pruning).
  var startsDense: Bool { get }
  /// Whether `update` needs `TopologyUpdateContext.denseGradient` (RigL).
  var needsDenseGradient: Bool { get }
  /// Whether the topology may change at step `t`.
  func isUpdateStep(_ t: Int) -> Bool
  /// Changes one layer's topology at an update step. `random` is a stream private to this (layer, step).
  func update(
    _ parameter: Parameter, context: TopologyUpdateContext, state: inout TopologyLayerState,
    random: inout RandomGenerator
  ) -> TopologyChange
}

extension TopologyMethod {
  /// No dense gradient unless the method says so.
  public var needsDenseGradient: Bool { false }
}

/// Fixed topologies (Dense, width-scaled Dense, Static) never update.
public protocol FixedTopology: TopologyMethod {}

extension FixedTopology {
  /// Never.
  public func isUpdateStep(_ t: Int) -> Bool { false }
  /// Leaves the parameter unchanged.
  public func update(
    _ parameter: Parameter, context: TopologyUpdateContext, state: inout TopologyLayerState,
    random: inout RandomGenerator
  ) -> TopologyChange {
    TopologyChange(
      layer: context.layer, step: context.step, dropped: [], grown: [],
      activeBefore: parameter.activeCount,
      activeAfter: parameter.activeCount)
  }
}

/// The dense baseline: every weight active, always.
public struct DenseTopology: FixedTopology, Equatable, Codable {
  /// The dense baseline.
  public init() {}
  public var startsDense: Bool { true }
}

/// One-shot random pruning: a sparse mask chosen at initialisation that never changes.
public struct StaticTopology: FixedTopology, Equatable, Codable {
  /// The static sparse method.
  public init() {}
  public var startsDense: Bool { false }
}

/// The value a newly grown weight starts with.
public enum GrownWeightInitialization: Equatable, Hashable, Sendable, Codable {
  /// 0 (RigL, SET, RLx2).
  case zero
  /// Re-initialised from `U(-L, L)` with the sparsity-aware limit of its position in the new pattern.
  case sparsityAware
  /// Re-initialised from `U(-limit, limit)`.
  case uniform(limit: Float)
}

/// What happens to the optimizer state (Adam moments) of grown positions.
///
/// With compact storage the optimizer state of a position exists only while it is active. Positions active
/// before and after an update — including a just-dropped weight that is regrown — keep their state in both
/// policies. The policies differ for positions that were active once, dropped in an earlier update and grown
/// again now:
/// - `reset` (RigL, this project's default): their state starts at 0, like a never-active position's.
/// - `keep` (the RLx2 code does not reset moments): the state they had when they were dropped is restored. The
///   RLx2 code keeps dense moments for every position and lets them evolve while inactive; compact storage can
///   only freeze them at the drop. Never-active positions have no state to keep and start at 0.
public enum GrownMomentPolicy: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
  /// Grown positions start with zero optimizer state.
  case reset
  /// Grown positions get back the optimizer state they had when last dropped.
  case keep
}

/// Options shared by the drop-and-grow methods.
public struct DropGrowOptions: Equatable, Hashable, Sendable, Codable {
  /// The value of newly grown weights.
  public var grownWeightInitialization: GrownWeightInitialization
  /// The optimizer state of grown positions.
  public var momentPolicy: GrownMomentPolicy
  /// RigL only: newly grown weights take that iteration's dense gradient as their gradient, so the optimizer
  /// step of the topology-update iteration moves them (as RigL's code applies the dense gradient); otherwise
  /// they start with zero gradient (`Parameter.setPattern`) and first move on the next update.
  public var denseGradientForGrownWeights: Bool

  /// Options; the defaults are SparseRL's (grown weights 0, moments reset, no gradient on the update step).
  public init(
    grownWeightInitialization: GrownWeightInitialization = .zero,
    momentPolicy: GrownMomentPolicy = .reset, denseGradientForGrownWeights: Bool = false
  ) {
    self.grownWeightInitialization = grownWeightInitialization
    self.momentPolicy = momentPolicy
    self.denseGradientForGrownWeights = denseGradientForGrownWeights
  }
}

/// SET (Mocanu et al. 2018): every ΔT steps drop the `k` smallest-magnitude active weights of each layer and grow
/// `k` positions drawn uniformly at random from those not kept (a just-dropped weight may be regrown).
public struct SETUpdater: TopologyMethod, Equatable, Codable {
  /// When and how much.
  public var schedule: DropGrowSchedule
  /// Grown-weight value and optimizer-state policy.
  public var options: DropGrowOptions

  /// A SET method; the schedule is validated.
  public init(schedule: DropGrowSchedule, options: DropGrowOptions = DropGrowOptions())
    throws(SparsityError)
  {
    try schedule.validate()
    self.schedule = schedule
    self.options = options
  }

  public var startsDense: Bool { false }
  public func isUpdateStep(_ t: Int) -> Bool { schedule.isUpdateStep(t) }

  public func update(
    _ parameter: Parameter, context: TopologyUpdateContext, state: inout TopologyLayerState,
    random: inout RandomGenerator
  ) -> TopologyChange {
    DropAndGrow.apply(
      to: parameter,
      dropCount: schedule.dropCount(at: context.step, activeCount: parameter.activeCount),
      growScore: nil, options: options, context: context, state: &state, random: &random)
  }
}

/// RigL (Evci et al. 2020): every ΔT steps drop the `k` smallest-magnitude active weights of each layer and grow
/// the `k` positions, among those not kept, with the largest dense-gradient magnitude `|dL/dW|`.
public struct RigLUpdater: TopologyMethod, Equatable, Codable {
  /// When and how much.
  public var schedule: DropGrowSchedule
  /// Grown-weight value and optimizer-state policy.
  public var options: DropGrowOptions

  /// A RigL method; the schedule is validated.
  public init(schedule: DropGrowSchedule, options: DropGrowOptions = DropGrowOptions())
    throws(SparsityError)
  {
    try schedule.validate()
    self.schedule = schedule
    self.options = options
  }

  public var startsDense: Bool { false }
  public var needsDenseGradient: Bool { true }
  public func isUpdateStep(_ t: Int) -> Bool { schedule.isUpdateStep(t) }

  public func update(
    _ parameter: Parameter, context: TopologyUpdateContext, state: inout TopologyLayerState,
    random: inout RandomGenerator
  ) -> TopologyChange {
    guard let gradient = context.denseGradient else {
      preconditionFailure(
        "RigL update of layer \(context.layer) (\(parameter.name)) needs the dense gradient")
    }
    precondition(
      gradient.rows == parameter.rows && gradient.columns == parameter.columns,
      "\(parameter.name): dense gradient \(gradient.rows)x\(gradient.columns), weight \(parameter.rows)x\(parameter.columns)"
    )
    let scores = gradient.scalars
    let change = DropAndGrow.apply(
      to: parameter,
      dropCount: schedule.dropCount(at: context.step, activeCount: parameter.activeCount),
      growScore: { abs(scores[$0]) }, options: options, context: context, state: &state,
      random: &random)
    if options.denseGradientForGrownWeights, let indices = parameter.pattern?.activeIndices {
      // Every grown position gets the dense gradient; for a regrown just-dropped weight it is its own.
      var slotOf = [Int: Int](minimumCapacity: indices.count)
      for (slot, position) in indices.enumerated() { slotOf[position] = slot }
      for position in change.grown { if let slot = slotOf[position] { parameter.gradient[slot] = scores[position] } }
    }
    return change
  }
}

/// Gradual magnitude pruning (Zhu & Gupta 2017): layers start dense; at each pruning step every layer keeps its
/// `activeCount(at:)` largest-magnitude active weights, reaching `finalActiveCounts` at the end step. The mask
/// never changes after the end step.
public struct GradualMagnitudePruning: TopologyMethod, Equatable, Codable {
  /// The cubic schedule.
  public var schedule: CubicPruningSchedule
  /// Active weights of each layer at the end (from a `SparsityAllocation`), in masked-layer order.
  public var finalActiveCounts: [Int]

  /// A pruning method; the schedule is validated.
  public init(schedule: CubicPruningSchedule, finalActiveCounts: [Int]) throws(SparsityError) {
    try schedule.validate()
    guard finalActiveCounts.allSatisfy({ $0 > 0 }) else {
      throw .invalidSetting("every layer needs at least one active weight at the end of pruning")
    }
    self.schedule = schedule
    self.finalActiveCounts = finalActiveCounts
  }

  public var startsDense: Bool { true }
  public func isUpdateStep(_ t: Int) -> Bool { schedule.isPruningStep(t) }

  public func update(
    _ parameter: Parameter, context: TopologyUpdateContext, state: inout TopologyLayerState,
    random: inout RandomGenerator
  ) -> TopologyChange {
    precondition(
      finalActiveCounts.indices.contains(context.layer),
      "no final active count for layer \(context.layer)")
    let finalCount = finalActiveCounts[context.layer]
    precondition(
      finalCount <= parameter.denseCount,
      "\(parameter.name): \(finalCount) active of \(parameter.denseCount)")
    let target = schedule.activeCount(
      at: context.step, denseCount: parameter.denseCount, finalActiveCount: finalCount)
    let activeBefore = parameter.activeCount
    guard target < activeBefore else {
      return TopologyChange(
        layer: context.layer, step: context.step, dropped: [], grown: [],
        activeBefore: activeBefore,
        activeAfter: activeBefore)
    }
    let active = parameter.pattern?.activeIndices ?? Array(0..<parameter.denseCount)
    let magnitude = DropAndGrow.denseMagnitudes(of: parameter)
    let ranks = PositionRanking.tieRanks(count: parameter.denseCount, random: &random)
    let kept = PositionRanking.largest(target, of: active, score: { magnitude[$0] }, tieRank: ranks)
      .sorted()
    let keptSet = Set(kept)
    parameter.setPattern(
      SparsePattern(rows: parameter.rows, columns: parameter.columns, activeIndices: kept))
    return TopologyChange(
      layer: context.layer, step: context.step, dropped: active.filter { !keptSet.contains($0) },
      grown: [],
      activeBefore: activeBefore, activeAfter: kept.count)
  }
}

/// The drop-and-grow step shared by SET and RigL.
enum DropAndGrow {
  /// `|w|` of every position of the dense shape (0 where inactive).
  static func denseMagnitudes(of parameter: Parameter) -> [Float] {
    parameter.denseValue().scalars.map { abs($0) }
  }

  /// Drops the `dropCount` smallest-|w| active weights and grows `dropCount` positions not kept: the largest
  /// `growScore` (RigL) or uniformly at random (SET, `growScore == nil`). Cost O(n log n), n the dense size.
  static func apply(
    to parameter: Parameter, dropCount k: Int, growScore: ((Int) -> Float)?,
    options: DropGrowOptions,
    context: TopologyUpdateContext, state: inout TopologyLayerState, random: inout RandomGenerator
  ) -> TopologyChange {
    let denseCount = parameter.denseCount
    let active = parameter.pattern?.activeIndices ?? Array(0..<denseCount)
    let activeBefore = active.count
    let magnitude = denseMagnitudes(of: parameter)
    let ranks = PositionRanking.tieRanks(count: denseCount, random: &random)

    let dropped = PositionRanking.smallest(k, of: active, score: { magnitude[$0] }, tieRank: ranks)
    var isKept = [Bool](repeating: false, count: denseCount)
    for position in active { isKept[position] = true }
    let isActiveBefore = isKept
    for position in dropped { isKept[position] = false }
    let candidates = (0..<denseCount).filter { !isKept[$0] }
    let grown: [Int]
    if let growScore {
      grown = PositionRanking.largest(k, of: candidates, score: growScore, tieRank: ranks)
    } else {
      grown = PositionRanking.uniform(k, of: candidates, random: &random)
    }
    var isNewActive = isKept
    for position in grown { isNewActive[position] = true }
    let newPattern = SparsePattern(
      rows: parameter.rows, columns: parameter.columns, mask: isNewActive)

    // Remember the optimizer state of weights that leave (dropped and not regrown).
    if options.momentPolicy == .keep, !parameter.optimizerState.isEmpty {
      for (slot, position) in active.enumerated() where !isNewActive[position] {
        state.archivedOptimizerState[position] = parameter.optimizerState.mapValues { $0[slot] }
      }
    }

    switch options.grownWeightInitialization {
    case .zero:
      parameter.setPattern(newPattern)
    case .uniform(let limit):
      parameter.setPattern(newPattern) { _ in random.uniform(-limit, limit) }
    case .sparsityAware:
      let limits = SparsityAwareInitializer.limits(
        of: newPattern, columnsPerInputUnit: context.columnsPerInputUnit)
      let slotOf = Dictionary(
        uniqueKeysWithValues: newPattern.activeIndices.enumerated().map { ($1, $0) })
      parameter.setPattern(newPattern) { position in
        let limit = limits[slotOf[position]!]
        return random.uniform(-limit, limit)
      }
    }

    if options.momentPolicy == .keep {
      let newIndices = newPattern.activeIndices
      for (slot, position) in newIndices.enumerated() where !isActiveBefore[position] {
        guard let archived = state.archivedOptimizerState.removeValue(forKey: position) else {
          continue
        }
        for (name, value) in archived where parameter.optimizerState[name] != nil {
          parameter.optimizerState[name]![slot] = value
        }
      }
    }
    return TopologyChange(
      layer: context.layer, step: context.step, dropped: dropped.sorted(), grown: grown.sorted(),
      activeBefore: activeBefore, activeAfter: newPattern.nonzeroCount)
  }
}
