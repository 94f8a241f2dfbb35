/// A value that moves linearly from `start` to `end` over `duration` steps and then stays at `end`
/// (DQN's epsilon, PPO's learning-rate annealing).
public struct LinearSchedule: Codable, Equatable, Sendable {
  public var start: Double
  public var end: Double
  public var duration: Int

  public init(start: Double, end: Double, duration: Int) {
    self.start = start
    self.end = end
    self.duration = duration
  }

  /// The value at `step`.
  public func value(at step: Int) -> Double {
    guard duration > 0 else { return end }
    if step >= duration { return end }
    let fraction = max(Double(step) / Double(duration), 0)
    return start + (end - start) * fraction
  }
}
