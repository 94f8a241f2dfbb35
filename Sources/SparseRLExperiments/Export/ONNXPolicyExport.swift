import Foundation
import SparseRLNetworks
import SparseRLNumerics
import SparseRLPolicy

/// The ONNX export of a policy (opset 17, IR version 8): a graph from the raw observation `observation`
/// (`float [batch, observation size]`, images flattened channel-major) to the environment's action `action`
/// (`float [batch, action size]` for a box, `int64 [batch]` for a discrete space).
///
/// Weights are initializers: a sparse weight is a `sparse_initializer` (its active values and their linearised
/// int64 indices; ONNX Runtime densifies sparse initializers when it loads the model, so every operator accepts
/// them), a dense one a dense initializer. Layers map to `Gemm` (Linear), `Reshape` + `Conv` + `Flatten`
/// (Conv2d), `Relu`, `LeakyRelu`, `Tanh`, `LayerNormalization`, and `Add` for residual blocks; the
/// standardisation to `Sub`, `Div`, `Clip`; the heads to `ArgMax` (+ start), or `Slice`, `Tanh`, the affine map
/// and `Max`/`Min` into the box.
///
/// Field numbers are those of `onnx.proto` in the `onnx` package (1.23): ModelProto ir_version 1, producer_name 2,
/// producer_version 3, graph 7, opset_import 8; OperatorSetIdProto domain 1, version 2; GraphProto node 1, name 2,
/// initializer 5, input 11, output 12, sparse_initializer 15; NodeProto input 1, output 2, name 3, op_type 4,
/// attribute 5; AttributeProto name 1, f 2, i 3, floats 7, ints 8, type 20 (FLOAT 1, INT 2, FLOATS 6, INTS 7);
/// TensorProto dims 1, data_type 2 (FLOAT 1, INT64 7), name 8, raw_data 9; SparseTensorProto values 1, indices 2,
/// dims 3; ValueInfoProto name 1, type 2; TypeProto tensor_type 1; TypeProto.Tensor elem_type 1, shape 2;
/// TensorShapeProto dim 1; Dimension dim_value 1, dim_param 2.
public enum ONNXPolicyExport {
  /// The opset the graph uses.
  public static let opset = 17
  /// The IR version written (the one that introduced opset 17).
  public static let irVersion = 8

  /// The model's bytes.
  public static func model(_ policy: Policy, producerVersion: String = sparseRLVersion) throws -> [UInt8] {
    var graph = ONNXGraph()
    let outputType = try graph.build(policy)
    var model = ProtobufWriter()
    model.int(1, irVersion)
    model.string(2, "sparserl")
    model.string(3, producerVersion)
    model.message(7) { writer in
      for node in graph.nodes { writer.data(1, node) }
      writer.string(2, "sparserl_policy")
      for tensor in graph.initializers { writer.data(5, tensor) }
      writer.data(11, valueInfo(name: "observation", elementType: 1, dimensions: [nil, policy.observationWidth]))
      writer.data(12, valueInfo(name: "action", elementType: outputType.elementType, dimensions: outputType.dimensions))
      for tensor in graph.sparseInitializers { writer.data(15, tensor) }
    }
    model.message(8) { opset in
      opset.string(1, "")
      opset.int(2, ONNXPolicyExport.opset)
    }
    return model.bytes
  }

  /// `ValueInfoProto` of a tensor; a `nil` dimension is the symbolic `batch`.
  static func valueInfo(name: String, elementType: Int, dimensions: [Int?]) -> [UInt8] {
    var info = ProtobufWriter()
    info.string(1, name)
    info.message(2) { type in
      type.message(1) { tensor in
        tensor.int(1, elementType)
        tensor.message(2) { shape in
          for dimension in dimensions {
            shape.message(1) { dim in
              if let dimension { dim.int(1, dimension) } else { dim.string(2, "batch") }
            }
          }
        }
      }
    }
    return info.bytes
  }
}

/// An attribute value of a node.
private enum Attribute {
  case int(Int)
  case float(Float)
  case ints([Int])
}

/// The nodes and initializers of the graph being built.
private struct ONNXGraph {
  var nodes: [[UInt8]] = []
  var initializers: [[UInt8]] = []
  var sparseInitializers: [[UInt8]] = []
  private var counter = 0

  private mutating func fresh(_ base: String) -> String {
    counter += 1
    return "\(base)_\(counter)"
  }

  static func tensor(name: String, dims: [Int], floats: [Float]) -> [UInt8] {
    var tensor = ProtobufWriter()
    tensor.ints(1, dims)
    tensor.int(2, 1)
    tensor.string(8, name)
    var raw: [UInt8] = []
    raw.reserveCapacity(floats.count * 4)
    for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
    tensor.data(9, raw)
    return tensor.bytes
  }

  static func tensor(name: String, dims: [Int], int64s: [Int]) -> [UInt8] {
    var tensor = ProtobufWriter()
    tensor.ints(1, dims)
    tensor.int(2, 7)
    tensor.string(8, name)
    var raw: [UInt8] = []
    raw.reserveCapacity(int64s.count * 8)
    for value in int64s { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
    tensor.data(9, raw)
    return tensor.bytes
  }

  mutating func constant(_ base: String, dims: [Int], floats: [Float]) -> String {
    let name = fresh(base)
    initializers.append(ONNXGraph.tensor(name: name, dims: dims, floats: floats))
    return name
  }

  mutating func constant(_ base: String, dims: [Int], int64s: [Int]) -> String {
    let name = fresh(base)
    initializers.append(ONNXGraph.tensor(name: name, dims: dims, int64s: int64s))
    return name
  }

  /// A weight `[rows x columns]` as an initializer with `dims` (same element count): sparse when the
  /// parameter is.
  mutating func weight(_ base: String, _ parameter: Parameter, dims: [Int]) -> String {
    guard let pattern = parameter.pattern else { return constant(base, dims: dims, floats: parameter.value) }
    let name = fresh(base)
    var sparse = ProtobufWriter()
    sparse.data(1, ONNXGraph.tensor(name: name, dims: [parameter.value.count], floats: parameter.value))
    sparse.data(
      2, ONNXGraph.tensor(name: name + "_indices", dims: [pattern.nonzeroCount], int64s: pattern.activeIndices))
    sparse.ints(3, dims)
    sparseInitializers.append(sparse.bytes)
    return name
  }

  mutating func node(_ op: String, _ inputs: [String], _ attributes: [(String, Attribute)] = []) -> String {
    let output = fresh(op.lowercased())
    var node = ProtobufWriter()
    for input in inputs { node.string(1, input) }
    node.string(2, output)
    node.string(3, output)
    node.string(4, op)
    for (name, value) in attributes {
      node.message(5) { attribute in
        attribute.string(1, name)
        switch value {
        case .float(let f):
          attribute.float(2, f)
          attribute.int(20, 1)
        case .int(let i):
          attribute.int(3, i)
          attribute.int(20, 2)
        case .ints(let values):
          attribute.ints(8, values)
          attribute.int(20, 7)
        }
      }
    }
    nodes.append(node.bytes)
    return output
  }

  mutating func gemm(_ x: String, _ linear: Linear, _ base: String) -> String {
    let w = weight(base + "_weight", linear.weight, dims: [linear.outFeatures, linear.inFeatures])
    let b = constant(
      base + "_bias", dims: [linear.outFeatures],
      floats: linear.bias?.value ?? [Float](repeating: 0, count: linear.outFeatures))
    return node("Gemm", [x, w, b], [("transB", .int(1))])
  }

  mutating func layerNorm(_ x: String, _ norm: LayerNorm, _ base: String) -> String {
    let scale = constant(
      base + "_scale", dims: [norm.features], floats: norm.weight?.value ?? .init(repeating: 1, count: norm.features))
    let shift = constant(
      base + "_shift", dims: [norm.features], floats: norm.bias?.value ?? .init(repeating: 0, count: norm.features))
    return node("LayerNormalization", [x, scale, shift], [("axis", .int(-1)), ("epsilon", .float(norm.epsilon))])
  }

  /// Adds the policy's nodes; the last node's output is renamed `action`. Returns the output's type.
  mutating func build(_ policy: Policy) throws -> (elementType: Int, dimensions: [Int?]) {
    var x = "observation"
    let width = policy.observationWidth
    if let s = policy.standardization {
      let mean = constant("obs_mean", dims: [width], floats: s.mean.map { Float($0) })
      let std = constant("obs_std", dims: [width], floats: s.variance.map { Float(($0 + s.epsilon).squareRoot()) })
      let low = constant("obs_clip_low", dims: [], floats: [-s.clip])
      let high = constant("obs_clip_high", dims: [], floats: [s.clip])
      x = node("Clip", [node("Div", [node("Sub", [x, mean]), std]), low, high])
    }
    var isImage = false
    func flat() {
      if isImage {
        x = node("Flatten", [x], [("axis", .int(1))])
        isImage = false
      }
    }
    for (l, layer) in policy.network.layers.enumerated() {
      switch layer {
      case let linear as Linear:
        flat()
        x = gemm(x, linear, "l\(l)")
      case let conv as Conv2d:
        if !isImage {
          let shape = constant(
            "l\(l)_shape", dims: [4], int64s: [-1, conv.inChannels, conv.inputHeight, conv.inputWidth])
          x = node("Reshape", [x, shape])
        }
        let w = weight(
          "l\(l)_weight", conv.weight, dims: [conv.outChannels, conv.inChannels, conv.kernelHeight, conv.kernelWidth])
        let b = constant(
          "l\(l)_bias", dims: [conv.outChannels],
          floats: conv.bias?.value ?? [Float](repeating: 0, count: conv.outChannels))
        x = node(
          "Conv", [x, w, b],
          [
            ("kernel_shape", .ints([conv.kernelHeight, conv.kernelWidth])),
            ("strides", .ints([conv.stride, conv.stride])),
            ("pads", .ints([conv.padding, conv.padding, conv.padding, conv.padding])),
          ])
        isImage = true
      case is ReLU: x = node("Relu", [x])
      case let leaky as LeakyReLU: x = node("LeakyRelu", [x], [("alpha", .float(leaky.negativeSlope))])
      case is Tanh: x = node("Tanh", [x])
      case is Flatten: flat()
      case let norm as LayerNorm:
        flat()
        x = layerNorm(x, norm, "l\(l)")
      case let block as ResidualBlock:
        flat()
        var h = layerNorm(x, block.norm, "l\(l)_norm")
        h = gemm(h, block.fc1, "l\(l)_fc1")
        h = node("Relu", [h])
        h = gemm(h, block.fc2, "l\(l)_fc2")
        x = node("Add", [x, h])
      default:
        throw ExportError.unsupported(format: "onnx", reason: "layer \(l) (\(type(of: layer))) is not supported")
      }
    }
    flat()
    let type: (elementType: Int, dimensions: [Int?])
    switch policy.head {
    case .greedy(let start):
      x = node("ArgMax", [x], [("axis", .int(1)), ("keepdims", .int(0)), ("select_last_index", .int(0))])
      x = node("Add", [x, constant("action_start", dims: [], int64s: [start])])
      type = (7, [nil])
    case .tanhBox(let low, let high):
      x = node("Tanh", [slice(x, width: low.count, outputs: policy.outputs)])
      let one = constant("one", dims: [], floats: [1])
      let half = constant(
        "half_range", dims: [low.count], floats: zip(low, high).map { Float((Double($1) - Double($0)) / 2) })
      x = node("Add", [node("Mul", [node("Add", [x, one]), half]), constant("low", dims: [low.count], floats: low)])
      x = box(x, low: low, high: high)
      type = (1, [nil, low.count])
    case .clippedBox(let low, let high):
      x = box(slice(x, width: low.count, outputs: policy.outputs), low: low, high: high)
      type = (1, [nil, low.count])
    }
    // Name the final output `action`: an Identity keeps the node list simple.
    var identity = ProtobufWriter()
    identity.string(1, x)
    identity.string(2, "action")
    identity.string(3, "action")
    identity.string(4, "Identity")
    nodes.append(identity.bytes)
    return type
  }

  private mutating func slice(_ x: String, width: Int, outputs: Int) -> String {
    guard width < outputs else { return x }
    return node(
      "Slice",
      [
        x, constant("slice_start", dims: [1], int64s: [0]), constant("slice_end", dims: [1], int64s: [width]),
        constant("slice_axis", dims: [1], int64s: [1]),
      ])
  }

  private mutating func box(_ x: String, low: [Float], high: [Float]) -> String {
    let lower = node("Max", [x, constant("box_low", dims: [low.count], floats: low)])
    return node("Min", [lower, constant("box_high", dims: [high.count], floats: high)])
  }
}
