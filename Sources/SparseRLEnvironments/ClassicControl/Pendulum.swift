#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Inverted pendulum swing-up (Gymnasium's `PendulumEnv`, g = 10). Action: a torque in [-2, 2]. Observation
/// `(cos theta, sin theta, theta_dot)`; reward `-(normalize(theta)^2 + 0.1 theta_dot^2 + 0.001 u^2)`; never
/// terminates. Start state uniform in [-pi, pi] x [-1, 1]. Registered as `Pendulum-v1` (200 steps).
///
/// As in Gymnasium (NumPy 2 promotion), the torque terms `3 u` and `0.001 u^2` are computed in float32.
public final class Pendulum: ClassicControlEnvironment {
  static let maxSpeed = 8.0
  static let maxTorque: Float = 2
  static let dt = 0.05
  static let g = 10.0
  static let m = 1.0
  static let l = 1.0

  public let id = "Pendulum-v1"
  public let observationSpace: Space = .box(
    BoxSpace(low: [-1, -1, -Float(maxSpeed)], high: [1, 1, Float(maxSpeed)]))
  public let actionSpace: Space = .box(BoxSpace(low: -maxTorque, high: maxTorque, shape: [1]))
  private var bookkeeping = EpisodeBookkeeping(id: "Pendulum-v1")
  private var theta = 0.0, thetaDot = 0.0

  /// A new environment; call `reset` before stepping.
  public init() {}

  /// theta, theta_dot.
  public var physicalState: [Double] { [theta, thetaDot] }

  public func setPhysicalState(_ state: [Double]) throws {
    try bookkeeping.checkPhysical(state, count: 2)
    (theta, thetaDot) = (state[0], state[1])
    bookkeeping.needsReset = false
  }

  public var currentObservation: [Float] {
    [Float(cos(theta)), Float(sin(theta)), Float(thetaDot)]
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    bookkeeping.beginEpisode(seed: seed)
    theta = bookkeeping.generator.uniform(-Double.pi, Double.pi)
    thetaDot = bookkeeping.generator.uniform(-1.0, 1.0)
    return (currentObservation, Info())
  }

  /// `((x + pi) mod 2 pi) - pi` with a floored modulo, as NumPy's `%`.
  static func normalizeAngle(_ x: Double) -> Double {
    let divisor = 2 * Double.pi
    var remainder = fmod(x + Double.pi, divisor)
    if remainder != 0 {
      if remainder < 0 { remainder += divisor }
    } else {
      remainder = 0
    }
    return remainder - Double.pi
  }

  public func step(_ action: Action) throws -> Step {
    try bookkeeping.checkStep(action, in: actionSpace)
    guard case .continuous(let values) = action else {
      preconditionFailure("validated as continuous")
    }
    let u = values[0]
    let angle = Self.normalizeAngle(theta)
    let costs = angle * angle + 0.1 * (thetaDot * thetaDot) + Double(Float(0.001) * (u * u))
    let acceleration =
      3 * Self.g / (2 * Self.l) * sin(theta) + Double(Float(3.0 / (Self.m * Self.l * Self.l)) * u)
    var newThetaDot = thetaDot + acceleration * Self.dt
    newThetaDot = min(max(newThetaDot, -Self.maxSpeed), Self.maxSpeed)
    theta = theta + newThetaDot * Self.dt
    thetaDot = newThetaDot
    return Step(
      observation: currentObservation, reward: -costs, terminated: false, truncated: false)
  }

  public func saveState() -> EnvironmentState { bookkeeping.save(physical: physicalState) }

  public func restoreState(_ state: EnvironmentState) throws {
    let physical = try bookkeeping.restore(state, reals: 2).physical
    (theta, thetaDot) = (physical[0], physical[1])
  }
}
