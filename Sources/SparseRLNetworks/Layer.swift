import SparseRLNumerics

/// A network layer with explicit forward and backward passes on feature-major activations
/// (`[features x batch]`, see `Matrix`).
///
/// `forward` remembers what `backward` needs; `backward` must follow the `forward` whose gradient it
/// propagates. `backward` returns the gradient with respect to the input (actor losses flow through a critic)
/// and, when `accumulateParameterGradients` is true, adds parameter gradients into each `Parameter.gradient`.
public protocol Layer: AnyObject {
  /// Output features for a given number of input features (shape inference; traps on a mismatch).
  func outputFeatures(forInput inputFeatures: Int) -> Int
  /// Computes the output for a batch.
  func forward(_ input: Matrix) -> Matrix
  /// Propagates `outputGradient` back to the input of the last `forward`.
  func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix
  /// The trainable parameters of this layer (and of its sublayers), with names unique within the layer.
  var parameters: [Parameter] { get }
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
