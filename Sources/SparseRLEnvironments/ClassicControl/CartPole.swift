#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cart-pole balancing (Gymnasium's `CartPoleEnv`, Barto, Sutton and Anderson 1983), explicit Euler steps
/// of 0.02 s. Actions: 0 pushes left, 1 pushes right (10 N). Reward 1 per step including the terminal one;
/// terminates when |x| > 2.4 or |theta| > 12 degrees. Start state uniform in [-0.05, 0.05]^4.
/// Registered as `CartPole-v1` (500 steps) and `CartPole-v0` (200 steps).
public final class CartPole: ClassicControlEnvironment {
  static let gravity = 9.8
  static let massCart = 1.0
  static let massPole = 0.1
  static let totalMass = massPole + massCart
  static let length = 0.5  // half the pole's length
  static let poleMassLength = massPole * length
  static let forceMagnitude = 10.0
  static let tau = 0.02
  static let thetaThreshold = 12 * 2 * Double.pi / 360
  static let xThreshold = 2.4

  public let id: String
  public let observationSpace: Space = .box(
    BoxSpace(
      low: [-Float(xThreshold * 2), -.infinity, -Float(thetaThreshold * 2), -.infinity],
      high: [Float(xThreshold * 2), .infinity, Float(thetaThreshold * 2), .infinity]))
  public let actionSpace: Space = .discrete(DiscreteSpace(2))
  private var bookkeeping: EpisodeBookkeeping
  private var x = 0.0, xDot = 0.0, theta = 0.0, thetaDot = 0.0

  /// A new environment registered as `id` (`CartPole-v1` or `CartPole-v0`; only the time limit differs).
  public init(id: String = "CartPole-v1") {
    self.id = id
    bookkeeping = EpisodeBookkeeping(id: id)
  }

  /// x, x_dot, theta, theta_dot.
  public var physicalState: [Double] { [x, xDot, theta, thetaDot] }

  public func setPhysicalState(_ state: [Double]) throws {
    try bookkeeping.checkPhysical(state, count: 4)
    (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
    bookkeeping.needsReset = false
  }

  public var currentObservation: [Float] { [Float(x), Float(xDot), Float(theta), Float(thetaDot)] }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    bookkeeping.beginEpisode(seed: seed)
    x = bookkeeping.generator.uniform(-0.05, 0.05)
    xDot = bookkeeping.generator.uniform(-0.05, 0.05)
    theta = bookkeeping.generator.uniform(-0.05, 0.05)
    thetaDot = bookkeeping.generator.uniform(-0.05, 0.05)
    return (currentObservation, Info())
  }

  public func step(_ action: Action) throws -> Step {
    try bookkeeping.checkStep(action, in: actionSpace)
    guard case .discrete(let push) = action else { preconditionFailure("validated as discrete") }
    let force = push == 1 ? Self.forceMagnitude : -Self.forceMagnitude
    let cosTheta = cos(theta)
    let sinTheta = sin(theta)
    let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * sinTheta) / Self.totalMass
    let thetaAcc =
      (Self.gravity * sinTheta - cosTheta * temp)
      / (Self.length * (4.0 / 3.0 - Self.massPole * (cosTheta * cosTheta) / Self.totalMass))
    let xAcc = temp - Self.poleMassLength * thetaAcc * cosTheta / Self.totalMass
    x = x + Self.tau * xDot
    xDot = xDot + Self.tau * xAcc
    theta = theta + Self.tau * thetaDot
    thetaDot = thetaDot + Self.tau * thetaAcc
    let terminated =
      x < -Self.xThreshold || x > Self.xThreshold || theta < -Self.thetaThreshold
      || theta > Self.thetaThreshold
    bookkeeping.needsReset = terminated
    return Step(
      observation: currentObservation, reward: 1, terminated: terminated, truncated: false)
  }

  public func saveState() -> EnvironmentState { bookkeeping.save(physical: physicalState) }

  public func restoreState(_ state: EnvironmentState) throws {
    let physical = try bookkeeping.restore(state, reals: 4).physical
    (x, xDot, theta, thetaDot) = (physical[0], physical[1], physical[2], physical[3])
  }
}
