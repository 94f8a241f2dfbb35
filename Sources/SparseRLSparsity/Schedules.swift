import Foundation

/// How the drop fraction of SET and RigL decays over training.
public enum DropFractionDecay: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
  /// `f_t = f0 * 0.5 * (1 + cos(pi * min(t, T_end) / T_end))` (RigL, RLx2).
  case cosine
  /// `f_t = f0` (the original SET).
  case constant
}

/// When SET and RigL change the topology and how much of it: an update at every step `t` (the number of gradient
/// updates this network has received, counted from 1) with `t > 0`, `t % updateInterval == 0` and `t <= endStep`,
/// dropping the fraction `dropFraction(at: t)` of each layer's active weights.
public struct DropGrowSchedule: Equatable, Hashable, Sendable, Codable {
  /// ΔT: updates between topology changes.
  public var updateInterval: Int
  /// f0: the drop fraction at step 0.
  public var initialDropFraction: Double
  /// T_end: no topology change after this step; the cosine reaches 0 here.
  public var endStep: Int
  /// The decay of the drop fraction.
  public var decay: DropFractionDecay

  /// A schedule; `validate()` checks the ranges.
  public init(
    updateInterval: Int, initialDropFraction: Double, endStep: Int,
    decay: DropFractionDecay = .cosine
  ) {
    self.updateInterval = updateInterval
    self.initialDropFraction = initialDropFraction
    self.endStep = endStep
    self.decay = decay
  }

  /// Checks `updateInterval > 0`, `endStep > 0` and `0 <= initialDropFraction <= 1`.
  public func validate() throws(SparsityError) {
    guard updateInterval > 0 else {
      throw .invalidSetting("update interval \(updateInterval) must be positive")
    }
    guard endStep > 0 else { throw .invalidSetting("end step \(endStep) must be positive") }
    guard initialDropFraction >= 0 && initialDropFraction <= 1 else {
      throw .invalidSetting("initial drop fraction \(initialDropFraction) must be in [0, 1]")
    }
  }

  /// Whether the topology changes at step `t`.
  public func isUpdateStep(_ t: Int) -> Bool { t > 0 && t % updateInterval == 0 && t <= endStep }

  /// The drop fraction `f_t`.
  public func dropFraction(at t: Int) -> Double {
    switch decay {
    case .constant: return initialDropFraction
    case .cosine:
      let progress = Double(min(max(t, 0), endStep)) / Double(endStep)
      return initialDropFraction * 0.5 * (1 + cos(Double.pi * progress))
    }
  }

  /// `k = floor(f_t * n_active)`: the number of weights to drop (and grow) in a layer with `activeCount` active.
  public func dropCount(at t: Int, activeCount: Int) -> Int {
    Int((dropFraction(at: t) * Double(activeCount)).rounded(.down))
  }
}

/// Zhu & Gupta's gradual pruning schedule: `s_t = s_f + (s_i - s_f) * (1 - p)^3`,
/// `p = clip((t - beginStep) / (endStep - beginStep), 0, 1)`, with a pruning step at every `t` in
/// `[beginStep, endStep]` where `(t - beginStep) % frequency == 0`, and always at `endStep` itself, so the final
/// sparsity is reached exactly at the end step (the TF pruning library prunes only at aligned steps; align
/// `endStep` to make the two identical).
public struct CubicPruningSchedule: Equatable, Hashable, Sendable, Codable {
  /// The first pruning step (usually 20% of training).
  public var beginStep: Int
  /// The last pruning step (usually 80% of training).
  public var endStep: Int
  /// Updates between pruning steps.
  public var frequency: Int
  /// `s_i`, the sparsity at `beginStep` (0 in the papers).
  public var initialSparsity: Double

  /// A schedule; `validate()` checks the ranges.
  public init(beginStep: Int, endStep: Int, frequency: Int, initialSparsity: Double = 0) {
    self.beginStep = beginStep
    self.endStep = endStep
    self.frequency = frequency
    self.initialSparsity = initialSparsity
  }

  /// The usual schedule for a run of `totalSteps` updates: from 20% to 80% of training.
  public init(totalSteps: Int, frequency: Int) {
    self.init(beginStep: totalSteps / 5, endStep: totalSteps * 4 / 5, frequency: frequency)
  }

  /// Checks `0 <= beginStep < endStep`, `frequency > 0` and `0 <= initialSparsity < 1`.
  public func validate() throws(SparsityError) {
    guard beginStep >= 0 && beginStep < endStep else {
      throw .invalidSetting("pruning needs 0 <= begin step (\(beginStep)) < end step (\(endStep))")
    }
    guard frequency > 0 else {
      throw .invalidSetting("pruning frequency \(frequency) must be positive")
    }
    guard initialSparsity >= 0 && initialSparsity < 1 else {
      throw .invalidSetting("initial pruning sparsity \(initialSparsity) must be in [0, 1)")
    }
  }

  /// `p`, the clipped progress through the pruning window.
  public func progress(at t: Int) -> Double {
    min(1, max(0, Double(t - beginStep) / Double(endStep - beginStep)))
  }

  /// `s_t` for a layer whose final sparsity is `finalSparsity`.
  public func sparsity(at t: Int, finalSparsity: Double) -> Double {
    let remaining = 1 - progress(at: t)
    return finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining
  }

  /// Whether a pruning step happens at `t`.
  public func isPruningStep(_ t: Int) -> Bool {
    t >= beginStep && t <= endStep && ((t - beginStep) % frequency == 0 || t == endStep)
  }

  /// Active weights at step `t` for a layer of `denseCount` weights that ends with `finalActiveCount`:
  /// `denseCount - round(denseCount * s_t)`, which is exactly `finalActiveCount` from `endStep` on.
  public func activeCount(at t: Int, denseCount: Int, finalActiveCount: Int) -> Int {
    if t >= endStep { return finalActiveCount }
    let finalSparsity = 1 - Double(finalActiveCount) / Double(denseCount)
    let pruned = Int((Double(denseCount) * sparsity(at: t, finalSparsity: finalSparsity)).rounded())
    return min(denseCount, max(finalActiveCount, denseCount - pruned))
  }
}
