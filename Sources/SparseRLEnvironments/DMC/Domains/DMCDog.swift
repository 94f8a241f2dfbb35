import Foundation
import SparseRLNumerics

/// `suite/dog.py`, tasks `stand` (the `Stand` task) and `walk` (1 m/s), `trot` (3 m/s), `run` (9 m/s) (the
/// `Move` task), each on the floor its constructor sizes, without the ball, target and walls.
struct DMCDog: DMCTask {
  let domain = "dog"
  let task: String
  /// Target forward speed of the torso (`nil`: the `Stand` task).
  let moveSpeed: Double?
  let controlTimestep: Double? = 0.015
  let timeLimit = 15.0
  static let minUprightCosine = Foundation.cos(30 * (Double.pi / 180))
  static let standHeightFraction = 0.9

  private var torso = 0
  private var pelvis = 0
  private var skull = 0
  private var root = 0
  private var hinges: [DMCPhysics.Joint] = []
  private var torsoLinvel = 0..<0
  private var inertial: [Range<Int>] = []
  private var feet: [Range<Int>] = []
  private var touch: [Range<Int>] = []
  /// The torso and pelvis heights of the reset model times 0.9, and the dog's weight (set by `prepare`, as
  /// `initialize_episode` sets them from the reset model every episode).
  private var standHeight = (torso: 0.0, pelvis: 0.0)
  private var bodyWeight = 0.0

  static let stand = DMCDog(task: "stand", moveSpeed: nil)
  static let walk = DMCDog(task: "walk", moveSpeed: 1)
  static let trot = DMCDog(task: "trot", moveSpeed: 3)
  static let run = DMCDog(task: "run", moveSpeed: 9)

  private init(task: String, moveSpeed: Double?) {
    self.task = task
    self.moveSpeed = moveSpeed
  }

  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    torso = try physics.body("torso")
    pelvis = try physics.body("pelvis")
    skull = try physics.body("skull")
    root = physics.joints[try physics.joint("root")].qposAddress
    hinges = physics.joints(ofType: .hinge)
    torsoLinvel = try physics.sensor("torso_linvel")
    inertial = [try physics.sensor("accelerometer"), try physics.sensor("velocimeter"), try physics.sensor("gyro")]
    feet = try ["foot_L", "foot_R", "hand_L", "hand_R"].map { name throws(MuJoCoLibraryError) in
      try physics.sensor(name)
    }
    touch = try ["palm_L", "palm_R", "sole_L", "sole_R"].map { name throws(MuJoCoLibraryError) in
      try physics.sensor(name)
    }
    guard physics.na == physics.simulation.nu else {
      throw .modelFailed(path: "dog model", reason: "expected one activation per actuator")
    }
    physics.reset()
    standHeight = (
      physics.xpos(torso, 2) * Self.standHeightFraction,
      physics.xpos(pelvis, 2) * Self.standHeightFraction
    )
    bodyWeight = -physics.gravity[2] * physics.bodySubtreeMass[torso]
  }

  /// The reset pose turned by a uniform azimuth, normal root velocities (x, y and yaw, scale 2) and
  /// activations uniform in the control ranges.
  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator) {
    physics.reset()
    let azimuth = generator.uniform(0, 2 * Double.pi)
    let orientation = [Foundation.cos(azimuth / 2), 0, 0, Foundation.sin(azimuth / 2)]
    for i in 0..<4 { physics.qpos[root + 3 + i] = orientation[i] }
    physics.qvel[0] = 2 * generator.normal()
    physics.qvel[1] = 2 * generator.normal()
    physics.qvel[5] = 2 * generator.normal()
    let ranges = physics.simulation.actuatorCtrlRange
    for actuator in 0..<physics.simulation.nu {
      physics.act[actuator] = generator.uniform(ranges[2 * actuator], ranges[2 * actuator + 1])
    }
  }

  /// `joint_angles`, `joint_velocites` (sic), `torso_pelvis_height`, `z_projection` (the z rows of the skull,
  /// torso and pelvis frames), `torso_com_velocity` (in the torso frame), `inertial_sensors`, `foot_forces`,
  /// `touch_sensors`, `actuator_state`.
  func observation(_ physics: DMCPhysics, into observation: inout [Double]) {
    for joint in hinges { observation.append(physics.qpos[joint.qposAddress]) }
    for joint in hinges { observation.append(physics.qvel[joint.dofAddress]) }
    observation.append(physics.xpos(torso, 2))
    observation.append(physics.xpos(pelvis, 2))
    for body in [skull, torso, pelvis] {
      for column in 0..<3 { observation.append(physics.xmat(body, 2, column)) }
    }
    observation.append(physics.inFrame(of: torso, comVelocity(physics)))
    for range in inertial + feet + touch { observation.append(physics.sensordata, range) }
    observation.append(physics.act, 0..<physics.na)
  }

  private func comVelocity(_ physics: DMCPhysics) -> SIMD3<Double> {
    let a = torsoLinvel.lowerBound
    return SIMD3(physics.sensordata[a], physics.sensordata[a + 1], physics.sensordata[a + 2])
  }

  /// The product of the `Stand` factors (torso and pelvis height, three upright cosines, touch sensors
  /// carrying the weight) and, for `Move`, the forward-speed factor.
  func reward(_ physics: DMCPhysics) -> Double {
    var factors = [
      DMCRewards.tolerance(
        physics.xpos(torso, 2), bounds: (standHeight.torso, .infinity), margin: standHeight.torso),
      DMCRewards.tolerance(
        physics.xpos(pelvis, 2), bounds: (standHeight.pelvis, .infinity), margin: standHeight.pelvis),
    ]
    for body in [skull, torso, pelvis] {
      factors.append(
        DMCRewards.tolerance(
          physics.xmat(body, 2, 2), bounds: (Self.minUprightCosine, .infinity), margin: Self.minUprightCosine + 1,
          sigmoid: .linear, valueAtMargin: 0))
    }
    var touchSum = 0.0
    for range in touch { for i in range { touchSum += physics.sensordata[i] } }
    factors.append(
      DMCRewards.tolerance(
        touchSum, bounds: (bodyWeight, .infinity), margin: bodyWeight, sigmoid: .linear,
        valueAtMargin: 0.9))
    if let moveSpeed {
      let forwardVelocity = physics.inFrame(of: torso, comVelocity(physics)).x
      let forward = DMCRewards.tolerance(
        forwardVelocity, bounds: (moveSpeed, 2 * moveSpeed), margin: max(1, moveSpeed),
        sigmoid: .linear, valueAtMargin: 0)
      factors.append((4 * forward + 1) / 5)
    }
    return factors.reduce(1, *)
  }
}
