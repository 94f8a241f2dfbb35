/// A value that moves linearly from `start` to `end` over `duration` steps and then stays at `end`
/// (DQN's epsilon, PPO's learning-rate annealing).
public struct LinearSchedule: Codable, Equatable, Sendable {
  /// The value at step 0.
  public var start: Double
  /// The value from `duration` on.
  public var end: Double
  /// Steps to go from `start` to `end`.
  public var duration: Int

  /// A schedule from `start` to `end` over `duration` steps.
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
