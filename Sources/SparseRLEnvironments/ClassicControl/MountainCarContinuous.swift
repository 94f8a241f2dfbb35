#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Mountain car with a continuous force in [-1, 1] (Gymnasium's `Continuous_MountainCarEnv`). Reward
/// `-0.1 a^2` per step plus 100 on reaching position >= 0.45 (with velocity >= 0), which terminates.
/// Start position uniform in [-0.6, -0.4], velocity 0. Registered as `MountainCarContinuous-v0`.
///
/// Gymnasium stores this environment's state as float32 after every step and mixes float32 and float64
/// arithmetic (NumPy 2 promotion rules); `step` reproduces that rounding exactly so that trajectories agree.
public final class MountainCarContinuous: ClassicControlEnvironment {
  static let minPosition = -1.2
  static let maxPosition = 0.6
  static let maxSpeed = 0.07
  static let goalPosition = 0.45
  static let power = 0.0015

  public let id = "MountainCarContinuous-v0"
  public let observationSpace: Space = .box(
    BoxSpace(
      low: [Float(minPosition), -Float(maxSpeed)], high: [Float(maxPosition), Float(maxSpeed)]))
  public let actionSpace: Space = .box(BoxSpace(low: -1, high: 1, shape: [1]))
  private var bookkeeping = EpisodeBookkeeping(id: "MountainCarContinuous-v0")
  private var position = 0.0, velocity = 0.0
  /// Whether the state holds float32 values (true after a step, false after reset or `setPhysicalState`).
  private var stateIsSingle = false

  /// A new environment; call `reset` before stepping.
  public init() {}

  /// position, velocity.
  public var physicalState: [Double] { [position, velocity] }

  public func setPhysicalState(_ state: [Double]) throws {
    try bookkeeping.checkPhysical(state, count: 2)
    (position, velocity) = (state[0], state[1])
    stateIsSingle = false
    bookkeeping.needsReset = false
  }

  public var currentObservation: [Float] { [Float(position), Float(velocity)] }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    bookkeeping.beginEpisode(seed: seed)
    position = bookkeeping.generator.uniform(-0.6, -0.4)
    velocity = 0
    stateIsSingle = false
    return ([Float(position), Float(velocity)], Info())
  }

  /// A NumPy scalar in the step: its value and whether NumPy holds it as float32 (else float64 or a Python
  /// float). Comparisons with Python constants happen in the scalar's own precision.
  private struct Scalar {
    var value: Double
    var isSingle: Bool
    func less(than constant: Double) -> Bool {
      isSingle ? Float(value) < Float(constant) : value < constant
    }
    func greater(than constant: Double) -> Bool {
      isSingle ? Float(value) > Float(constant) : value > constant
    }
    func equals(_ constant: Double) -> Bool {
      isSingle ? Float(value) == Float(constant) : value == constant
    }
  }

  public func step(_ action: Action) throws -> Step {
    try bookkeeping.checkStep(action, in: actionSpace)
    guard case .continuous(let values) = action else {
      preconditionFailure("validated as continuous")
    }
    let force = values[0]
    // velocity += force * power - 0.0025 * cos(3 * position); the right-hand side is float32.
    let cosine = cos(stateIsSingle ? Double(3 * Float(position)) : 3 * position)
    let increment = force * Float(Self.power) - Float(0.0025 * cosine)
    var v =
      stateIsSingle
      ? Scalar(value: Double(Float(velocity) + increment), isSingle: true)
      : Scalar(value: velocity + Double(increment), isSingle: false)
    // Clipping assigns a Python float.
    if v.greater(than: Self.maxSpeed) { v = Scalar(value: Self.maxSpeed, isSingle: false) }
    if v.less(than: -Self.maxSpeed) { v = Scalar(value: -Self.maxSpeed, isSingle: false) }
    // position += velocity.
    var p: Scalar
    if stateIsSingle {
      // float32 + float32, or float32 + Python float (cast to float32).
      p = Scalar(value: Double(Float(position) + Float(v.value)), isSingle: true)
    } else {
      p = Scalar(value: position + v.value, isSingle: false)
    }
    if p.greater(than: Self.maxPosition) { p = Scalar(value: Self.maxPosition, isSingle: false) }
    if p.less(than: Self.minPosition) { p = Scalar(value: Self.minPosition, isSingle: false) }
    if p.equals(Self.minPosition) && v.less(than: 0) { v = Scalar(value: 0, isSingle: false) }
    let terminated = !p.less(than: Self.goalPosition) && !v.less(than: 0)
    var reward = terminated ? 100.0 : 0.0
    reward -= pow(Double(force), 2) * 0.1
    position = Double(Float(p.value))
    velocity = Double(Float(v.value))
    stateIsSingle = true
    bookkeeping.needsReset = terminated
    return Step(
      observation: [Float(position), Float(velocity)], reward: reward, terminated: terminated,
      truncated: false)
  }

  /// Reals: position, velocity; extra integer: float32 flag.
  public func saveState() -> EnvironmentState {
    bookkeeping.save(physical: physicalState, extra: [stateIsSingle ? 1 : 0])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let restored = try bookkeeping.restore(state, reals: 2, extra: 1)
    (position, velocity) = (restored.physical[0], restored.physical[1])
    stateIsSingle = restored.extra[0] != 0
  }
}
