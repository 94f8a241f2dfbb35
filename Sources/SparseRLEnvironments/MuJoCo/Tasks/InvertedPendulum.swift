import SparseRLNumerics

/// `InvertedPendulum-v5`: keep a pole upright on a cart (Gymnasium's `inverted_pendulum_v5.py`).
///
/// Observation: `qpos`, `qvel` (4). Reward 1 per step while the pole angle `|qpos[1]| <= 0.2` and the
/// observation is finite; otherwise the episode terminates with reward 0. Reset: uniform noise (scale 0.01).
struct InvertedPendulumTask: MuJoCoTask {
  var resetNoiseScale = 0.01

  var id: String { "InvertedPendulum-v5" }
  var modelFile: String { "inverted_pendulum.xml" }
  var frameSkip: Int { 2 }

  func observationCount(_ simulation: MuJoCoSimulation) -> Int { simulation.nq + simulation.nv }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    var observation: [Float] = []
    observation.reserveCapacity(observationCount(simulation))
    MuJoCoTerms.append(simulation.qpos, 0..<simulation.nq, to: &observation)
    MuJoCoTerms.append(simulation.qvel, 0..<simulation.nv, to: &observation)
    return observation
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let finite = simulation.qpos.allSatisfy(\.isFinite) && simulation.qvel.allSatisfy(\.isFinite)
    let terminated = !finite || abs(simulation.qpos[1]) > 0.2
    let reward = terminated ? 0.0 : 1.0
    return MuJoCoOutcome(
      reward: reward, terminated: terminated, info: Info(["reward_survive": reward]))
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    let positions = MuJoCoTerms.uniformNoise(qpos, scale: resetNoiseScale, &generator)
    return (positions, MuJoCoTerms.uniformNoise(qvel, scale: resetNoiseScale, &generator))
  }
}
