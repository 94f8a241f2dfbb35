import SparseRLNumerics

/// The ClassicControl family of environments (Gymnasium 1.4.0's `classic_control`), with Gymnasium's
/// dynamics, bounds, rewards, termination, start-state distributions, time limits and reward thresholds.
public enum ClassicControl {
  /// The registered ids of this family.
  public static var specs: [EnvironmentSpec] {
    [
      EnvironmentSpec(id: "CartPole-v0", maxEpisodeSteps: 200, rewardThreshold: 195) {
        CartPole(id: "CartPole-v0")
      },
      EnvironmentSpec(id: "CartPole-v1", maxEpisodeSteps: 500, rewardThreshold: 475) {
        CartPole(id: "CartPole-v1")
      },
      EnvironmentSpec(id: "MountainCar-v0", maxEpisodeSteps: 200, rewardThreshold: -110) {
        MountainCar()
      },
      EnvironmentSpec(id: "MountainCarContinuous-v0", maxEpisodeSteps: 999, rewardThreshold: 90) {
        MountainCarContinuous()
      },
      EnvironmentSpec(id: "Pendulum-v1", maxEpisodeSteps: 200) { Pendulum() },
      EnvironmentSpec(id: "Acrobot-v1", maxEpisodeSteps: 500, rewardThreshold: -100) { Acrobot() },
    ]
  }
}

/// A classic-control environment whose exact internal (Double) state can be read and set, e.g. to compare
/// trajectories with Gymnasium from identical states.
public protocol ClassicControlEnvironment: Environment {
  /// The simulator state in Gymnasium's order (e.g. CartPole: x, x_dot, theta, theta_dot).
  var physicalState: [Double] { get }
  /// Sets the simulator state (as assigning `env.unwrapped.state` in Gymnasium) and allows stepping.
  /// Throws `EnvironmentError.invalidState` for a state of the wrong length.
  func setPhysicalState(_ state: [Double]) throws
  /// The observation of the current physical state.
  var currentObservation: [Float] { get }
}

/// The bookkeeping every classic-control environment shares: its id, its generator (Gymnasium's
/// `np_random`) and whether it must be reset before the next step.
struct EpisodeBookkeeping {
  let id: String
  /// Seeded from system entropy until a seeded reset (Gymnasium's behaviour for unseeded environments).
  var generator = RandomGenerator(seed: UInt64.random(in: .min ... .max))
  var needsReset = true

  init(id: String) { self.id = id }

  /// A seed replaces the generator; `nil` continues it.
  mutating func beginEpisode(seed: UInt64?) {
    if let seed { generator = RandomGenerator(seed: seed) }
    needsReset = false
  }

  /// Throws when stepping is not allowed, then validates the action.
  func checkStep(_ action: Action, in space: Space) throws {
    guard !needsReset else { throw EnvironmentError.needsReset(environment: id) }
    try space.validate(action, environment: id)
  }

  /// The saved state: `reals` = the physical state, integers = needs-reset flag and `extra`, generators =
  /// the environment generator.
  func save(physical: [Double], extra: [Int] = []) -> EnvironmentState {
    EnvironmentState(
      reals: physical, integers: [needsReset ? 1 : 0] + extra, generators: [generator])
  }

  /// Restores the bookkeeping and returns the physical state and the extra integers after checking sizes.
  mutating func restore(_ state: EnvironmentState, reals: Int, extra: Int = 0) throws -> (
    physical: [Double], extra: [Int]
  ) {
    try state.expect(reals: reals, integers: 1 + extra, generators: 1, environment: id)
    needsReset = state.integers[0] != 0
    generator = state.generators[0]
    return (state.reals, Array(state.integers.dropFirst()))
  }

  /// Checks the length of a state passed to `setPhysicalState`.
  func checkPhysical(_ state: [Double], count: Int) throws {
    guard state.count == count else {
      throw EnvironmentError.invalidState(
        environment: id, reason: "expected a physical state of \(count) values, got \(state.count)")
    }
  }
}
