import Foundation

/// How a network's target sparsity is spread over its masked layers.
public enum SparsityDistribution: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
  /// Every free layer gets the same density.
  case uniform
  /// Erdős–Rényi: density proportional to `(n_in + n_out) / (n_in * n_out)`.
  case erdosRenyi = "er"
  /// Erdős–Rényi-Kernel: density proportional to the sum of the tensor's dimensions over their product.
  case erdosRenyiKernel = "erk"
}

/// What the network target applies to when some layers have a fixed sparsity (overrides, first layer dense).
public enum OverrideBudget: String, Equatable, Hashable, Sendable, Codable {
  /// The target is the sparsity of the whole network, overridden layers included: the free layers absorb the
  /// difference (this project's default, so that `S` is what the network really has).
  case network
  /// The target applies to the free layers only; overridden layers come on top (the RigL code's behaviour, where
  /// a dense first layer makes the network denser than `S`).
  case freeLayers
}

/// Why a layer got its density.
public enum AllocationSource: String, Equatable, Hashable, Sendable, Codable {
  /// From the distribution's solve.
  case distribution
  /// The ER/ERK solve would have given it a density above 1, so it was made dense and left the solve.
  case forcedDense
  /// From the per-layer override map (or the first-layer-dense option).
  case override
}

/// The density one layer receives.
public struct LayerAllocation: Equatable, Hashable, Sendable, Codable {
  /// The layer's weight shape.
  public var shape: WeightShape
  /// The real-valued density the distribution asks for (before the integer rule).
  public var idealDensity: Double
  /// The number of active weights (after the integer rule).
  public var activeCount: Int
  /// Why the layer got this density.
  public var source: AllocationSource

  /// Entries of the dense weight tensor.
  public var totalCount: Int { shape.weightCount }
  /// Active fraction after the integer rule.
  public var density: Double { Double(activeCount) / Double(totalCount) }
  /// Inactive fraction after the integer rule.
  public var sparsity: Double { 1 - density }
}

/// The result of a sparsity allocation: one entry per masked layer, in network order.
public struct SparsityAllocation: Equatable, Hashable, Sendable, Codable {
  /// Per-layer results, in the order of the shapes given.
  public var layers: [LayerAllocation]
  /// The ER/ERK scale `eps` of the final solve (`nil` for uniform, or when no layer was left in the solve).
  public var epsilon: Double?

  /// Total entries of all masked weight tensors.
  public var totalCount: Int { layers.reduce(0) { $0 + $1.totalCount } }
  /// Total active weights.
  public var activeCount: Int { layers.reduce(0) { $0 + $1.activeCount } }
  /// Network sparsity after the integer rule.
  public var sparsity: Double { 1 - Double(activeCount) / Double(totalCount) }
  /// Active counts per layer, in order.
  public var activeCounts: [Int] { layers.map(\.activeCount) }
}

/// Allocates a network's target sparsity to its masked layers.
///
/// **Solve.** Layers with a fixed sparsity (the `overrides` map, and layer 0 when `firstLayerDense`) are taken out.
/// The remaining *free* layers share a budget `B` of active weights:
/// - with `OverrideBudget.network`, `B = round((1 - S) * N) - (active weights of the fixed layers)`, `N` the total
///   of all masked layers, so the whole network meets `S`;
/// - with `OverrideBudget.freeLayers`, `B = round((1 - S) * N_free)`.
///
/// Uniform gives every free layer density `B / N_free`. ER and ERK give layer `l` density `eps * r_l` with `eps`
/// solved so that the densities sum to `B` active weights; every layer whose density would exceed 1 is made
/// dense, leaves the solve, and `eps` is solved again, until all densities are at most 1. (Removing all
/// offending layers at once, as here, ends in the same set as the RigL code's one-at-a-time removal: `eps` only
/// grows when a layer leaves, so a layer that exceeds 1 keeps exceeding it.)
///
/// **Integer rule.** A fixed layer gets `round((1 - s_l) * n_l)` active weights (half away from zero). A free
/// layer with ideal count `c_l = d_l * n_l` gets `floor(c_l)` or `floor(c_l) + 1`: the `B - sum(floor(c_l))`
/// units left are given to the layers with the largest fractional parts (ties: lower layer index). So every free
/// layer is within one weight of its ideal count and the free layers hold exactly `B`; with
/// `OverrideBudget.network` the network total is exactly `round((1 - S) * N)`.
///
/// Every layer must end with at least one active weight, otherwise allocation throws.
public struct SparsityAllocator: Equatable, Sendable, Codable {
  /// The distribution over free layers.
  public var distribution: SparsityDistribution
  /// Target network sparsity `S` in `[0, 1)`.
  public var sparsity: Double
  /// Keep layer 0 dense (an override of sparsity 0 unless `overrides` names layer 0).
  public var firstLayerDense: Bool
  /// Fixed sparsities by layer index, taken out of the solve.
  public var overrides: [Int: Double]
  /// What the target applies to when some layers are fixed.
  public var overrideBudget: OverrideBudget

  /// An allocator; see the type's documentation for the rule.
  public init(
    distribution: SparsityDistribution, sparsity: Double, firstLayerDense: Bool = false,
    overrides: [Int: Double] = [:], overrideBudget: OverrideBudget = .network
  ) {
    self.distribution = distribution
    self.sparsity = sparsity
    self.firstLayerDense = firstLayerDense
    self.overrides = overrides
    self.overrideBudget = overrideBudget
  }

  /// The fixed sparsities that apply to a network of `layerCount` layers.
  public func fixedSparsities(layerCount: Int) -> [Int: Double] {
    var fixed = overrides
    if firstLayerDense && layerCount > 0 && fixed[0] == nil { fixed[0] = 0 }
    return fixed
  }

  /// Allocates active weights to each of `shapes` (the masked layers in network order).
  public func allocate(_ shapes: [WeightShape]) throws(SparsityError) -> SparsityAllocation {
    guard !shapes.isEmpty else { throw .invalidSetting("no layers to allocate") }
    for shape in shapes { try shape.validate() }
    guard sparsity >= 0 && sparsity < 1 else {
      throw .invalidSetting("network sparsity \(sparsity) must be in [0, 1)")
    }
    let fixed = fixedSparsities(layerCount: shapes.count)
    for (index, value) in fixed.sorted(by: { $0.key < $1.key }) {
      guard shapes.indices.contains(index) else {
        throw .invalidSetting(
          "override for layer \(index), but the network has \(shapes.count) layers")
      }
      guard value >= 0 && value < 1 else {
        throw .invalidSetting("override sparsity \(value) of layer \(index) must be in [0, 1)")
      }
    }

    let sizes = shapes.map(\.weightCount)
    let freeIndices = shapes.indices.filter { fixed[$0] == nil }
    var active = [Int](repeating: 0, count: shapes.count)
    var ideal = [Double](repeating: 0, count: shapes.count)
    var source = [AllocationSource](repeating: .distribution, count: shapes.count)
    var fixedActive = 0
    for (index, value) in fixed {
      ideal[index] = 1 - value
      active[index] = Int((Double(sizes[index]) * (1 - value)).rounded(.toNearestOrAwayFromZero))
      source[index] = .override
      fixedActive += active[index]
    }

    let freeTotal = freeIndices.reduce(0) { $0 + sizes[$1] }
    let budget: Int
    switch overrideBudget {
    case .network:
      let networkTotal = sizes.reduce(0, +)
      budget =
        Int((Double(networkTotal) * (1 - sparsity)).rounded(.toNearestOrAwayFromZero)) - fixedActive
    case .freeLayers:
      budget = Int((Double(freeTotal) * (1 - sparsity)).rounded(.toNearestOrAwayFromZero))
    }
    guard budget >= 0 && budget <= freeTotal else {
      throw .infeasible(
        "the fixed layers hold \(fixedActive) active weights, leaving \(budget) for free layers of \(freeTotal) "
          + "weights at network sparsity \(sparsity)")
    }

    var epsilon: Double?
    if !freeIndices.isEmpty {
      switch distribution {
      case .uniform:
        for index in freeIndices { ideal[index] = Double(budget) / Double(freeTotal) }
      case .erdosRenyi, .erdosRenyiKernel:
        let score = shapes.map {
          distribution == .erdosRenyi ? $0.erdosRenyiScore : $0.erdosRenyiKernelScore
        }
        var solving = Set(freeIndices)
        var denseTotal = 0
        while true {
          let divisor = solving.reduce(0.0) { $0 + score[$1] * Double(sizes[$1]) }
          guard !solving.isEmpty else { break }
          let eps = Double(budget - denseTotal) / divisor
          let tooDense = solving.filter { eps * score[$0] > 1 }
          if tooDense.isEmpty {
            epsilon = eps
            for index in solving { ideal[index] = eps * score[index] }
            break
          }
          for index in tooDense {
            solving.remove(index)
            denseTotal += sizes[index]
            ideal[index] = 1
            source[index] = .forcedDense
          }
        }
      }
      let counts = Self.largestRemainder(
        ideal: freeIndices.map { ideal[$0] * Double(sizes[$0]) },
        capacity: freeIndices.map { sizes[$0] },
        total: budget)
      for (slot, index) in freeIndices.enumerated() { active[index] = counts[slot] }
    }

    for index in shapes.indices where active[index] < 1 {
      throw .infeasible("layer \(index) (\(shapes[index])) would have no active weights")
    }
    let layers = shapes.indices.map {
      LayerAllocation(
        shape: shapes[$0], idealDensity: ideal[$0], activeCount: active[$0], source: source[$0])
    }
    return SparsityAllocation(layers: layers, epsilon: epsilon)
  }

  /// Integer counts `floor(ideal)` or `floor(ideal) + 1`, summing to `total`: the units left after flooring go
  /// to the largest fractional parts (ties: lower index). `capacity` bounds each count.
  static func largestRemainder(ideal: [Double], capacity: [Int], total: Int) -> [Int] {
    var counts = ideal.indices.map { min(capacity[$0], max(0, Int(ideal[$0].rounded(.down)))) }
    var left = total - counts.reduce(0, +)
    let order = ideal.indices.sorted {
      let a = ideal[$0] - ideal[$0].rounded(.down)
      let b = ideal[$1] - ideal[$1].rounded(.down)
      return a != b ? a > b : $0 < $1
    }
    // One pass gives at most one extra unit per layer; further passes only absorb floating-point slack.
    while left > 0 {
      var gave = false
      for index in order where left > 0 && counts[index] < capacity[index] {
        counts[index] += 1
        left -= 1
        gave = true
      }
      if !gave { break }
    }
    while left < 0 {
      var took = false
      for index in order.reversed() where left < 0 && counts[index] > 0 {
        counts[index] -= 1
        left += 1
        took = true
      }
      if !took { break }
    }
    return counts
  }
}
