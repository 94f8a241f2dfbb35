import SparseRLNetworks

/// The size of one masked layer as the accounting needs it.
public struct LayerFootprint: Equatable, Hashable, Sendable, Codable {
  /// Rows of the weight matrix.
  public var rows: Int
  /// Columns of the weight matrix.
  public var columns: Int
  /// Active (stored) weights.
  public var activeWeights: Int
  /// Bias entries (never masked; reported separately).
  public var biases: Int
  /// Times each weight is applied per sample (1 for Linear, output positions for Conv2d).
  public var usesPerSample: Int

  /// A footprint from its parts.
  public init(rows: Int, columns: Int, activeWeights: Int, biases: Int, usesPerSample: Int) {
    precondition(rows > 0 && columns > 0 && usesPerSample > 0, "footprint needs positive sizes")
    precondition(
      activeWeights >= 0 && activeWeights <= rows * columns,
      "\(activeWeights) active of \(rows * columns)")
    self.rows = rows
    self.columns = columns
    self.activeWeights = activeWeights
    self.biases = biases
    self.usesPerSample = usesPerSample
  }

  /// The footprint of a shape with `activeWeights` active (one bias per output).
  public init(shape: WeightShape, activeWeights: Int) {
    self.init(
      rows: shape.rows, columns: shape.columns, activeWeights: activeWeights,
      biases: shape.biasCount,
      usesPerSample: shape.usesPerSample)
  }

  /// The footprint of a live layer: its weight's active count, and every other parameter counted as bias.
  public init(layer: any MaskableLayer) {
    let weight = layer.weight
    let others = layer.parameters.filter { $0 !== weight }.reduce(0) { $0 + $1.denseCount }
    self.init(
      rows: weight.rows, columns: weight.columns, activeWeights: weight.activeCount, biases: others,
      usesPerSample: layer.weightUsesPerSample)
  }
}

/// Parameter counts, storage and FLOPs of one masked layer.
///
/// Storage is the stored sparse format (checkpoints, policy files, exports; `SparseStorageLayout`): fp32
/// values `4 nnz` plus CSR indices sized to the layer, `columnIndex` 2 bytes each for at most 65,536 columns
/// (else 4) and `rowStart` 2 bytes each for at most 65,535 entries (else 4): `6 nnz + 2 (rows + 1)` bytes for
/// a typical layer, against `4 rows columns` dense. (In memory the kernels also keep the CSC transpose with
/// 32-bit indices; that is derived on loading and not counted here.)
///
/// FLOPs count the weights' multiply-adds as 2 FLOPs each (bias additions and activations are ignored, as in
/// the RigL and RLx2 accounting, so the inference ratio of a network equals its density when `usesPerSample`
/// is the same everywhere): `2 * active * usesPerSample` per sample and forward pass.
public struct LayerCost: Equatable, Hashable, Sendable, Codable {
  /// The layer's sizes.
  public var footprint: LayerFootprint

  /// A cost from a footprint.
  public init(_ footprint: LayerFootprint) { self.footprint = footprint }

  /// Active weights.
  public var activeWeights: Int { footprint.activeWeights }
  /// Weights of the dense shape.
  public var totalWeights: Int { footprint.rows * footprint.columns }
  /// Bias entries.
  public var biases: Int { footprint.biases }
  /// Active fraction of the weights.
  public var density: Double { Double(activeWeights) / Double(totalWeights) }
  /// Bytes of the stored sparse weight (values and CSR indices sized to the layer).
  public var sparseWeightBytes: Int {
    SparseStorageLayout.weightBytes(rows: footprint.rows, columns: footprint.columns, nonzeros: activeWeights)
  }
  /// Bytes of the dense weight matrix.
  public var denseWeightBytes: Int { 4 * totalWeights }
  /// Bytes of the biases (the same sparse or dense).
  public var biasBytes: Int { 4 * biases }
  /// FLOPs of one forward pass of one sample through the active weights.
  public var inferenceFLOPs: Int { 2 * activeWeights * footprint.usesPerSample }
  /// FLOPs of one forward pass of one sample through the dense weights.
  public var denseInferenceFLOPs: Int { 2 * totalWeights * footprint.usesPerSample }
}

/// FLOPs of one training update of a network (one minibatch), sparse against dense.
public struct TrainingFLOPs: Equatable, Hashable, Sendable, Codable {
  /// The sparse network's FLOPs per update, including the amortised dense gradient.
  public var sparse: Double
  /// The dense network's FLOPs per update.
  public var dense: Double
  /// `sparse / dense`.
  public var ratio: Double { sparse / dense }
}

/// Parameter counts, storage and FLOPs of one network's masked layers.
public struct NetworkCost: Equatable, Hashable, Sendable, Codable {
  /// Per-layer costs in network order.
  public var layers: [LayerCost]

  /// The cost of these layers.
  public init(_ footprints: [LayerFootprint]) { layers = footprints.map(LayerCost.init) }

  /// The cost of an allocation's layers.
  public init(_ allocation: SparsityAllocation) {
    self.init(
      allocation.layers.map { LayerFootprint(shape: $0.shape, activeWeights: $0.activeCount) })
  }

  /// The cost of live layers.
  public init(layers: [any MaskableLayer]) { self.init(layers.map(LayerFootprint.init(layer:))) }

  /// Active weights.
  public var activeWeights: Int { layers.reduce(0) { $0 + $1.activeWeights } }
  /// Weights of the dense shapes.
  public var totalWeights: Int { layers.reduce(0) { $0 + $1.totalWeights } }
  /// Biases (reported separately, never masked).
  public var biases: Int { layers.reduce(0) { $0 + $1.biases } }
  /// Weight density of the network.
  public var density: Double { Double(activeWeights) / Double(totalWeights) }
  /// Active parameters including biases.
  public var activeParameters: Int { activeWeights + biases }
  /// Dense parameters including biases.
  public var totalParameters: Int { totalWeights + biases }
  /// Bytes of the sparse store of all weights plus biases.
  public var sparseBytes: Int { layers.reduce(0) { $0 + $1.sparseWeightBytes + $1.biasBytes } }
  /// Bytes of the dense weights plus biases.
  public var denseBytes: Int { layers.reduce(0) { $0 + $1.denseWeightBytes + $1.biasBytes } }
  /// `sparseBytes / denseBytes`.
  public var bytesRatio: Double { Double(sparseBytes) / Double(denseBytes) }
  /// FLOPs of one forward pass of one sample.
  public var inferenceFLOPs: Int { layers.reduce(0) { $0 + $1.inferenceFLOPs } }
  /// FLOPs of the dense network's forward pass of one sample.
  public var denseInferenceFLOPs: Int { layers.reduce(0) { $0 + $1.denseInferenceFLOPs } }
  /// `inferenceFLOPs / denseInferenceFLOPs`.
  public var inferenceRatio: Double { Double(inferenceFLOPs) / Double(denseInferenceFLOPs) }

  /// FLOPs of one training update on `batchSize` samples: a forward pass `F` and a backward pass of `2F` (input
  /// gradient and weight gradient, each as costly as the forward), so `3F` per sample. With
  /// `denseGradientInterval = ΔT` (RigL), the dense weight gradient `dY X^T` of every layer (`F_dense` per
  /// sample) is computed once every ΔT updates and added as `F_dense / ΔT`. The dense network costs `3 F_dense`.
  public func trainingFLOPs(batchSize: Int, denseGradientInterval: Int? = nil) -> TrainingFLOPs {
    precondition(batchSize > 0, "batch size must be positive")
    precondition((denseGradientInterval ?? 1) > 0, "dense-gradient interval must be positive")
    let batch = Double(batchSize)
    var sparse = 3 * Double(inferenceFLOPs) * batch
    if let interval = denseGradientInterval {
      sparse += Double(denseInferenceFLOPs) * batch / Double(interval)
    }
    return TrainingFLOPs(sparse: sparse, dense: 3 * Double(denseInferenceFLOPs) * batch)
  }
}
