/// RLx2's delayed multi-step TD target: one-step targets for the first `delay` updates, then `steps`-step
/// targets for the rest of training (`steps = 3` and `delay = 300,000` in the paper's runs).
///
/// Updates are counted from 0: update `u` uses `steps(forUpdate: u)` steps, so with `delay = 2` updates 0
/// and 1 use one step and update 2 is the first with `steps`.
public struct MultiStepSchedule: Equatable, Sendable {
  /// n once the delay has passed.
  public let steps: Int
  /// Number of one-step updates first.
  public let delay: Int

  /// A schedule switching to `steps` after `delay` updates.
  public init(steps: Int, delay: Int) {
    precondition(steps >= 1 && delay >= 0, "multi-step schedule needs steps >= 1 and delay >= 0")
    self.steps = steps
    self.delay = delay
  }

  /// The n of the TD target of update `index` (0-based).
  public func steps(forUpdate index: Int) -> Int { index < delay ? 1 : steps }
}
