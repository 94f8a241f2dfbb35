#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Mountain car with discrete actions (Gymnasium's `MountainCarEnv`, Moore 1990). Actions: 0 accelerates
/// left, 1 does nothing, 2 accelerates right. Reward -1 per step; terminates when position >= 0.5 (with
/// velocity >= 0). Start position uniform in [-0.6, -0.4], velocity 0. Registered as `MountainCar-v0`.
public final class MountainCar: ClassicControlEnvironment {
  static let minPosition = -1.2
  static let maxPosition = 0.6
  static let maxSpeed = 0.07
  static let goalPosition = 0.5
  static let goalVelocity = 0.0
  static let force = 0.001
  static let gravity = 0.0025

  public let id = "MountainCar-v0"
  public let observationSpace: Space = .box(
    BoxSpace(
      low: [Float(minPosition), -Float(maxSpeed)], high: [Float(maxPosition), Float(maxSpeed)]))
  public let actionSpace: Space = .discrete(DiscreteSpace(3))
  private var bookkeeping = EpisodeBookkeeping(id: "MountainCar-v0")
  private var position = 0.0, velocity = 0.0

  /// A new environment; call `reset` before stepping.
  public init() {}

  /// position, velocity.
  public var physicalState: [Double] { [position, velocity] }

  public func setPhysicalState(_ state: [Double]) throws {
    try bookkeeping.checkPhysical(state, count: 2)
    (position, velocity) = (state[0], state[1])
    bookkeeping.needsReset = false
  }

  public var currentObservation: [Float] { [Float(position), Float(velocity)] }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    bookkeeping.beginEpisode(seed: seed)
    position = bookkeeping.generator.uniform(-0.6, -0.4)
    velocity = 0
    return ([Float(position), Float(velocity)], Info())
  }

  public func step(_ action: Action) throws -> Step {
    try bookkeeping.checkStep(action, in: actionSpace)
    guard case .discrete(let push) = action else { preconditionFailure("validated as discrete") }
    velocity += Double(push - 1) * Self.force + cos(3 * position) * -Self.gravity
    velocity = min(max(velocity, -Self.maxSpeed), Self.maxSpeed)
    position += velocity
    position = min(max(position, Self.minPosition), Self.maxPosition)
    if position == Self.minPosition && velocity < 0 { velocity = 0 }
    let terminated = position >= Self.goalPosition && velocity >= Self.goalVelocity
    bookkeeping.needsReset = terminated
    return Step(
      observation: [Float(position), Float(velocity)], reward: -1, terminated: terminated,
      truncated: false)
  }

  public func saveState() -> EnvironmentState { bookkeeping.save(physical: physicalState) }

  public func restoreState(_ state: EnvironmentState) throws {
    let physical = try bookkeeping.restore(state, reals: 2).physical
    (position, velocity) = (physical[0], physical[1])
  }
}
