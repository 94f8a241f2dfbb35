import SparseRLNetworks
import SparseRLNumerics

/// The policy file (`.srl`, a run's `policy.srl`): one `BinaryArchive` (checksummed, versioned) with entries
///
/// | entry | contents |
/// |---|---|
/// | `kind` | `"sparserl-policy"` |
/// | `policyVersion` | `Int`, currently 2 (version 1, the networks-by-role files of earlier builds, is refused) |
/// | `observationShape` | `[Int32]` |
/// | `standardization` | optional archive: `mean`, `variance` (`[Double]`), `epsilon` (`Double`), `clip` (`Double`) |
/// | `layers` | archive `0`, `1`, ...: each layer's `type` (`linear`, `conv2d`, `relu`, `leaky_relu`, `tanh`, `flatten`, `layer_norm`, `residual`) and its geometry |
/// | `parameters` | the network's parameters as `NetworkArchive` writes them (active weights only, indices sized to the layer) |
/// | `head` | `kind` (`greedy`, `tanh_box`, `clipped_box`), `start` or `low`/`high` (`[Float]`) |
/// | `metadata` | archive of strings (`agent`, `environment`, `config`) |
///
/// Optimizer state is never stored.
public enum PolicyFile {
  /// The `kind` entry of every policy file.
  public static let kind = "sparserl-policy"
  /// The policy format version this build writes and reads.
  public static let version = 2

  /// The bytes of `policy`'s file.
  public static func encode(_ policy: Policy) -> [UInt8] {
    var archive = BinaryArchive()
    archive["kind"] = .string(kind)
    archive["policyVersion"] = .int(version)
    archive["observationShape"] = .int32s(policy.observationShape.map { Int32($0) })
    if let s = policy.standardization {
      var entry = BinaryArchive()
      entry["mean"] = .doubles(s.mean)
      entry["variance"] = .doubles(s.variance)
      entry["epsilon"] = .double(s.epsilon)
      entry["clip"] = .double(Double(s.clip))
      archive["standardization"] = .archive(entry)
    }
    var layers = BinaryArchive()
    for (index, layer) in policy.network.layers.enumerated() { layers[String(index)] = .archive(describe(layer)) }
    archive["layers"] = .archive(layers)
    var parameters = NetworkArchive.archive(of: policy.network)
    for name in parameters.names {
      guard var entry = try? parameters.archive(name) else { continue }
      entry["state"] = .archive(BinaryArchive())  // no optimizer state in a policy
      parameters[name] = .archive(entry)
    }
    archive["parameters"] = .archive(parameters)
    var head = BinaryArchive()
    switch policy.head {
    case .greedy(let start):
      head["kind"] = .string("greedy")
      head["start"] = .int(start)
    case .tanhBox(let low, let high):
      head["kind"] = .string("tanh_box")
      head["low"] = .floats(low)
      head["high"] = .floats(high)
    case .clippedBox(let low, let high):
      head["kind"] = .string("clipped_box")
      head["low"] = .floats(low)
      head["high"] = .floats(high)
    }
    archive["head"] = .archive(head)
    var metadata = BinaryArchive()
    for (key, value) in policy.metadata { metadata[key] = .string(value) }
    archive["metadata"] = .archive(metadata)
    return archive.encoded()
  }

  /// The parts of a decoded policy file.
  struct Parts {
    var observationShape: [Int]
    var standardization: ObservationStandardization?
    var network: Sequential
    var head: PolicyHead
    var metadata: [String: String]
  }

  /// Decodes and validates a policy file; every failure is a `PolicyError.invalidFile` naming the problem.
  static func decode(_ bytes: [UInt8], source: String) throws -> Parts {
    do {
      return try decodeArchive(try BinaryArchive(decoding: bytes))
    } catch let error as ArchiveError {
      throw PolicyError.invalidFile(source: source, reason: error.description)
    } catch PolicyError.invalid(let reason) {
      throw PolicyError.invalidFile(source: source, reason: reason)
    }
  }

  private static func decodeArchive(_ archive: BinaryArchive) throws -> Parts {
    guard archive.contains("kind"), try archive.string("kind") == kind else {
      throw PolicyError.invalid("its kind is not \(kind)")
    }
    guard archive.contains("policyVersion") else {
      throw PolicyError.invalid(
        "policy format version 1 (networks by role, written by an older SparseRL) cannot be loaded; this build "
          + "reads version \(version): export the run again with this build (`sparserl export RUN_DIR --format srl`)")
    }
    let found = try archive.int("policyVersion")
    guard found == version else {
      throw PolicyError.invalid("policy format version \(found) is not supported (this build reads version \(version))")
    }
    let shape = try archive.int32s("observationShape").map(Int.init)
    var standardization: ObservationStandardization? = nil
    if archive.contains("standardization") {
      let entry = try archive.archive("standardization")
      let mean = try entry.doubles("mean")
      standardization = ObservationStandardization(
        mean: mean, variance: try entry.doubles("variance", count: mean.count), epsilon: try entry.double("epsilon"),
        clip: Float(try entry.double("clip")))
    }
    let layerArchive = try archive.archive("layers")
    guard layerArchive.names.count > 0 else { throw PolicyError.invalid("the network has no layers") }
    var layers: [any Layer] = []
    for index in 0..<layerArchive.names.count { layers.append(try build(try layerArchive.archive(String(index)))) }
    let network = Sequential(layers)
    try NetworkArchive.load(try archive.archive("parameters"), into: network)
    let headArchive = try archive.archive("head")
    let head: PolicyHead
    switch try headArchive.string("kind") {
    case "greedy": head = .greedy(start: try headArchive.int("start"))
    case "tanh_box": head = .tanhBox(low: try headArchive.floats("low"), high: try headArchive.floats("high"))
    case "clipped_box": head = .clippedBox(low: try headArchive.floats("low"), high: try headArchive.floats("high"))
    case let other:
      throw ArchiveError.invalidValue(entry: headArchive.qualified("kind"), reason: "unknown head kind '\(other)'")
    }
    var metadata: [String: String] = [:]
    if archive.contains("metadata") {
      let entry = try archive.archive("metadata")
      for name in entry.names { metadata[name] = try entry.string(name) }
    }
    // Check the geometry before any forward pass can trap on it.
    var width = shape.reduce(1, *)
    for (index, layer) in layers.enumerated() {
      if let input = inputFeatures(of: layer), input != width {
        throw PolicyError.invalid("layer \(index) takes \(input) inputs but receives \(width)")
      }
      width = layer.outputFeatures(forInput: width)
    }
    return Parts(
      observationShape: shape, standardization: standardization, network: network, head: head, metadata: metadata)
  }

  private static func inputFeatures(of layer: any Layer) -> Int? {
    switch layer {
    case let linear as Linear: linear.inFeatures
    case let conv as Conv2d: conv.inFeatures
    case let norm as LayerNorm: norm.features
    case let block as ResidualBlock: block.features
    default: nil
    }
  }

  private static func describe(_ layer: any Layer) -> BinaryArchive {
    var entry = BinaryArchive()
    switch layer {
    case let linear as Linear:
      entry["type"] = .string("linear")
      entry["inFeatures"] = .int(linear.inFeatures)
      entry["outFeatures"] = .int(linear.outFeatures)
      entry["bias"] = .bool(linear.bias != nil)
    case let conv as Conv2d:
      entry["type"] = .string("conv2d")
      entry["inChannels"] = .int(conv.inChannels)
      entry["outChannels"] = .int(conv.outChannels)
      entry["inputHeight"] = .int(conv.inputHeight)
      entry["inputWidth"] = .int(conv.inputWidth)
      entry["kernelHeight"] = .int(conv.kernelHeight)
      entry["kernelWidth"] = .int(conv.kernelWidth)
      entry["stride"] = .int(conv.stride)
      entry["padding"] = .int(conv.padding)
      entry["bias"] = .bool(conv.bias != nil)
    case is ReLU: entry["type"] = .string("relu")
    case let leaky as LeakyReLU:
      entry["type"] = .string("leaky_relu")
      entry["negativeSlope"] = .double(Double(leaky.negativeSlope))
    case is Tanh: entry["type"] = .string("tanh")
    case is Flatten: entry["type"] = .string("flatten")
    case let norm as LayerNorm:
      entry["type"] = .string("layer_norm")
      entry["features"] = .int(norm.features)
      entry["epsilon"] = .double(Double(norm.epsilon))
      entry["affine"] = .bool(norm.isAffine)
    case let block as ResidualBlock:
      entry["type"] = .string("residual")
      entry["features"] = .int(block.features)
      entry["hidden"] = .int(block.fc1.outFeatures)
      entry["epsilon"] = .double(Double(block.norm.epsilon))
      entry["affine"] = .bool(block.norm.isAffine)
    default: preconditionFailure("Policy.init admits only supported layers, got \(type(of: layer))")
    }
    return entry
  }

  /// A layer of the described geometry with placeholder (zero, dense) parameters, which the parameter archive
  /// then replaces.
  private static func build(_ entry: BinaryArchive) throws -> any Layer {
    func positive(_ name: String) throws -> Int {
      let value = try entry.int(name)
      guard value > 0 && value <= 1 << 28 else {
        throw ArchiveError.invalidValue(entry: entry.qualified(name), reason: "must be in 1...\(1 << 28), got \(value)")
      }
      return value
    }
    func parameter(_ name: String, _ rows: Int, _ columns: Int, fill: Float = 0) -> Parameter {
      Parameter(name: name, rows: rows, columns: columns, value: .init(repeating: fill, count: rows * columns))
    }
    func linear(_ input: Int, _ output: Int, bias: Bool) -> Linear {
      Linear(weight: parameter("weight", output, input), bias: bias ? parameter("bias", output, 1) : nil)
    }
    func norm(_ features: Int) throws -> LayerNorm {
      let affine = try entry.bool("affine")
      let epsilon = Float(try entry.double("epsilon"))
      guard epsilon >= 0 else { throw ArchiveError.invalidValue(entry: entry.qualified("epsilon"), reason: "negative") }
      return LayerNorm(
        features: features, epsilon: epsilon, weight: affine ? parameter("weight", features, 1, fill: 1) : nil,
        bias: affine ? parameter("bias", features, 1) : nil)
    }
    switch try entry.string("type") {
    case "linear":
      return linear(try positive("inFeatures"), try positive("outFeatures"), bias: try entry.bool("bias"))
    case "conv2d":
      let (inChannels, outChannels) = (try positive("inChannels"), try positive("outChannels"))
      let (height, width) = (try positive("inputHeight"), try positive("inputWidth"))
      let (kh, kw, stride) = (try positive("kernelHeight"), try positive("kernelWidth"), try positive("stride"))
      let padding = try entry.int("padding")
      guard padding >= 0, height + 2 * padding >= kh, width + 2 * padding >= kw else {
        throw ArchiveError.invalidValue(entry: entry.path, reason: "kernel larger than the padded input")
      }
      return Conv2d(
        inChannels: inChannels, inputHeight: height, inputWidth: width, kernelHeight: kh, kernelWidth: kw,
        stride: stride, padding: padding, weight: parameter("weight", outChannels, inChannels * kh * kw),
        bias: try entry.bool("bias") ? parameter("bias", outChannels, 1) : nil)
    case "relu": return ReLU()
    case "leaky_relu":
      let slope = try entry.double("negativeSlope")
      guard slope >= 0 else {
        throw ArchiveError.invalidValue(entry: entry.qualified("negativeSlope"), reason: "must be non-negative")
      }
      return LeakyReLU(negativeSlope: Float(slope))
    case "tanh": return Tanh()
    case "flatten": return Flatten()
    case "layer_norm": return try norm(try positive("features"))
    case "residual":
      let (features, hidden) = (try positive("features"), try positive("hidden"))
      return ResidualBlock(
        norm: try norm(features), fc1: linear(features, hidden, bias: true), fc2: linear(hidden, features, bias: true))
    case let other:
      throw ArchiveError.invalidValue(entry: entry.qualified("type"), reason: "unknown layer type '\(other)'")
    }
  }
}
