import SparseRLNetworks
import Testing

@testable import SparseRLSparsity

@Suite struct DescriptionTests {
  @Test func parsesMLPsAndCNNs() throws {
    #expect(
      try LayerStackParser.shapes(layers: [17, 256, 6])
        == [.linear(inputs: 17, outputs: 256), .linear(inputs: 256, outputs: 6)])
    // Nature CNN on 84x84x4: (84-8)/4+1 = 20, (20-4)/2+1 = 9, (9-3)/1+1 = 7; flatten 7*7*64 = 3136.
    let nature = try LayerStackParser.shapes(
      layers: [512, 6], input: "84x84x4", convolutions: ["32:8x8/4", "64:4x4/2", "64:3x3/1"])
    #expect(
      nature == [
        .conv2d(
          kernelHeight: 8, kernelWidth: 8, inChannels: 4, outChannels: 32, outputPositions: 400),
        .conv2d(
          kernelHeight: 4, kernelWidth: 4, inChannels: 32, outChannels: 64, outputPositions: 81),
        .conv2d(
          kernelHeight: 3, kernelWidth: 3, inChannels: 64, outChannels: 64, outputPositions: 49),
        .linear(inputs: 3136, outputs: 512), .linear(inputs: 512, outputs: 6),
      ])
    #expect(throws: SparsityError.self) { try LayerStackParser.shapes(layers: [17]) }
    #expect(throws: SparsityError.self) {
      try LayerStackParser.shapes(layers: [6], convolutions: ["32:8x8/4"])
    }
    #expect(throws: SparsityError.self) {
      try LayerStackParser.shapes(layers: [6], input: "8x8x1", convolutions: ["32:9x9/1"])
    }
    #expect(throws: SparsityError.self) {
      try LayerStackParser.shapes(layers: [6], input: "8x8x1", convolutions: ["32-3x3"])
    }
  }

  @Test func reportListsEveryLayerAndTheTotals() throws {
    let allocation = try SparsityAllocator(distribution: .erdosRenyiKernel, sparsity: 0.9)
      .allocate(LayerStackParser.shapes(layers: [17, 256, 256, 6]))
    let text = AllocationReport.text(allocation, batchSize: 256, denseGradientInterval: 1000)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0].hasPrefix("layer") && lines.count >= 11)
    for (index, layer) in allocation.layers.enumerated() {
      let cells = lines[2 + index].split(separator: " ").map(String.init)
      #expect(cells[0] == "\(index)")
      #expect(cells.contains("\(layer.activeCount)") && cells.contains("\(layer.totalCount)"))
      // The kernel column: the rule the layers apply at the training batch.
      let sparse = Linear.usesSparseKernels(
        density: 1 - layer.sparsity, inFeatures: layer.shape.columns, columns: 256)
      #expect(cells.contains(layer.sparsity > 0 && sparse ? "sparse" : "dense"), "layer \(index): \(cells)")
    }
    #expect(lines[2].hasSuffix("sparse  distribution") && lines[3].contains(" sparse "))
    #expect(!lines.contains { $0.hasPrefix("dense fallback") || $0.hasPrefix("acting") }, "\(lines)")
    // Uniform 40% at batch 256: every layer is sparse but at 60% density, so each trains through its dense copy
    // (from 50% for 256 inputs) and acts on the sparse kernels (below 70% at batch 1), and the text says so; with a
    // fixed fallback density of 0.7 none falls back.
    let moderate = try SparsityAllocator(distribution: .uniform, sparsity: 0.4)
      .allocate(LayerStackParser.shapes(layers: [256, 256, 256, 256]))
    let moderateLines = AllocationReport.text(moderate).split(separator: "\n").map(String.init)
    #expect(
      moderateLines.contains(
        "dense fallback: layers 0, 1, 2 run on the dense kernels at batch 256 (faster there at their density and "
          + "shape); their masked weights stay 0"), "\(moderateLines)")
    #expect(moderateLines.contains("acting (batch 1): layers 0, 1, 2 on the sparse kernels"))
    let fixed = AllocationReport.text(moderate, denseKernelDensity: 0.7).split(separator: "\n").map(String.init)
    #expect(!fixed.contains { $0.hasPrefix("dense fallback") || $0.hasPrefix("acting") }, "\(fixed)")
    #expect(fixed[2].contains(" sparse "))
    let total = lines[6].split(separator: " ").map(String.init)
    #expect(
      total[0] == "total" && total.contains("71424") && total.contains("7142")
        && total.contains("90.00%"))
    #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
  }
}
