import SparseRLNumerics

/// `suite/walker.py` (planar walker), tasks `walk` (1 m/s) and `run` (8 m/s).
struct DMCWalker: DMCTask {
  let domain = "walker"
  let task: String
  let moveSpeed: Double
  let controlTimestep: Double? = 0.025
  let timeLimit = 25.0
  static let standHeight = 1.2
  private var torso = 0
  private var speed = 0

  static let walk = DMCWalker(task: "walk", moveSpeed: 1)
  static let run = DMCWalker(task: "run", moveSpeed: 8)

  private init(task: String, moveSpeed: Double) {
    self.task = task
    self.moveSpeed = moveSpeed
  }

  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    try DMCRandomizers.checkSupported(physics)
    torso = try physics.body("torso")
    speed = try physics.sensor("torso_subtreelinvel").lowerBound
  }

  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator) {
    DMCRandomizers.randomizeLimitedAndRotationalJoints(physics, &generator)
  }

  /// `orientations` (xx and xz of every body but the world), `height` (torso z), `velocity` (qvel).
  func observation(_ physics: DMCPhysics, into observation: inout [Double]) {
    for body in 1..<physics.simulation.nbody {
      observation.append(physics.xmat(body, 0, 0))
      observation.append(physics.xmat(body, 0, 2))
    }
    observation.append(physics.xpos(torso, 2))
    observation.append(physics.qvel, 0..<physics.qvel.count)
  }

  func reward(_ physics: DMCPhysics) -> Double {
    let standing = DMCRewards.tolerance(
      physics.xpos(torso, 2), bounds: (Self.standHeight, .infinity), margin: Self.standHeight / 2)
    let upright = (1 + physics.xmat(torso, 2, 2)) / 2
    let stand = (3 * standing + upright) / 4
    let move = DMCRewards.tolerance(
      physics.sensordata[speed], bounds: (moveSpeed, .infinity), margin: moveSpeed / 2,
      sigmoid: .linear, valueAtMargin: 0.5)
    return stand * (5 * move + 1) / 6
  }
}
