import Foundation
import SparseRLNumerics

/// `suite/quadruped.py`, task `run` (the `Move` task at 5 m/s, on the floor `make_model` sizes for it, without
/// walls, ball, target, terrain or rangefinders).
struct DMCQuadrupedRun: DMCTask {
  let domain = "quadruped"
  let task = "run"
  let controlTimestep: Double? = 0.02
  let timeLimit = 20.0
  static let runSpeed = 5.0
  private var torso = 0
  private var root = DMCPhysics.Joint(
    type: nil, qposAddress: 0, dofAddress: 0, limited: false, range: (0, 0))
  private var hinges: [DMCPhysics.Joint] = []
  private var velocimeter = 0..<0
  private var imu: [Range<Int>] = []
  private var forceTorque: [Range<Int>] = []

  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    torso = try physics.body("torso")
    root = physics.joints[try physics.joint("root")]
    hinges = physics.joints(ofType: .hinge)
    velocimeter = try physics.sensor("velocimeter")
    imu = physics.sensors(ofTypes: [.gyro, .accelerometer])
    forceTorque = physics.sensors(ofTypes: [.force, .torque])
  }

  /// A normalised standard normal orientation, then `_find_non_contacting_height`: from z = 0 up in steps of
  /// 0.01 until the reset model at that height and orientation has no contact.
  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator) {
    let orientation = DMCRandomizers.normalized((0..<4).map { _ in generator.normal() })
    var z = 0.0
    var attempts = 0
    repeat {
      physics.reset()
      let a = root.qposAddress
      physics.qpos[a] = 0
      physics.qpos[a + 1] = 0
      physics.qpos[a + 2] = z
      for i in 0..<4 { physics.qpos[a + 3 + i] = orientation[i] }
      physics.afterReset()
      z += 0.01
      attempts += 1
      precondition(attempts <= 10_000, "quadruped: no non-contacting configuration found")
    } while physics.contactCount > 0
  }

  /// `egocentric_state` (hinge positions, hinge velocities, actuator activations), `torso_velocity`,
  /// `torso_upright`, `imu` (gyros and accelerometers), `force_torque` (arcsinh of force and torque sensors).
  func observation(_ physics: DMCPhysics, into observation: inout [Double]) {
    for joint in hinges { observation.append(physics.qpos[joint.qposAddress]) }
    for joint in hinges { observation.append(physics.qvel[joint.dofAddress]) }
    observation.append(physics.act, 0..<physics.na)
    observation.append(physics.sensordata, velocimeter)
    observation.append(physics.xmat(torso, 2, 2))
    for range in imu { observation.append(physics.sensordata, range) }
    for range in forceTorque {
      for i in range { observation.append(Foundation.asinh(physics.sensordata[i])) }
    }
  }

  func reward(_ physics: DMCPhysics) -> Double {
    let move = DMCRewards.tolerance(
      physics.sensordata[velocimeter.lowerBound], bounds: (Self.runSpeed, .infinity),
      margin: Self.runSpeed, sigmoid: .linear, valueAtMargin: 0.5)
    // _upright_reward with deviation angle 0: cos(0) = 1.
    let upright = DMCRewards.tolerance(
      physics.xmat(torso, 2, 2), bounds: (1, .infinity), margin: 2, sigmoid: .linear,
      valueAtMargin: 0)
    return upright * move
  }
}
