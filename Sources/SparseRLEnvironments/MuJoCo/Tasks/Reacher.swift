import Foundation
import SparseRLNumerics

/// `Reacher-v5`: move a two-joint arm's fingertip to a random target (Gymnasium's `reacher_v5.py`).
///
/// Observation (10): `cos` and `sin` of the two joint angles, the target position `qpos[2...3]`, the joint
/// velocities `qvel[0...1]`, and the planar fingertip-minus-target vector. Reward: `-|fingertip - target| -
/// sum(action^2)`. Never terminates (50-step limit). Reset: joint angles plus uniform noise (0.1), a target
/// uniform in the disc of radius 0.2 (rejection sampling in the square), joint velocities plus uniform noise
/// (0.005), target velocity zero.
struct ReacherTask: MuJoCoTask {
  var distanceRewardWeight = 1.0
  var controlRewardWeight = 1.0
  /// Body ids of the fingertip and the target (set by `prepare`).
  private(set) var fingertip = 0
  private(set) var target = 0

  var id: String { "Reacher-v5" }
  var modelFile: String { "reacher.xml" }
  var frameSkip: Int { 2 }

  mutating func prepare(_ simulation: MuJoCoSimulation) throws(MuJoCoLibraryError) {
    let path = simulation.library.installation.modelPath(modelFile).path
    guard let fingertip = simulation.bodyID("fingertip"), let target = simulation.bodyID("target")
    else {
      throw .modelFailed(path: path, reason: "no bodies named 'fingertip' and 'target'")
    }
    self.fingertip = fingertip
    self.target = target
  }

  func observationCount(_ simulation: MuJoCoSimulation) -> Int { 10 }

  /// Fingertip minus target, in the world frame.
  private func offset(_ simulation: MuJoCoSimulation) -> SIMD3<Double> {
    let xpos = simulation.xpos
    return SIMD3(
      xpos[3 * fingertip] - xpos[3 * target], xpos[3 * fingertip + 1] - xpos[3 * target + 1],
      xpos[3 * fingertip + 2] - xpos[3 * target + 2])
  }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    let qpos = simulation.qpos
    let qvel = simulation.qvel
    let offset = offset(simulation)
    return [
      cos(qpos[0]), cos(qpos[1]), sin(qpos[0]), sin(qpos[1]), qpos[2], qpos[3], qvel[0], qvel[1],
      offset.x,
      offset.y,
    ].map { Float($0) }
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let offset = offset(simulation)
    let distance = -(offset * offset).sum().squareRoot() * distanceRewardWeight
    let control = -MuJoCoTerms.controlCost(action, weight: controlRewardWeight)
    return MuJoCoOutcome(
      reward: distance + control, terminated: false,
      info: Info(["reward_dist": distance, "reward_ctrl": control]))
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    var positions = MuJoCoTerms.uniformNoise(qpos, scale: 0.1, &generator)
    var goal: SIMD2<Double>
    repeat {
      goal = SIMD2(generator.uniform(-0.2, 0.2), generator.uniform(-0.2, 0.2))
    } while (goal * goal).sum().squareRoot() >= 0.2
    positions[positions.count - 2] = goal.x
    positions[positions.count - 1] = goal.y
    var velocities = MuJoCoTerms.uniformNoise(qvel, scale: 0.005, &generator)
    velocities[velocities.count - 2] = 0
    velocities[velocities.count - 1] = 0
    return (positions, velocities)
  }
}
