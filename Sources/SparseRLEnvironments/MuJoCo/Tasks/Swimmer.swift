import SparseRLNumerics

/// `Swimmer-v5`: a three-link swimmer in a viscous fluid rewarded for moving in +x (Gymnasium's
/// `swimmer_v5.py`).
///
/// Observation: `qpos[2...]`, `qvel` (8). Reward: `x_velocity - 1e-4 * sum(action^2)`, where the velocity is
/// that of `qpos[0...1]`. Never terminates. Reset: positions and velocities plus uniform noise (scale 0.1).
struct SwimmerTask: MuJoCoTask {
  var forwardRewardWeight = 1.0
  var controlCostWeight = 1e-4
  var resetNoiseScale = 0.1

  var id: String { "Swimmer-v5" }
  var modelFile: String { "swimmer.xml" }
  var frameSkip: Int { 4 }

  func observationCount(_ simulation: MuJoCoSimulation) -> Int { simulation.nq - 2 + simulation.nv }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    var observation: [Float] = []
    observation.reserveCapacity(observationCount(simulation))
    MuJoCoTerms.append(simulation.qpos, 2..<simulation.nq, to: &observation)
    MuJoCoTerms.append(simulation.qvel, 0..<simulation.nv, to: &observation)
    return observation
  }

  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double> {
    SIMD2(simulation.qpos[0], simulation.qpos[1])
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let forward = forwardRewardWeight * velocity.x
    let control = MuJoCoTerms.controlCost(action, weight: controlCostWeight)
    var info = MuJoCoTerms.planarInfo(simulation, velocity: velocity)
    info["reward_forward"] = forward
    info["reward_ctrl"] = -control
    return MuJoCoOutcome(reward: forward - control, terminated: false, info: info)
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    let positions = MuJoCoTerms.uniformNoise(qpos, scale: resetNoiseScale, &generator)
    return (positions, MuJoCoTerms.uniformNoise(qvel, scale: resetNoiseScale, &generator))
  }

  func resetInfo(_ simulation: MuJoCoSimulation) -> Info { MuJoCoTerms.planarInfo(simulation) }
}
