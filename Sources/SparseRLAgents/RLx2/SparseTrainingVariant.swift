/// RLx2 and the baselines of its paper, as configurations of TD3 and SAC (Tan et al., ICLR 2023).
public enum SparseTrainingVariant: String, ConfigChoice {
  /// The dense agent as published.
  case dense
  /// Tiny: a dense agent whose hidden widths are scaled so that each network has (about) the active weight
  /// count of the sparse one.
  case tiny
  /// SS: a static sparse mask (ER allocation).
  case `static`
  /// SET: drop by magnitude, grow at random, every 10,000 updates (zeta0 0.5, cosine decay).
  case set
  /// RigL: drop by magnitude, grow by dense-gradient magnitude, every 10,000 updates (RLx2 without its
  /// value-learning parts).
  case rigl
  /// RLx2: RigL with the largest-magnitude initial mask, the delayed 3-step target (after 300,000 updates)
  /// and the dynamic-capacity buffer.
  case rlx2
}

extension OffPolicyConfig {
  /// This configuration turned into `variant` at the given actor and critic sparsities (ignored for `dense`).
  /// `observationWidth` and `actionWidth` size Tiny's networks. Everything not named by the variant is kept,
  /// so a configuration names only what differs from the published defaults.
  ///
  /// As in the authors' code (tyq1024/RLx2), every sparse variant (SS, SET, RigL, RLx2) starts from the
  /// largest-magnitude mask of the initial weights (the paper's text describes random masks for the
  /// baselines), and the dynamic buffer's warm-up transitions store the random action actually taken.
  public func variant(
    _ variant: SparseTrainingVariant, actorSparsity: Double, criticSparsity: Double, observationWidth: Int,
    actionWidth: Int
  ) -> Self {
    var result = self
    func sparse(_ method: SparsityMethod, _ level: Double) -> NetworkSparsity {
      var settings = NetworkSparsity(method: method, sparsity: level)
      settings.distribution = .erdosRenyi
      settings.updateInterval = 10_000
      settings.dropFraction = 0.5
      settings.dropFractionDecay = .cosine
      settings.initialMask = .largestMagnitude
      return settings
    }
    switch variant {
    case .dense:
      break
    case .tiny:
      result.actor.widthMultiplier = Self.tinyWidthMultiplier(
        hiddenSizes: self.actor.hiddenSizes, inputs: observationWidth,
        outputs: Algorithm.actorOutputsPerAction * actionWidth,
        density: 1 - actorSparsity)
      result.critic.widthMultiplier = Self.tinyWidthMultiplier(
        hiddenSizes: self.critic.hiddenSizes, inputs: observationWidth + actionWidth, outputs: 1,
        density: 1 - criticSparsity)
    case .static, .set, .rigl, .rlx2:
      let method: SparsityMethod = variant == .static ? .static : (variant == .set ? .set : .rigl)
      result.actorSparsity = sparse(method, actorSparsity)
      result.criticSparsity = sparse(method, criticSparsity)
    }
    if variant == .rlx2 {
      result.nStep = 3
      result.nStepDelay = 300_000
      result.replay.dynamicCapacity = true
    }
    result.replay.warmupStoredAction = .taken
    return result
  }

  /// The width multiplier that gives a dense MLP with `hiddenSizes` about `density` times its weight count
  /// (biases ignored, as the paper counts): solves `W(m) = density * W(1)` by bisection, where
  /// `W(m) = inputs h1 m + h1 h2 m^2 + ... + h_L m outputs`.
  public static func tinyWidthMultiplier(hiddenSizes: [Int], inputs: Int, outputs: Int, density: Double) -> Double {
    func weights(_ m: Double) -> Double {
      let widths = [Double(inputs)] + hiddenSizes.map { Double($0) * m } + [Double(outputs)]
      return zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let goal = density * weights(1)
    var (low, high) = (0.0, 1.0)
    for _ in 0..<60 {
      let middle = (low + high) / 2
      if weights(middle) < goal { low = middle } else { high = middle }
    }
    return (low + high) / 2
  }
}
