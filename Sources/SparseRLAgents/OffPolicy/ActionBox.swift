import SparseRLEnvironments
import SparseRLNumerics

/// The box action space of a continuous-control agent, and the map between the policy's normalised actions in
/// `[-1, 1]^d` and the environment's actions.
///
/// SAC and TD3 act, store and learn in normalised units: the actor's tanh output is the action, exploration
/// noise is added in `[-1, 1]` units (TD3's noise 0.1 is 0.1 * a_max, as in the reference code), and the replay
/// buffer holds normalised actions. Only the environment sees `low + (a + 1) / 2 * (high - low)` (the same
/// map as the `ActionRescaling` wrapper). For a symmetric box `[-a_max, a_max]`, RLx2's policy distance
/// `((pi(s)/a_max - a/a_max)^2)/2` is therefore the squared distance of normalised actions.
public struct ActionBox: Sendable {
  /// Lower bounds of the environment's actions.
  public let low: [Float]
  /// Upper bounds of the environment's actions.
  public let high: [Float]

  /// The box of `space`; throws `AgentError.incompatibleEnvironment` for a discrete space or infinite bounds.
  public init(_ space: Space, agent: String) throws {
    guard case .box(let box) = space, box.shape.count == 1 else {
      throw AgentError.incompatibleEnvironment(
        "\(agent) needs a one-dimensional box action space, got \(space)")
    }
    guard box.low.allSatisfy(\.isFinite), box.high.allSatisfy(\.isFinite),
      zip(box.low, box.high).allSatisfy({ $0 < $1 })
    else {
      throw AgentError.incompatibleEnvironment("\(agent) needs finite action bounds with low < high, got \(space)")
    }
    low = box.low
    high = box.high
  }

  /// Number of action dimensions.
  public var count: Int { low.count }

  /// The environment action for normalised `values` in `[-1, 1]` (clamped into the box against rounding).
  public func environmentAction(_ values: [Float]) -> [Float] {
    var result: [Float] = []
    environmentAction(values, into: &result)
    return result
  }

  /// `environmentAction(values)` written into `result`, resized in its own storage (an agent that keeps the
  /// array allocates nothing per step).
  public func environmentAction(_ values: [Float], into result: inout [Float]) {
    result.prepare(count: count)
    for i in 0..<count {
      let mapped = Double(low[i]) + (Double(values[i]) + 1) / 2 * (Double(high[i]) - Double(low[i]))
      result[i] = min(max(Float(mapped), low[i]), high[i])
    }
  }
}
