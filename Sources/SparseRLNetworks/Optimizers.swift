import SparseRLNumerics

/// A first-order optimizer over a fixed list of `Parameter`s.
///
/// Updates touch only stored entries, so the inactive weights of a sparse parameter, and their moments, stay
/// exactly zero by construction. Per-element state lives in `Parameter.optimizerState` (keys listed on each
/// optimizer) and is remapped by `Parameter.setPattern` (newly grown entries start from zero state). The
/// step count and hyper-parameters live in the optimizer and are saved by `archive()`.
public protocol Optimizer: AnyObject {
  /// The parameters updated by `step()`.
  var parameters: [Parameter] { get }
  /// The step size; may be changed between steps (annealing).
  var learningRate: Float { get set }
  /// Number of `step()` calls so far (Adam's bias correction uses it).
  var stepCount: Int { get }
  /// Applies one update from the current gradients (gradients are not cleared).
  func step()
  /// The step count and hyper-parameters (per-element state is saved with the parameters).
  func archive() -> BinaryArchive
  /// Restores what `archive()` saved; throws if it was saved by another kind of optimizer.
  func load(from archive: BinaryArchive) throws
}

extension Optimizer {
  /// Sets the gradients of all parameters to zero.
  public func zeroGradients() {
    for parameter in parameters { parameter.zeroGradient() }
  }
}

/// Removes a state slot for in-place use, creating it (zeros) if missing or of the wrong length.
private func takeSlot(_ key: String, of parameter: Parameter) -> [Float] {
  if let slot = parameter.optimizerState.removeValue(forKey: key), slot.count == parameter.activeCount { return slot }
  return [Float](repeating: 0, count: parameter.activeCount)
}

private func checkKind(_ archive: BinaryArchive, _ kind: String) throws {
  let found = try archive.string("kind")
  guard found == kind else {
    throw ArchiveError.invalidValue(entry: archive.qualified("kind"), reason: "saved by \(found), loading into \(kind)")
  }
}

/// Adam (Kingma & Ba) with PyTorch's update: `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
/// `p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`. With `weightDecay > 0` it adds
/// `weightDecay * p` to the gradient first (coupled L2, PyTorch `Adam(weight_decay:)`); for decoupled decay use
/// `AdamW`. State keys: `"m"` (first moment), `"v"` (second moment).
public final class Adam: Optimizer {
  public let parameters: [Parameter]
  public var learningRate: Float
  /// Decay of the first moment (0.9).
  public var beta1: Float
  /// Decay of the second moment (0.999).
  public var beta2: Float
  /// Added to the denominator (1e-8).
  public var epsilon: Float
  /// Coupled L2 coefficient added to the gradient (0).
  public var weightDecay: Float
  public private(set) var stepCount = 0
  /// Whether the decay is decoupled (AdamW).
  let decoupled: Bool

  /// Adam over `parameters`.
  public convenience init(
    parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 0
  ) {
    self.init(
      parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
      weightDecay: weightDecay, decoupled: false)
  }

  init(
    parameters: [Parameter], learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
    decoupled: Bool
  ) {
    precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "Adam: negative hyper-parameter")
    precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1)")
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupled = decoupled
  }

  var kind: String { decoupled ? "AdamW" : "Adam" }

  public func step() { Profiler.measure("optimizer") { adamStep() } }

  private func adamStep() {
    stepCount += 1
    let t = Double(stepCount)
    let correction1 = 1 - pow(Double(beta1), t)
    let correction2 = 1 - pow(Double(beta2), t)
    let stepSize = Float(Double(learningRate) / correction1)
    let correction2Root = Float(correction2.squareRoot())
    // Decoupled decay shrinks the weight first; coupled decay adds l2 * p to the gradient.
    let update = UpdateKernels.AdamStep(
      beta1: beta1, beta2: beta2, stepSize: stepSize, inverseCorrection2Root: 1 / correction2Root, epsilon: epsilon,
      shrink: decoupled ? 1 - learningRate * weightDecay : 1, l2: decoupled ? 0 : weightDecay)
    for parameter in parameters {
      var m = takeSlot("m", of: parameter)
      var v = takeSlot("v", of: parameter)
      m.withUnsafeMutableBufferPointer { m in
        v.withUnsafeMutableBufferPointer { v in
          parameter.gradient.withUnsafeBufferPointer { g in
            parameter.value.withUnsafeMutableBufferPointer { p in
              UpdateKernels.adam(update, values: p, gradients: g, firstMoments: m, secondMoments: v)
            }
          }
        }
      }
      parameter.optimizerState["m"] = m
      parameter.optimizerState["v"] = v
    }
  }

  public func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["kind"] = .string(kind)
    archive["step"] = .int(stepCount)
    archive["learning_rate"] = .double(Double(learningRate))
    archive["beta1"] = .double(Double(beta1))
    archive["beta2"] = .double(Double(beta2))
    archive["epsilon"] = .double(Double(epsilon))
    archive["weight_decay"] = .double(Double(weightDecay))
    return archive
  }

  public func load(from archive: BinaryArchive) throws {
    try checkKind(archive, kind)
    let step = try archive.int("step")
    guard step >= 0 else {
      throw ArchiveError.invalidValue(entry: archive.qualified("step"), reason: "negative step \(step)")
    }
    let values = try ["learning_rate", "beta1", "beta2", "epsilon", "weight_decay"].map {
      Float(try archive.double($0))
    }
    stepCount = step
    (learningRate, beta1, beta2, epsilon, weightDecay) = (values[0], values[1], values[2], values[3], values[4])
  }
}

/// AdamW (Loshchilov & Hutter), PyTorch's update: `p *= 1 - lr * weightDecay`, then the Adam step without decay
/// in the gradient. Decay touches stored entries only. State keys: `"m"`, `"v"`.
public final class AdamW: Optimizer {
  private let adam: Adam

  /// AdamW over `parameters` (PyTorch defaults: weight decay 0.01).
  public init(
    parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 0.01
  ) {
    adam = Adam(
      parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
      weightDecay: weightDecay, decoupled: true)
  }

  public var parameters: [Parameter] { adam.parameters }
  public var learningRate: Float {
    get { adam.learningRate }
    set { adam.learningRate = newValue }
  }
  /// The decoupled weight-decay coefficient.
  public var weightDecay: Float {
    get { adam.weightDecay }
    set { adam.weightDecay = newValue }
  }
  /// Decay of the first moment.
  public var beta1: Float { adam.beta1 }
  /// Decay of the second moment.
  public var beta2: Float { adam.beta2 }
  /// Added to the denominator.
  public var epsilon: Float { adam.epsilon }
  public var stepCount: Int { adam.stepCount }
  public func step() { adam.step() }
  public func archive() -> BinaryArchive { adam.archive() }
  public func load(from archive: BinaryArchive) throws { try adam.load(from: archive) }
}

/// Stochastic gradient descent, PyTorch's update: `g += weightDecay * p`; with momentum `mu > 0`,
/// `buf = mu * buf + g` (zero initial buffer, which equals PyTorch's `buf = g` on the first step) and
/// `g = nesterov ? g + mu * buf : buf`; then `p -= lr * g`. State key: `"momentum"` (only when `mu > 0`).
public final class SGD: Optimizer {
  public let parameters: [Parameter]
  public var learningRate: Float
  /// Momentum coefficient (0: plain SGD).
  public var momentum: Float
  /// Coupled L2 coefficient.
  public var weightDecay: Float
  /// Nesterov momentum.
  public var nesterov: Bool
  public private(set) var stepCount = 0

  /// SGD over `parameters`.
  public init(
    parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
  ) {
    precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: negative hyper-parameter")
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.nesterov = nesterov
  }

  public func step() {
    stepCount += 1
    let (lr, mu, wd, nesterov) = (learningRate, momentum, weightDecay, nesterov)
    for parameter in parameters {
      var buffer = mu > 0 ? takeSlot("momentum", of: parameter) : []
      buffer.withUnsafeMutableBufferPointer { buf in
        parameter.gradient.withUnsafeBufferPointer { g in
          parameter.value.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count {
              var d = g[i] + wd * p[i]
              if mu > 0 {
                buf[i] = mu * buf[i] + d
                d = nesterov ? d + mu * buf[i] : buf[i]
              }
              p[i] -= lr * d
            }
          }
        }
      }
      if mu > 0 { parameter.optimizerState["momentum"] = buffer }
    }
  }

  public func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["kind"] = .string("SGD")
    archive["step"] = .int(stepCount)
    archive["learning_rate"] = .double(Double(learningRate))
    archive["momentum"] = .double(Double(momentum))
    archive["weight_decay"] = .double(Double(weightDecay))
    archive["nesterov"] = .bool(nesterov)
    return archive
  }

  public func load(from archive: BinaryArchive) throws {
    try checkKind(archive, "SGD")
    let step = try archive.int("step")
    guard step >= 0 else {
      throw ArchiveError.invalidValue(entry: archive.qualified("step"), reason: "negative step \(step)")
    }
    let values = try ["learning_rate", "momentum", "weight_decay"].map { Float(try archive.double($0)) }
    let nesterov = try archive.bool("nesterov")
    stepCount = step
    (learningRate, momentum, weightDecay) = (values[0], values[1], values[2])
    self.nesterov = nesterov
  }
}

/// Gradient clipping by the global norm over a set of parameters (PyTorch's `clip_grad_norm_`).
public enum GradientClipping {
  /// The L2 norm of all stored gradients together (accumulated in `Double`).
  public static func globalNorm(_ parameters: [Parameter]) -> Float {
    var sum = 0.0
    for parameter in parameters {
      parameter.gradient.withUnsafeBufferPointer { g in
        for x in g { sum += Double(x) * Double(x) }
      }
    }
    return Float(sum.squareRoot())
  }

  /// Scales all gradients by `maxNorm / (norm + 1e-6)` when the global norm exceeds `maxNorm`; returns the
  /// norm before clipping.
  @discardableResult
  public static func clipGlobalNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGlobalNorm: maxNorm must be positive, got \(maxNorm)")
    let norm = globalNorm(parameters)
    guard norm > maxNorm else { return norm }
    let scale = maxNorm / (norm + 1e-6)
    for parameter in parameters {
      parameter.gradient.withUnsafeMutableBufferPointer { g in
        for i in 0..<g.count { g[i] *= scale }
      }
    }
    return norm
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
