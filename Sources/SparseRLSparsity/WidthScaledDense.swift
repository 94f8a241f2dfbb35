/// The "same parameter count" dense baseline: a dense MLP whose hidden widths are multiplied by `multiplier`
/// (input and output widths fixed). Its topology never changes.
public struct WidthScaledDense: FixedTopology, Equatable, Codable {
  /// The width multiplier `w` applied to every hidden layer.
  public var multiplier: Double
  /// The layer widths `[inputs, hidden..., outputs]` after scaling (hidden widths `max(1, round(w * h))`).
  public var widths: [Int]
  /// Weights (and biases, when they were counted) of the scaled network.
  public var parameterCount: Int

  public var startsDense: Bool { true }

  /// The parameters of a dense MLP of these widths: weights, plus one bias per non-input unit if asked.
  public static func parameterCount(widths: [Int], includeBiases: Bool) -> Int {
    zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + (includeBiases ? $1.1 : 0) }
  }

  /// The widths of `widths` with every hidden layer scaled by `multiplier`.
  public static func scaled(widths: [Int], multiplier: Double) -> [Int] {
    widths.indices.map { index in
      index == 0 || index == widths.count - 1
        ? widths[index] : max(1, Int((Double(widths[index]) * multiplier).rounded()))
    }
  }

  /// The baseline whose parameter count matches `targetParameters`: `multiplier` is the real `w` at which the
  /// continuous count (hidden widths `w * h`, not rounded) equals the target, found by bisection (the count is
  /// increasing in `w`); `widths` rounds the hidden widths, so `parameterCount` is the nearest achievable count.
  ///
  /// `widths` is `[inputs, hidden..., outputs]` with at least one hidden layer.
  public init(matching targetParameters: Int, widths: [Int], includeBiases: Bool = false)
    throws(SparsityError)
  {
    guard widths.count >= 3, widths.allSatisfy({ $0 > 0 }) else {
      throw .invalidShape(
        "width scaling needs positive widths [inputs, hidden..., outputs], got \(widths)")
    }
    func continuousCount(_ w: Double) -> Double {
      let scaled = widths.indices.map { i in
        i == 0 || i == widths.count - 1 ? Double(widths[i]) : w * Double(widths[i])
      }
      return zip(scaled, scaled.dropFirst()).reduce(0) {
        $0 + $1.0 * $1.1 + (includeBiases ? $1.1 : 0)
      }
    }
    guard Double(targetParameters) > continuousCount(0) else {
      throw .infeasible(
        "\(targetParameters) parameters are fewer than the fixed input/output layers need")
    }
    var low = 0.0
    var high = 1.0
    while continuousCount(high) < Double(targetParameters) { high *= 2 }
    for _ in 0..<200 where high - low > 1e-12 * high {
      let middle = (low + high) / 2
      if continuousCount(middle) < Double(targetParameters) { low = middle } else { high = middle }
    }
    multiplier = (low + high) / 2
    self.widths = Self.scaled(widths: widths, multiplier: multiplier)
    parameterCount = Self.parameterCount(widths: self.widths, includeBiases: includeBiases)
  }
}
