import SparseRLSparsity

/// The sparse-training methods a network can use.
public enum SparsityMethod: String, ConfigChoice {
  /// All weights active, never pruned.
  case dense
  /// A random mask drawn once before training (one-shot random pruning).
  case `static`
  /// Drop smallest-magnitude, grow uniformly at random, every ΔT updates.
  case set
  /// Drop smallest-magnitude, grow largest dense-gradient magnitude, every ΔT updates.
  case rigl
  /// Gradual magnitude pruning from dense (Zhu & Gupta cubic schedule).
  case pruning
}

extension SparsityDistribution: ConfigChoice {}
extension DropFractionDecay: ConfigChoice {}
extension GrownMomentPolicy: ConfigChoice {}
extension InitialMask: ConfigChoice {}

/// How the values of newly grown weights are chosen.
public enum GrownWeightChoice: String, ConfigChoice {
  /// Zero (RigL, SET and RLx2).
  case zero
  /// Drawn from the sparsity-aware uniform distribution.
  case sparsityAware = "sparsity_aware"
}

/// How one network of an agent is made sparse and how its topology evolves. Step counts are in gradient
/// updates of this network (a TD3 actor updated every second step counts half as many as its critics).
public struct NetworkSparsity: Codable, Equatable, Sendable, ConfigValidatable {
  /// The method.
  public var method = SparsityMethod.dense
  /// Target sparsity over the network's weight matrices (biases and normalisation parameters stay dense).
  public var sparsity = 0.0
  /// Per-layer allocation of the target.
  public var distribution = SparsityDistribution.erdosRenyiKernel
  /// Keep the first layer dense (uniform distribution only, as in the papers' option).
  public var firstLayerDense = false
  /// ΔT: topology updates every this many updates (SET, RigL).
  public var updateInterval = 1000
  /// Initial drop fraction f0 (SET, RigL).
  public var dropFraction = 0.5
  /// Decay of the drop fraction over training.
  public var dropFractionDecay = DropFractionDecay.cosine
  /// Topology updates stop after this fraction of the network's updates (T_end).
  public var updateEndFraction = 1.0
  /// Values of grown weights.
  public var grownWeights = GrownWeightChoice.zero
  /// Adam moments of grown weights (`reset`, as RigL; `keep` approximates the RLx2 public code).
  public var grownMoments = GrownMomentPolicy.reset
  /// RigL: grown weights take the topology-update iteration's dense gradient (RigL's code), so that
  /// iteration's optimizer step already moves them; `false` (SparseRL's default) leaves them at zero gradient
  /// until the next update.
  public var denseGradientForGrownWeights = false
  /// How the initial mask is drawn (`random`, or `largest_magnitude` of the initial weights as the RLx2 code).
  public var initialMask = InitialMask.random
  /// Redraw active weights from the sparsity-aware initialisation after the mask is set.
  public var sparsityAwareInit = false
  /// Gradual pruning: begin, end (fractions of the network's updates) and frequency (updates).
  public var pruningBeginFraction = 0.2
  /// Gradual pruning: the fraction of the network's updates at which the final sparsity is reached.
  public var pruningEndFraction = 0.8
  /// Gradual pruning: updates between pruning steps.
  public var pruningFrequency = 1000
  /// Skip the optimizer step of an update on which the topology changed (the RLx2 public code does).
  public var skipOptimizerStepOnTopologyUpdate = false

  /// A dense network (method `dense`, sparsity 0) with the other settings at their defaults.
  public init() {}

  /// A method at a sparsity with the other settings at their defaults.
  public init(method: SparsityMethod, sparsity: Double) {
    self.method = method
    self.sparsity = sparsity
  }

  public func validate(path: String, issues: inout [ConfigIssue]) {
    check((0..<1).contains(sparsity), path, "sparsity", "must be in [0, 1), got \(sparsity)", &issues)
    check(
      method != .dense || sparsity == 0, path, "sparsity",
      "must be 0 with method dense (got \(sparsity)); choose static, set, rigl or pruning", &issues)
    check(updateInterval > 0, path, "update_interval", "must be positive, got \(updateInterval)", &issues)
    check((0...1).contains(dropFraction), path, "drop_fraction", "must be in [0, 1], got \(dropFraction)", &issues)
    check(
      updateEndFraction > 0 && updateEndFraction <= 1, path, "update_end_fraction",
      "must be in (0, 1], got \(updateEndFraction)", &issues)
    check(
      pruningBeginFraction >= 0 && pruningBeginFraction < pruningEndFraction && pruningEndFraction <= 1, path,
      "pruning_end_fraction",
      "pruning needs 0 <= pruning_begin_fraction < pruning_end_fraction <= 1, got \(pruningBeginFraction) and \(pruningEndFraction)",
      &issues)
    check(pruningFrequency > 0, path, "pruning_frequency", "must be positive, got \(pruningFrequency)", &issues)
  }

  /// Whether the network starts sparse or becomes sparse.
  public var isSparse: Bool { method != .dense && sparsity > 0 }
}
