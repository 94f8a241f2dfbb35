import Foundation
import SparseRLNetworks

/// Parses the layer stacks the command line describes into weight shapes.
///
/// - MLP: `layers = [17, 256, 256, 6]` gives Linear 17x256, 256x256, 256x6.
/// - CNN: `input = "84x84x4"` (height x width x channels), `convolutions = ["32:8x8/4", "64:4x4/2", "64:3x3/1"]`
///   (`outChannels:kernelHeight x kernelWidth / stride`, valid padding), then `layers` lists the widths of the
///   fully connected layers after flattening (`[512, 6]`).
public enum LayerStackParser {
  /// The masked weight shapes of the described network.
  public static func shapes(layers: [Int], input: String? = nil, convolutions: [String] = [])
    throws(SparsityError)
    -> [WeightShape]
  {
    guard layers.allSatisfy({ $0 > 0 }) else {
      throw .invalidShape("layer widths must be positive, got \(layers)")
    }
    guard !convolutions.isEmpty else {
      guard input == nil else {
        throw .invalidShape("--input is only used with convolution layers")
      }
      guard layers.count >= 2 else {
        throw .invalidShape("an MLP needs at least an input and an output width, got \(layers)")
      }
      return zip(layers, layers.dropFirst()).map { .linear(inputs: $0, outputs: $1) }
    }
    guard let input else { throw .invalidShape("convolution layers need --input HxWxC") }
    let dims = input.split(separator: "x").compactMap { Int($0) }
    guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
      throw .invalidShape("input '\(input)' must be HxWxC with positive integers")
    }
    var (height, width, channels) = (dims[0], dims[1], dims[2])
    var shapes = [WeightShape]()
    for spec in convolutions {
      let parts = spec.split(whereSeparator: { ":x/".contains($0) }).compactMap { Int($0) }
      guard parts.count == 4, parts.allSatisfy({ $0 > 0 }) else {
        throw .invalidShape("convolution '\(spec)' must be outChannels:KHxKW/stride, e.g. 32:8x8/4")
      }
      let (out, kh, kw, stride) = (parts[0], parts[1], parts[2], parts[3])
      guard kh <= height && kw <= width else {
        throw .invalidShape(
          "convolution '\(spec)' kernel is larger than its \(height)x\(width) input")
      }
      let outHeight = (height - kh) / stride + 1
      let outWidth = (width - kw) / stride + 1
      shapes.append(
        .conv2d(
          kernelHeight: kh, kernelWidth: kw, inChannels: channels, outChannels: out,
          outputPositions: outHeight * outWidth))
      (height, width, channels) = (outHeight, outWidth, out)
    }
    var features = height * width * channels
    for widthOut in layers {
      shapes.append(.linear(inputs: features, outputs: widthOut))
      features = widthOut
    }
    return shapes
  }
}

/// The `describe` table: per-layer shapes, sparsities, active weights and FLOPs, and network totals.
public enum AllocationReport {
  /// The report of `allocation`, with training FLOPs for `batchSize` and, if given, RigL's dense gradient every
  /// `denseGradientInterval` updates. Its `kernel` column says which products each layer runs on in training at
  /// `batchSize`: `sparse` where `Linear.usesSparseKernels` picks the sparse kernels (with `denseKernelDensity`,
  /// a fixed fallback density, or by default the measured rule for the layer's shape), else `dense` (a dense
  /// layer, or a sparse one through a dense copy of its weights, where the dense kernels are faster); a line
  /// below the table names the layers that act (batch 1) on the other kind.
  public static func text(
    _ allocation: SparsityAllocation, batchSize: Int = 256, denseGradientInterval: Int? = nil,
    denseKernelDensity: Double? = nil
  ) -> String {
    let cost = NetworkCost(allocation)
    let header = [
      "layer", "shape", "weights", "active", "sparsity", "bias", "FLOPs", "dense FLOPs", "kernel", "source",
    ]
    // Whether a layer's products with `samples` samples run on the sparse kernels.
    func kernelsAreSparse(samples: Int) -> [Bool] {
      allocation.layers.map { layer in
        layer.sparsity > 0
          && Linear.usesSparseKernels(
            density: 1 - layer.sparsity, inFeatures: layer.shape.columns, columns: samples * layer.shape.usesPerSample,
            denseKernelDensity: denseKernelDensity)
      }
    }
    let sparseKernels = kernelsAreSparse(samples: batchSize)
    let actingKernels = kernelsAreSparse(samples: 1)
    var rows = [header]
    for (index, layer) in allocation.layers.enumerated() {
      let layerCost = cost.layers[index]
      rows.append([
        "\(index)", layer.shape.description, "\(layer.totalCount)", "\(layer.activeCount)",
        percent(layer.sparsity), "\(layer.shape.biasCount)", "\(layerCost.inferenceFLOPs)",
        "\(layerCost.denseInferenceFLOPs)",
        sparseKernels[index] ? "sparse" : "dense",
        layer.source.rawValue,
      ])
    }
    rows.append([
      "total", "", "\(cost.totalWeights)", "\(cost.activeWeights)", percent(allocation.sparsity),
      "\(cost.biases)",
      "\(cost.inferenceFLOPs)", "\(cost.denseInferenceFLOPs)", "", "",
    ])
    let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
    var lines = rows.map { row in
      row.indices.map { column in
        column <= 1 || column >= header.count - 2
          ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[column] - row[column].count) + row[column]
      }.joined(separator: "  ").trimmingSuffix()
    }
    lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
    lines.insert(String(repeating: "-", count: lines[0].count), at: lines.count - 1)
    let training = cost.trainingFLOPs(
      batchSize: batchSize, denseGradientInterval: denseGradientInterval)
    lines.append("")
    lines.append(
      "parameters: \(cost.activeParameters) active of \(cost.totalParameters) (weights \(cost.activeWeights) of "
        + "\(cost.totalWeights), biases \(cost.biases) counted separately)")
    let fallback = allocation.layers.indices.filter { allocation.layers[$0].sparsity > 0 && !sparseKernels[$0] }
    func layerList(_ indices: [Int]) -> String {
      "layer\(indices.count == 1 ? "" : "s") \(indices.map(String.init).joined(separator: ", "))"
    }
    if !fallback.isEmpty {
      lines.append(
        "dense fallback: \(layerList(fallback)) run on the dense kernels at batch \(batchSize) (faster there at "
          + "\(fallback.count == 1 ? "its" : "their") density and shape); their masked weights stay 0")
    }
    let actingDifferently = allocation.layers.indices.filter {
      allocation.layers[$0].sparsity > 0 && actingKernels[$0] != sparseKernels[$0]
    }
    if !actingDifferently.isEmpty {
      let kinds = actingDifferently.map { actingKernels[$0] ? "sparse" : "dense" }
      lines.append(
        "acting (batch 1): \(layerList(actingDifferently)) on the "
          + (Set(kinds).count == 1 ? "\(kinds[0]) kernels" : "other kernels"))
    }
    if let epsilon = allocation.epsilon { lines.append("eps: \(String(format: "%.6g", epsilon))") }
    lines.append(
      "storage: \(cost.sparseBytes) bytes sparse (values + CSR indices sized to the layer) vs \(cost.denseBytes) dense "
        + "(ratio \(ratio(cost.bytesRatio)))")
    lines.append(
      "inference: \(cost.inferenceFLOPs) FLOPs per sample vs \(cost.denseInferenceFLOPs) dense (ratio "
        + "\(ratio(cost.inferenceRatio)))")
    let gradientNote = denseGradientInterval.map { ", dense gradient every \($0) updates" } ?? ""
    lines.append(
      "training: \(String(format: "%.4g", training.sparse)) FLOPs per update (batch \(batchSize)\(gradientNote)) vs "
        + "\(String(format: "%.4g", training.dense)) dense (ratio \(ratio(training.ratio)))")
    return lines.joined(separator: "\n")
  }

  private static func percent(_ value: Double) -> String { String(format: "%.2f%%", 100 * value) }
  private static func ratio(_ value: Double) -> String { String(format: "%.4f", value) }
}

extension String {
  fileprivate func trimmingSuffix() -> String {
    var result = self
    while result.last == " " { result.removeLast() }
    return result
  }
}
