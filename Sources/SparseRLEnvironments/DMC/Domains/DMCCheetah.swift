import SparseRLNumerics

/// `suite/cheetah.py`, task `run`: forward speed of the torso subtree, linear up to 10 m/s.
struct DMCCheetahRun: DMCTask {
  let domain = "cheetah"
  let task = "run"
  let controlTimestep: Double? = nil
  let timeLimit = 10.0
  static let runSpeed = 10.0
  private var speed = 0..<0

  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    speed = try physics.sensor("torso_subtreelinvel")
  }

  /// Limited joints uniform in their ranges, then 200 physics steps to settle, and the clock back to zero.
  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator) {
    for joint in physics.joints where joint.limited {
      physics.qpos[joint.qposAddress] = generator.uniform(joint.range.lower, joint.range.upper)
    }
    physics.step(200)
    physics.time[0] = 0
  }

  /// `position` (qpos without the horizontal root position), `velocity` (qvel).
  func observation(_ physics: DMCPhysics, into observation: inout [Double]) {
    observation.append(physics.qpos, 1..<physics.qpos.count)
    observation.append(physics.qvel, 0..<physics.qvel.count)
  }

  func reward(_ physics: DMCPhysics) -> Double {
    DMCRewards.tolerance(
      physics.sensordata[speed.lowerBound], bounds: (Self.runSpeed, .infinity),
      margin: Self.runSpeed, sigmoid: .linear, valueAtMargin: 0)
  }
}
