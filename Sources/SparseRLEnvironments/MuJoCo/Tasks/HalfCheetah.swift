import SparseRLNumerics

/// `HalfCheetah-v5`: a planar cheetah rewarded for running forward (Gymnasium's `half_cheetah_v5.py`).
///
/// Observation: `qpos[1...]`, `qvel` (17). Reward: `forward_reward_weight * x_velocity - ctrl_cost_weight *
/// sum(action^2)`. Never terminates. Reset: positions plus uniform noise, velocities plus Gaussian noise.
struct HalfCheetahTask: MuJoCoTask {
  var forwardRewardWeight = 1.0
  var controlCostWeight = 0.1
  var resetNoiseScale = 0.1

  var id: String { "HalfCheetah-v5" }
  var modelFile: String { "half_cheetah.xml" }
  var frameSkip: Int { 5 }

  func observationCount(_ simulation: MuJoCoSimulation) -> Int { simulation.nq - 1 + simulation.nv }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    var observation: [Float] = []
    observation.reserveCapacity(observationCount(simulation))
    MuJoCoTerms.append(simulation.qpos, 1..<simulation.nq, to: &observation)
    MuJoCoTerms.append(simulation.qvel, 0..<simulation.nv, to: &observation)
    return observation
  }

  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double> {
    SIMD2(simulation.qpos[0], 0)
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let forward = forwardRewardWeight * velocity.x
    let control = MuJoCoTerms.controlCost(action, weight: controlCostWeight)
    let info = Info([
      "x_position": simulation.qpos[0], "x_velocity": velocity.x, "reward_forward": forward,
      "reward_ctrl": -control,
    ])
    return MuJoCoOutcome(reward: forward - control, terminated: false, info: info)
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    let positions = MuJoCoTerms.uniformNoise(qpos, scale: resetNoiseScale, &generator)
    return (positions, MuJoCoTerms.normalNoise(qvel, scale: resetNoiseScale, &generator))
  }

  func resetInfo(_ simulation: MuJoCoSimulation) -> Info {
    Info(["x_position": simulation.qpos[0]])
  }
}
