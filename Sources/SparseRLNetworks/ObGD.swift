import SparseRLNumerics

/// The overshooting-bounded gradient descent of streaming RL (Elsayed, Vasan & Mahmood 2024, "Streaming Deep
/// Reinforcement Learning Finally Works"), with an accumulating eligibility trace per element.
///
/// Each `step(delta:)` takes the current parameter gradients `g` (the gradient of the predicted value, not of a
/// loss) and applies
///
///     z <- gamma * lambda * z + g
///     deltaBar = max(|delta|, 1)
///     M = alpha * kappa * deltaBar * ||z||_1         (summed over all parameters)
///     alpha' = M > 1 ? alpha / M : alpha
///     theta <- theta + alpha' * delta * z
///
/// and, with `resetTraces`, zeroes the traces after the update (episode end; after a non-greedy action in
/// Q(lambda)). Only stored entries exist, so the inactive weights of a sparse parameter stay exactly zero.
/// State key: `"trace"`, saved with the parameters (`NetworkArchive`).
public final class ObGD {
  /// The parameters updated by `step`.
  public let parameters: [Parameter]
  /// The step size alpha (1 in the paper).
  public var learningRate: Float
  /// Discount gamma of the trace decay.
  public let gamma: Float
  /// Trace decay lambda.
  public let lambda: Float
  /// The overshooting bound kappa (2 for values, 3 for the policy in the paper).
  public let kappa: Float
  /// Number of `step` calls so far.
  public private(set) var stepCount = 0

  /// ObGD over `parameters`.
  public init(
    parameters: [Parameter], learningRate: Float = 1, gamma: Float = 0.99, lambda: Float = 0.8, kappa: Float = 2
  ) {
    precondition(learningRate > 0 && kappa > 0, "ObGD: learning rate and kappa must be positive")
    precondition((0...1).contains(gamma) && (0...1).contains(lambda), "ObGD: gamma and lambda must be in [0, 1]")
    self.parameters = parameters
    self.learningRate = learningRate
    self.gamma = gamma
    self.lambda = lambda
    self.kappa = kappa
  }

  /// The trace of `parameter` (zeros before the first step), same layout as its value.
  public func trace(of parameter: Parameter) -> [Float] {
    if let slot = parameter.optimizerState["trace"], slot.count == parameter.activeCount { return slot }
    return [Float](repeating: 0, count: parameter.activeCount)
  }

  /// One update with TD error `delta` from the current gradients; returns the step size alpha' it used.
  /// Cost O(stored entries).
  @discardableResult
  public func step(delta: Float, resetTraces: Bool) -> Float {
    stepCount += 1
    let decay = gamma * lambda
    var traceL1 = 0.0
    var traces: [[Float]] = []
    traces.reserveCapacity(parameters.count)
    for parameter in parameters {
      var z = parameter.optimizerState.removeValue(forKey: "trace") ?? []
      if z.count != parameter.activeCount { z = [Float](repeating: 0, count: parameter.activeCount) }
      z.withUnsafeMutableBufferPointer { z in
        parameter.gradient.withUnsafeBufferPointer { g in
          var sum: Float = 0
          for i in 0..<z.count {
            z[i] = decay * z[i] + g[i]
            sum += abs(z[i])
          }
          traceL1 += Double(sum)
        }
      }
      traces.append(z)
    }
    let deltaBar = max(Double(abs(delta)), 1)
    let bound = Double(learningRate) * Double(kappa) * deltaBar * traceL1
    let stepSize = bound > 1 ? Float(Double(learningRate) / bound) : learningRate
    let scale = stepSize * delta
    for (parameter, z) in zip(parameters, traces) {
      z.withUnsafeBufferPointer { z in
        parameter.value.withUnsafeMutableBufferPointer { p in
          for i in 0..<p.count { p[i] += scale * z[i] }
        }
      }
      parameter.optimizerState["trace"] = resetTraces ? [Float](repeating: 0, count: z.count) : z
    }
    return stepSize
  }

  /// Zeroes every trace.
  public func resetTraces() {
    for parameter in parameters {
      parameter.optimizerState["trace"] = [Float](repeating: 0, count: parameter.activeCount)
    }
  }

  /// The step count and hyper-parameters (the traces are saved with the parameters).
  public func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["kind"] = .string("ObGD")
    archive["step"] = .int(stepCount)
    archive["learningRate"] = .double(Double(learningRate))
    return archive
  }

  /// Restores what `archive()` saved.
  public func load(from archive: BinaryArchive) throws {
    let kind = try archive.string("kind")
    guard kind == "ObGD" else {
      throw ArchiveError.invalidValue(entry: archive.qualified("kind"), reason: "saved by \(kind), loading into ObGD")
    }
    let step = try archive.int("step")
    guard step >= 0 else {
      throw ArchiveError.invalidValue(entry: archive.qualified("step"), reason: "negative step \(step)")
    }
    let rate = try archive.double("learningRate")
    stepCount = step
    learningRate = Float(rate)
  }
}
