#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Two-link acrobot swing-up (Gymnasium's `AcrobotEnv`, Sutton and Barto's "book" dynamics) integrated with
/// one classical Runge-Kutta step of 0.2 s. Actions 0, 1, 2 apply torque -1, 0, +1 to the joint between the
/// links. Observation `(cos t1, sin t1, cos t2, sin t2, dt1, dt2)`; reward -1 per step and 0 on the
/// terminal step, reached when `-cos t1 - cos(t1 + t2) > 1`. Start state uniform in [-0.1, 0.1]^4 (rounded
/// to float32 as in Gymnasium). Registered as `Acrobot-v1` (500 steps).
public final class Acrobot: ClassicControlEnvironment {
  static let dt = 0.2
  static let linkLength1 = 1.0
  static let linkMass1 = 1.0
  static let linkMass2 = 1.0
  static let linkCenterOfMass1 = 0.5
  static let linkCenterOfMass2 = 0.5
  static let linkMomentOfInertia = 1.0
  static let maxVelocity1 = 4 * Double.pi
  static let maxVelocity2 = 9 * Double.pi
  static let torques: [Double] = [-1, 0, 1]

  public let id = "Acrobot-v1"
  public let observationSpace: Space = .box(
    BoxSpace(
      low: [-1, -1, -1, -1, -Float(maxVelocity1), -Float(maxVelocity2)],
      high: [1, 1, 1, 1, Float(maxVelocity1), Float(maxVelocity2)]))
  public let actionSpace: Space = .discrete(DiscreteSpace(3))
  private var bookkeeping = EpisodeBookkeeping(id: "Acrobot-v1")
  /// theta1, theta2, dtheta1, dtheta2.
  private var state = SIMD4<Double>(repeating: 0)

  /// A new environment; call `reset` before stepping.
  public init() {}

  /// theta1, theta2, dtheta1, dtheta2.
  public var physicalState: [Double] { [state[0], state[1], state[2], state[3]] }

  public func setPhysicalState(_ physical: [Double]) throws {
    try bookkeeping.checkPhysical(physical, count: 4)
    state = SIMD4(physical[0], physical[1], physical[2], physical[3])
    bookkeeping.needsReset = false
  }

  public var currentObservation: [Float] {
    [
      Float(cos(state[0])), Float(sin(state[0])), Float(cos(state[1])), Float(sin(state[1])),
      Float(state[2]),
      Float(state[3]),
    ]
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    bookkeeping.beginEpisode(seed: seed)
    for i in 0..<4 { state[i] = Double(Float(bookkeeping.generator.uniform(-0.1, 0.1))) }
    return (currentObservation, Info())
  }

  /// The time derivative of the state under `torque` (book dynamics).
  static func derivative(_ s: SIMD4<Double>, torque a: Double) -> SIMD4<Double> {
    let m1 = linkMass1
    let m2 = linkMass2
    let l1 = linkLength1
    let lc1 = linkCenterOfMass1
    let lc2 = linkCenterOfMass2
    let i1 = linkMomentOfInertia
    let i2 = linkMomentOfInertia
    let g = 9.8
    let (theta1, theta2, dtheta1, dtheta2) = (s[0], s[1], s[2], s[3])
    let d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos(theta2)) + i1 + i2
    let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos(theta2)) + i2
    let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2)
    let phi1 =
      -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin(theta2) - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1
      * sin(theta2)
      + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2) + phi2
    let ddtheta2 =
      (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin(theta2) - phi2)
      / (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1)
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
    return SIMD4(dtheta1, dtheta2, ddtheta1, ddtheta2)
  }

  /// One classical fourth-order Runge-Kutta step of length `dt`, in the operation order of Gymnasium's `rk4`.
  static func rungeKutta(_ y: SIMD4<Double>, torque: Double, dt: Double) -> SIMD4<Double> {
    let half = dt / 2.0
    let k1 = derivative(y, torque: torque)
    let k2 = derivative(y + half * k1, torque: torque)
    let k3 = derivative(y + half * k2, torque: torque)
    let k4 = derivative(y + dt * k3, torque: torque)
    return y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
  }

  /// Shifts `x` by multiples of `upper - lower` into [lower, upper].
  static func wrap(_ x: Double, _ lower: Double, _ upper: Double) -> Double {
    let width = upper - lower
    var x = x
    while x > upper { x -= width }
    while x < lower { x += width }
    return x
  }

  public func step(_ action: Action) throws -> Step {
    try bookkeeping.checkStep(action, in: actionSpace)
    guard case .discrete(let index) = action else { preconditionFailure("validated as discrete") }
    var next = Self.rungeKutta(state, torque: Self.torques[index], dt: Self.dt)
    next[0] = Self.wrap(next[0], -Double.pi, Double.pi)
    next[1] = Self.wrap(next[1], -Double.pi, Double.pi)
    next[2] = min(max(next[2], -Self.maxVelocity1), Self.maxVelocity1)
    next[3] = min(max(next[3], -Self.maxVelocity2), Self.maxVelocity2)
    state = next
    let terminated = -cos(state[0]) - cos(state[1] + state[0]) > 1.0
    bookkeeping.needsReset = terminated
    return Step(
      observation: currentObservation, reward: terminated ? 0 : -1, terminated: terminated,
      truncated: false)
  }

  public func saveState() -> EnvironmentState { bookkeeping.save(physical: physicalState) }

  public func restoreState(_ state: EnvironmentState) throws {
    let physical = try bookkeeping.restore(state, reals: 4).physical
    self.state = SIMD4(physical[0], physical[1], physical[2], physical[3])
  }
}
