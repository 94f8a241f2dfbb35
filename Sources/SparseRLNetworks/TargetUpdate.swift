import SparseRLNumerics

/// Updates of a target network from its online network (same architecture, parameters paired by name).
///
/// Masks are respected: before updating, each target parameter adopts the online parameter's layout
/// (`Parameter.adoptLayout(of:)`) when they differ, so a weight inactive online is inactive (not stored) in the
/// target too, and a newly active one starts from the online value. The updates then work on stored entries.
public enum TargetUpdate {
  /// Polyak averaging: `target = (1 - tau) * target + tau * online` on every stored entry.
  public static func polyak(target: any Layer, online: any Layer, tau: Float) {
    precondition((0...1).contains(tau), "TargetUpdate.polyak: tau must be in [0, 1], got \(tau)")
    Profiler.measure("Polyak") { polyakPairs(target: target, online: online, tau: tau) }
  }

  private static func polyakPairs(target: any Layer, online: any Layer, tau: Float) {
    for (t, o) in pairs(target: target, online: online) {
      t.adoptLayout(of: o)
      t.value.withUnsafeMutableBufferPointer { tv in
        o.value.withUnsafeBufferPointer { ov in UpdateKernels.polyak(target: tv, online: ov, tau: tau) }
      }
    }
  }

  /// Hard update: the target's values (and layouts) become the online network's.
  public static func hardCopy(target: any Layer, online: any Layer) {
    for (t, o) in pairs(target: target, online: online) {
      t.adoptLayout(of: o)
      t.value.withUnsafeMutableBufferPointer { tv in _ = tv.update(fromContentsOf: o.value) }
    }
  }

  /// The parameters of both networks in order, checked to have the same count and shapes (names are only
  /// composed for the error message, so the per-step path does not build strings).
  private static func pairs(target: any Layer, online: any Layer) -> Zip2Sequence<[Parameter], [Parameter]> {
    let t = target.parameters
    let o = online.parameters
    let compatible = t.count == o.count && zip(t, o).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns }
    precondition(
      compatible,
      "TargetUpdate: networks differ: target has \(describe(target)), online has \(describe(online))")
    return zip(t, o)
  }

  private static func describe(_ network: any Layer) -> [String] {
    network.namedParameters.map { "\($0.name) \($0.parameter.rows)x\($0.parameter.columns)" }
  }
}
