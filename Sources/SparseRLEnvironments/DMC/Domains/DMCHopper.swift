import Foundation
import SparseRLNumerics

/// `suite/hopper.py`, task `hop`: stand (torso 0.6 to 2 m above the foot) and hop forward at 2 m/s.
struct DMCHopperHop: DMCTask {
  let domain = "hopper"
  let task = "hop"
  let controlTimestep: Double? = 0.02
  let timeLimit = 20.0
  static let standHeight = 0.6
  static let hopSpeed = 2.0
  private var torso = 0
  private var foot = 0
  private var speed = 0
  private var touchToe = 0
  private var touchHeel = 0

  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    try DMCRandomizers.checkSupported(physics)
    torso = try physics.body("torso")
    foot = try physics.body("foot")
    speed = try physics.sensor("torso_subtreelinvel").lowerBound
    touchToe = try physics.sensor("touch_toe").lowerBound
    touchHeel = try physics.sensor("touch_heel").lowerBound
  }

  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator) {
    DMCRandomizers.randomizeLimitedAndRotationalJoints(physics, &generator)
  }

  /// `position` (qpos without the horizontal root position), `velocity`, `touch` (log1p of the toe and heel
  /// touch sensors).
  func observation(_ physics: DMCPhysics, into observation: inout [Double]) {
    observation.append(physics.qpos, 1..<physics.qpos.count)
    observation.append(physics.qvel, 0..<physics.qvel.count)
    observation.append(Foundation.log1p(physics.sensordata[touchToe]))
    observation.append(Foundation.log1p(physics.sensordata[touchHeel]))
  }

  func reward(_ physics: DMCPhysics) -> Double {
    let height = physics.xipos[3 * torso + 2] - physics.xipos[3 * foot + 2]
    let standing = DMCRewards.tolerance(height, bounds: (Self.standHeight, 2))
    let hopping = DMCRewards.tolerance(
      physics.sensordata[speed], bounds: (Self.hopSpeed, .infinity), margin: Self.hopSpeed / 2,
      sigmoid: .linear, valueAtMargin: 0.5)
    return standing * hopping
  }
}
