import SparseRLNumerics

/// A network layer with explicit forward and backward passes on feature-major activations
/// (`[features x batch]`, see `Matrix`).
///
/// `forward` remembers what `backward` needs; `backward` must follow the `forward` whose gradient it
/// propagates. `backward` returns the gradient with respect to the input (actor losses flow through a critic)
/// and, when `accumulateParameterGradients` is true, adds parameter gradients into each `Parameter.gradient`.
///
/// Buffers: a layer owns its output and input-gradient matrices and reuses them while the batch size stays the
/// same, so a training loop does not allocate. The returned matrices share storage with those buffers until the
/// next call writes them; keep a returned matrix past the next call only if you accept the copy that causes.
public protocol Layer: AnyObject {
  /// Output features for a given number of input features (shape inference; traps on a mismatch).
  func outputFeatures(forInput inputFeatures: Int) -> Int
  /// Computes the output for a batch.
  func forward(_ input: Matrix) -> Matrix
  /// Propagates `outputGradient` back to the input of the last `forward`.
  func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix
  /// The trainable parameters of this layer (and of its sublayers), in `namedParameters` order.
  var parameters: [Parameter] { get }
  /// The parameters this layer owns directly, by local name (`weight`, `bias`), excluding sublayers'.
  var localParameters: [(name: String, parameter: Parameter)] { get }
  /// The direct sublayers that hold parameters, by local name (`0`, `1`, `fc1`, ...).
  var namedChildren: [(name: String, layer: any Layer)] { get }
  /// A deep copy: same architecture and parameters (values, patterns, gradients, optimizer state), sharing no
  /// state with this layer. Used for target networks.
  func copy() -> Self
}

/// A layer whose weight can be sparse and whose topology a sparse-training method may change
/// (sparse `Linear` and `Conv2d`).
public protocol MaskableLayer: Layer {
  /// The weight: `[out x in]` for Linear, `[outChannels x inChannels * kh * kw]` for Conv2d.
  var weight: Parameter { get }
  /// How many times each weight is applied per sample in a forward pass (1 for Linear, the number of output
  /// positions for Conv2d); used for FLOP accounting.
  var weightUsesPerSample: Int { get }
  /// The dense gradient of the loss with respect to every entry of the weight (active or not), from the inputs
  /// and output gradients of the last forward/backward pair. Only RigL's grow step needs it.
  func denseWeightGradient() -> Matrix
  /// Called after `weight.setPattern`, so the layer can rebuild anything derived from the pattern.
  func weightPatternDidChange()
}

extension Layer {
  /// No sublayers.
  public var namedChildren: [(name: String, layer: any Layer)] { [] }

  /// For a layer that implements `parameters` itself (and has no `namedChildren`): its parameters under their
  /// local names (`Parameter.localName`). A conforming type must implement `parameters` or `localParameters` (every layer of this module
  /// implements `localParameters`).
  public var localParameters: [(name: String, parameter: Parameter)] { parameters.map { ($0.localName, $0) } }

  /// Layers defined outside this module that do not implement `copy()` cannot be copied; calling it traps
  /// with a message naming the type. Every layer of this module implements it.
  public func copy() -> Self {
    preconditionFailure("\(Self.self) does not implement copy(); target networks need it")
  }

  /// Every parameter of this layer and its sublayers, with dotted paths relative to this layer
  /// (`0.weight`, `1.fc1.bias`).
  public var namedParameters: [(name: String, parameter: Parameter)] {
    var result = localParameters
    for (childName, child) in namedChildren {
      for (name, parameter) in child.namedParameters { result.append((childName + "." + name, parameter)) }
    }
    return result
  }

  /// The trainable parameters, in `namedParameters` order (built without composing names).
  public var parameters: [Parameter] {
    var result = localParameters.map(\.parameter)
    for (_, child) in namedChildren { result += child.parameters }
    return result
  }

  /// The parameter at a dotted path (`0.weight`), or `nil`.
  public func parameter(named name: String) -> Parameter? {
    namedParameters.first { $0.name == name }?.parameter
  }

  /// The sparsity pattern of the parameter at a dotted path: `nil` if it is dense or absent.
  public func pattern(named name: String) -> SparsePattern? { parameter(named: name)?.pattern }

  /// The dense row-major mask of the parameter at a dotted path (all true for a dense one), or `nil` if absent.
  public func mask(named name: String) -> [Bool]? { parameter(named: name)?.mask }

  /// Every maskable layer (sparse-capable `Linear` and `Conv2d`) of this layer and its sublayers, with its
  /// dotted path (`""` for this layer itself), in `namedParameters` order.
  public var maskableLayers: [(name: String, layer: any MaskableLayer)] {
    var result: [(name: String, layer: any MaskableLayer)] = []
    if let maskable = self as? any MaskableLayer { result.append(("", maskable)) }
    for (childName, child) in namedChildren {
      for (name, layer) in child.maskableLayers {
        result.append((name.isEmpty ? childName : childName + "." + name, layer))
      }
    }
    return result
  }

  /// Total number of stored (active) parameter entries.
  public var activeParameterCount: Int { parameters.reduce(0) { $0 + $1.activeCount } }

  /// Adds the parameter gradients of `outputGradient` (the backward pass of a parameter update, whose input
  /// gradient nobody reads): a `Sequential` skips its first `Linear`'s input gradient, any other layer runs
  /// `backward(outputGradient, accumulateParameterGradients: true)`.
  public func accumulateParameterGradients(from outputGradient: Matrix) {
    if let sequential = self as? Sequential {
      sequential.accumulateParameterGradients(outputGradient)
    } else {
      _ = backward(outputGradient, accumulateParameterGradients: true)
    }
  }

  /// Sets every parameter gradient to zero.
  public func zeroGradients() {
    Profiler.measure("zero gradients") {
      for parameter in parameters { parameter.zeroGradient() }
    }
  }

  /// Renames every parameter to its dotted path relative to this layer (see `Parameter.name`).
  func assignParameterNames() {
    for (name, parameter) in namedParameters { parameter.name = name }
  }
}
