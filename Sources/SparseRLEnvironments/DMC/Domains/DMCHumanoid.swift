import SparseRLNumerics

/// `suite/humanoid.py`, tasks `stand`, `walk` (1 m/s) and `run` (10 m/s), with egocentric features
/// (`pure_state=False`).
struct DMCHumanoid: DMCTask {
  let domain = "humanoid"
  let task: String
  /// Target horizontal speed of the centre of mass (0: stand still).
  let moveSpeed: Double
  let controlTimestep: Double? = 0.025
  let timeLimit = 25.0
  static let standHeight = 1.4
  private var torso = 0
  private var head = 0
  private var extremities: [Int] = []
  private var comVelocity = 0..<0

  static let stand = DMCHumanoid(task: "stand", moveSpeed: 0)
  static let walk = DMCHumanoid(task: "walk", moveSpeed: 1)
  static let run = DMCHumanoid(task: "run", moveSpeed: 10)

  private init(task: String, moveSpeed: Double) {
    self.task = task
    self.moveSpeed = moveSpeed
  }

  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    try DMCRandomizers.checkSupported(physics)
    torso = try physics.body("torso")
    head = try physics.body("head")
    extremities = []
    for side in ["left_", "right_"] {
      for limb in ["hand", "foot"] { extremities.append(try physics.body(side + limb)) }
    }
    comVelocity = try physics.sensor("torso_subtreelinvel")
  }

  /// Random joint configurations (`randomize_limited_and_rotational_joints`) until one has no contact.
  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator) {
    repeat {
      DMCRandomizers.randomizeLimitedAndRotationalJoints(physics, &generator)
      physics.afterReset()
    } while physics.contactCount > 0
  }

  /// `joint_angles` (qpos after the free root's 7), `head_height`, `extremities` (hands and feet relative to
  /// the torso in its frame), `torso_vertical` (the torso frame's z row), `com_velocity`, `velocity`.
  func observation(_ physics: DMCPhysics, into observation: inout [Double]) {
    observation.append(physics.qpos, 7..<physics.qpos.count)
    observation.append(physics.xpos(head, 2))
    let torsoPosition = physics.position(torso)
    for limb in extremities {
      observation.append(physics.inFrame(of: torso, physics.position(limb) - torsoPosition))
    }
    for column in 0..<3 { observation.append(physics.xmat(torso, 2, column)) }
    observation.append(physics.sensordata, comVelocity)
    observation.append(physics.qvel, 0..<physics.qvel.count)
  }

  func reward(_ physics: DMCPhysics) -> Double {
    let standing = DMCRewards.tolerance(
      physics.xpos(head, 2), bounds: (Self.standHeight, .infinity), margin: Self.standHeight / 4)
    let upright = DMCRewards.tolerance(
      physics.xmat(torso, 2, 2), bounds: (0.9, .infinity), margin: 1.9, sigmoid: .linear,
      valueAtMargin: 0)
    let stand = standing * upright
    let smallControl =
      (4
        + DMCRewards.meanTolerance(
          physics.ctrl, margin: 1, sigmoid: .quadratic, valueAtMargin: 0)) / 5
    let vx = physics.sensordata[comVelocity.lowerBound]
    let vy = physics.sensordata[comVelocity.lowerBound + 1]
    if moveSpeed == 0 {
      let dontMove = DMCRewards.meanTolerance([vx, vy], margin: 2)
      return smallControl * stand * dontMove
    }
    let move = DMCRewards.tolerance(
      (vx * vx + vy * vy).squareRoot(), bounds: (moveSpeed, .infinity), margin: moveSpeed,
      sigmoid: .linear, valueAtMargin: 0)
    return smallControl * stand * ((5 * move + 1) / 6)
  }
}
