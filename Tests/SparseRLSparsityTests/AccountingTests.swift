import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLSparsity

@Suite struct AccountingTests {
  /// MLP 17-256-256-6 with 1000, 6554 and 300 active weights, counted by hand.
  @Test func smallMLP() {
    let shapes: [WeightShape] = [
      .linear(inputs: 17, outputs: 256), .linear(inputs: 256, outputs: 256),
      .linear(inputs: 256, outputs: 6),
    ]
    let cost = NetworkCost(
      zip(shapes, [1000, 6554, 300]).map { LayerFootprint(shape: $0, activeWeights: $1) })
    #expect(cost.layers.map(\.totalWeights) == [4352, 65536, 1536])
    #expect(cost.activeWeights == 7854 && cost.totalWeights == 71424)
    #expect(cost.biases == 518)  // 256 + 256 + 6
    #expect(cost.activeParameters == 8372 && cost.totalParameters == 71942)
    // Stored bytes per layer, 16-bit indices (<= 65,536 columns, <= 65,535 entries): values 4 nnz, column
    // indices 2 nnz, row starts 2 (rows + 1): 6000 + 2*257, 39324 + 2*257, 1800 + 2*7.
    #expect(cost.layers.map(\.sparseWeightBytes) == [6514, 39838, 1814])
    #expect(cost.sparseBytes == 6514 + 39838 + 1814 + 4 * 518)
    #expect(cost.denseBytes == 4 * 71424 + 4 * 518)
    #expect(cost.inferenceFLOPs == 2 * 7854 && cost.denseInferenceFLOPs == 2 * 71424)
    #expect(abs(cost.inferenceRatio - 7854.0 / 71424.0) < 1e-12)
    // Training, batch 256: 3 * 15708 * 256 = 12,063,744, plus RigL's dense gradient 142848 * 256 / 1000.
    let rigl = cost.trainingFLOPs(batchSize: 256, denseGradientInterval: 1000)
    #expect(abs(rigl.sparse - (12_063_744 + 36_569.088)) < 1e-6)
    #expect(rigl.dense == 109_707_264)
    #expect(cost.trainingFLOPs(batchSize: 256).sparse == 12_063_744)
  }

  /// Conv 3x3, 1 -> 4 channels on an 8x8 output (64 positions), 18 of 36 active; then Linear 256 -> 10 with 256
  /// of 2560 active.
  @Test func smallCNN() {
    let shapes: [WeightShape] = [
      .conv2d(kernelHeight: 3, kernelWidth: 3, inChannels: 1, outChannels: 4, outputPositions: 64),
      .linear(inputs: 256, outputs: 10),
    ]
    let cost = NetworkCost(
      zip(shapes, [18, 256]).map { LayerFootprint(shape: $0, activeWeights: $1) })
    #expect(cost.totalWeights == 36 + 2560 && cost.activeWeights == 274 && cost.biases == 14)
    // FLOPs: conv 2 * 18 * 64 = 2304, linear 2 * 256 = 512; dense 2 * 36 * 64 = 4608 and 5120.
    #expect(cost.layers.map(\.inferenceFLOPs) == [2304, 512])
    #expect(cost.inferenceFLOPs == 2816 && cost.denseInferenceFLOPs == 9728)
    // Bytes: conv 6*18 + 2*(4 + 1) = 118, linear 6*256 + 2*(10 + 1) = 1558, biases 56.
    #expect(cost.sparseBytes == 118 + 1558 + 56)
    #expect(cost.denseBytes == 4 * 2596 + 56)
  }

  /// Index widths follow the layer: 32-bit column indices above 65,536 columns, 32-bit row starts above
  /// 65,535 entries, 16-bit at the limits.
  @Test func indexWidthsAreSizedToTheLayer() {
    func bytes(_ rows: Int, _ columns: Int, _ active: Int) -> Int {
      LayerCost(LayerFootprint(rows: rows, columns: columns, activeWeights: active, biases: 0, usesPerSample: 1))
        .sparseWeightBytes
    }
    #expect(bytes(2, 65_536, 100) == 4 * 100 + 2 * 100 + 2 * 3)
    #expect(bytes(2, 65_537, 100) == 4 * 100 + 4 * 100 + 2 * 3)
    #expect(bytes(2, 65_536, 65_535) == 6 * 65_535 + 2 * 3)
    #expect(bytes(2, 65_536, 65_536) == 6 * 65_536 + 4 * 3)
  }

  @Test func liveLayersAndAllocationsAgree() throws {
    let shapes: [WeightShape] = [.linear(inputs: 8, outputs: 16), .linear(inputs: 16, outputs: 2)]
    let allocation = try SparsityAllocator(distribution: .erdosRenyi, sparsity: 0.5).allocate(
      shapes)
    var random = RandomGenerator(seed: 1)
    let layers = zip(shapes, allocation.activeCounts).map { shape, active in
      FakeLayer(
        weight: randomSparseParameter(
          rows: shape.rows, columns: shape.columns, active: active, random: &random),
        gradient: Matrix(rows: shape.rows, columns: shape.columns))
    }
    let fromLayers = NetworkCost(layers: layers)
    let fromAllocation = NetworkCost(allocation)
    #expect(fromLayers.activeWeights == fromAllocation.activeWeights)
    #expect(fromLayers.inferenceFLOPs == fromAllocation.inferenceFLOPs)
    #expect(fromLayers.biases == 0 && fromAllocation.biases == 18)  // the fake layers have no bias parameter
  }
}
