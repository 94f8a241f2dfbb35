import Foundation
import SparseRLNetworks
import SparseRLNumerics
import SparseRLSparsity

/// A network together with its sparse-training method: the per-layer allocation of its target sparsity, the
/// topology controller that evolves its masks, and the count of its gradient updates.
///
/// Agents call `afterBackward()` once per gradient update, after the backward pass (RigL's grow step uses
/// the gradient of that minibatch) and before the optimizer step, which they skip when it returns `false`.
public final class SparseNetwork {
  /// The layers.
  public let model: any Layer
  /// The sparsity settings.
  public let sparsity: NetworkSparsity
  /// The per-layer allocation of the target (nil for a dense network).
  public let allocation: SparsityAllocation?
  /// The topology controller (its state is saved in checkpoints).
  public private(set) var controller: TopologyController
  /// Gradient updates applied so far (the `t` of the topology schedules).
  public private(set) var updates = 0
  /// Topology updates applied so far.
  public var topologyUpdates: Int { controller.state.updatesApplied }

  /// Makes `model` sparse as `sparsity` says, for a training run of `totalUpdates` updates of this network.
  /// Throws `SparsityError` when the allocation is infeasible.
  public init(
    model: any Layer, sparsity: NetworkSparsity, totalUpdates: Int, random: RandomGenerator
  ) throws {
    self.model = model
    self.sparsity = sparsity
    let layers = model.maskableLayers.map(\.layer)
    let shapes = layers.map(SparseNetwork.shape(of:))
    let endStep = max(1, Int((Double(totalUpdates) * sparsity.updateEndFraction).rounded(.down)))
    var activeCounts = shapes.map(\.weightCount)
    if sparsity.isSparse {
      let allocator = SparsityAllocator(
        distribution: sparsity.distribution, sparsity: sparsity.sparsity, firstLayerDense: sparsity.firstLayerDense)
      let allocation = try allocator.allocate(shapes)
      self.allocation = allocation
      activeCounts = allocation.activeCounts
    } else {
      allocation = nil
    }
    let method: any TopologyMethod
    let options = DropGrowOptions(
      grownWeightInitialization: sparsity.grownWeights == .zero ? .zero : .sparsityAware,
      momentPolicy: sparsity.grownMoments, denseGradientForGrownWeights: sparsity.denseGradientForGrownWeights)
    let schedule = DropGrowSchedule(
      updateInterval: sparsity.updateInterval, initialDropFraction: sparsity.dropFraction, endStep: endStep,
      decay: sparsity.dropFractionDecay)
    switch sparsity.isSparse ? sparsity.method : .dense {
    case .dense: method = DenseTopology()
    case .static: method = StaticTopology()
    case .set: method = try SETUpdater(schedule: schedule, options: options)
    case .rigl: method = try RigLUpdater(schedule: schedule, options: options)
    case .pruning:
      let begin = Int(Double(totalUpdates) * sparsity.pruningBeginFraction)
      let end = max(begin + 1, Int(Double(totalUpdates) * sparsity.pruningEndFraction))
      method = try GradualMagnitudePruning(
        schedule: CubicPruningSchedule(beginStep: begin, endStep: end, frequency: sparsity.pruningFrequency),
        finalActiveCounts: activeCounts)
    }
    controller = TopologyController(method: method, layerCount: layers.count, random: random)
    controller.initialize(
      layers: layers, activeCounts: activeCounts, initialMask: sparsity.initialMask,
      sparsityAwareInitialization: sparsity.sparsityAwareInit,
      columnsPerInputUnit: shapes.map(\.columnsPerInputUnit))
  }

  /// Counts one gradient update and applies the topology method if it is due. Returns whether the optimizer
  /// step of this update should be taken.
  @discardableResult
  public func afterBackward() -> Bool {
    updates += 1
    guard controller.isUpdateStep(updates) else { return true }
    Profiler.measure("topology update") {
      let layers = model.maskableLayers.map(\.layer)
      controller.update(
        step: updates, layers: layers,
        columnsPerInputUnit: layers.map { SparseNetwork.shape(of: $0).columnsPerInputUnit })
    }
    return !sparsity.skipOptimizerStepOnTopologyUpdate
  }

  /// Parameter, storage and FLOP accounting of the network as it is now.
  public var cost: NetworkCost { NetworkCost(layers: model.maskableLayers.map(\.layer)) }

  /// Fraction of inactive weights over the maskable layers, as it is now.
  public var currentSparsity: Double {
    let cost = cost
    return 1 - Double(cost.activeWeights) / Double(max(cost.totalWeights, 1))
  }

  /// The topology schedule's state plus the update count, for checkpoints.
  public func archive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["updates"] = .int(updates)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys  // the same state always gives the same bytes
    archive["topology"] = .string(try String(decoding: encoder.encode(controller.state), as: UTF8.self))
    archive["network"] = .archive(NetworkArchive.archive(of: model))
    return archive
  }

  /// Restores what `archive()` saved.
  public func load(_ archive: BinaryArchive) throws {
    try NetworkArchive.load(archive.archive("network"), into: model)
    updates = try archive.int("updates")
    let state = try JSONDecoder().decode(
      TopologyControllerState.self, from: Data(try archive.string("topology").utf8))
    controller = TopologyController(method: controller.method, state: state)
  }

  /// The weight shape of a maskable layer.
  public static func shape(of layer: any MaskableLayer) -> WeightShape {
    if let conv = layer as? Conv2d {
      return .conv2d(
        kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth, inChannels: conv.inChannels,
        outChannels: conv.outChannels, outputPositions: conv.outputPositions)
    }
    return .linear(inputs: layer.weight.columns, outputs: layer.weight.rows)
  }
}
