import Foundation

/// The sigmoids of dm_control's `rewards.tolerance` (`dm_control/utils/rewards.py`): each maps a distance `x`
/// (in units of the margin) to 1 at `x = 0` and to `valueAt1` at `|x| = 1`.
public enum DMCSigmoid: String, CaseIterable, Sendable {
  /// The sigmoids of `rewards.tolerance` named as dm_control names them.
  case gaussian, hyperbolic, reciprocal, cosine, linear, quadratic
  /// dm_control's `long_tail`.
  case longTail = "long_tail"
  /// dm_control's `tanh_squared`.
  case tanhSquared = "tanh_squared"

  /// Whether `valueAt1` may be 0 (`cosine`, `linear`, `quadratic`); the others need it strictly inside (0, 1).
  var allowsZero: Bool { self == .cosine || self == .linear || self == .quadratic }

  /// The sigmoid at `x`, with the value `valueAt1` at `|x| = 1`.
  public func value(_ x: Double, valueAt1: Double) -> Double {
    precondition(
      allowsZero ? (0 <= valueAt1 && valueAt1 < 1) : (0 < valueAt1 && valueAt1 < 1),
      "\(rawValue) sigmoid: value at 1 must be in \(allowsZero ? "[0, 1)" : "(0, 1)"), got \(valueAt1)")
    switch self {
    case .gaussian:
      let scaled = x * (-2 * Foundation.log(valueAt1)).squareRoot()
      return Foundation.exp(-0.5 * (scaled * scaled))
    case .hyperbolic:
      return 1 / Foundation.cosh(x * Foundation.acosh(1 / valueAt1))
    case .longTail:
      let scaled = x * (1 / valueAt1 - 1).squareRoot()
      return 1 / (scaled * scaled + 1)
    case .reciprocal:
      return 1 / (abs(x) * (1 / valueAt1 - 1) + 1)
    case .cosine:
      let scaled = x * (Foundation.acos(2 * valueAt1 - 1) / Double.pi)
      return abs(scaled) < 1 ? (1 + Foundation.cos(Double.pi * scaled)) / 2 : 0
    case .linear:
      let scaled = x * (1 - valueAt1)
      return abs(scaled) < 1 ? 1 - scaled : 0
    case .quadratic:
      let scaled = x * (1 - valueAt1).squareRoot()
      return abs(scaled) < 1 ? 1 - scaled * scaled : 0
    case .tanhSquared:
      let t = Foundation.tanh(x * Foundation.atanh((1 - valueAt1).squareRoot()))
      return 1 - t * t
    }
  }
}

/// dm_control's reward shaping (`dm_control.utils.rewards`).
public enum DMCRewards {
  /// `rewards.tolerance`: 1 when `x` lies in the closed interval `bounds`; otherwise, with a positive
  /// `margin`, `sigmoid` of the distance to the nearest bound divided by `margin` (so `valueAtMargin` at one
  /// margin away), and 0 with a zero margin.
  public static func tolerance(
    _ x: Double, bounds: (lower: Double, upper: Double) = (0, 0), margin: Double = 0,
    sigmoid: DMCSigmoid = .gaussian, valueAtMargin: Double = 0.1
  ) -> Double {
    precondition(bounds.lower <= bounds.upper, "tolerance: lower bound must be <= upper bound")
    precondition(margin >= 0, "tolerance: margin must be non-negative")
    if bounds.lower <= x && x <= bounds.upper { return 1 }
    if margin == 0 { return 0 }
    let distance = (x < bounds.lower ? bounds.lower - x : x - bounds.upper) / margin
    return sigmoid.value(distance, valueAt1: valueAtMargin)
  }

  /// The mean of `tolerance` over `values` (as `tolerance(array).mean()` in the suite).
  static func meanTolerance<C: Collection<Double>>(
    _ values: C, bounds: (lower: Double, upper: Double) = (0, 0), margin: Double = 0,
    sigmoid: DMCSigmoid = .gaussian, valueAtMargin: Double = 0.1
  ) -> Double {
    var sum = 0.0
    for x in values {
      sum += tolerance(
        x, bounds: bounds, margin: margin, sigmoid: sigmoid, valueAtMargin: valueAtMargin)
    }
    return sum / Double(values.count)
  }
}
