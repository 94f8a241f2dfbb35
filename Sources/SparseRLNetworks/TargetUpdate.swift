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
    for (t, o) in pairs(target: target, online: online) {
      t.adoptLayout(of: o)
      let keep = 1 - tau
      t.value.withUnsafeMutableBufferPointer { tv in
        o.value.withUnsafeBufferPointer { ov in
          for i in 0..<tv.count { tv[i] = tv[i] * keep + tau * ov[i] }
        }
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

  private static func pairs(target: any Layer, online: any Layer) -> [(Parameter, Parameter)] {
    let t = target.namedParameters
    let o = online.namedParameters
    precondition(
      t.map(\.name) == o.map(\.name),
      "TargetUpdate: networks differ: target has \(t.map(\.name)), online has \(o.map(\.name))")
    return zip(t, o).map { pair in
      let (tp, op) = (pair.0.parameter, pair.1.parameter)
      precondition(
        tp.rows == op.rows && tp.columns == op.columns,
        "TargetUpdate: \(pair.0.name) is \(tp.rows)x\(tp.columns) in the target, \(op.rows)x\(op.columns) online")
      return (tp, op)
    }
  }
}
