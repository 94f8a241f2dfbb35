import SparseRLNumerics

/// `Ant-v5`: a four-legged robot rewarded for moving in +x (Gymnasium's `ant_v5.py`).
///
/// Observation: `qpos[2...]`, `qvel`, `cfrc_ext[1...]` clipped to [-1, 1] (105). The velocity is that of the
/// torso frame (body 1). Reward: `x_velocity + healthy_reward * healthy - 0.5 * sum(action^2) - 5e-4 *
/// sum(clip(cfrc_ext, -1, 1)^2)`. Healthy: every position and velocity finite and `0.2 <= qpos[2] <= 1`.
/// Reset: positions plus uniform noise, velocities plus Gaussian noise (scale 0.1).
struct AntTask: MuJoCoTask {
  var forwardRewardWeight = 1.0
  var controlCostWeight = 0.5
  var contactCostWeight = 5e-4
  var healthyReward = 1.0
  var mainBody = 1
  var terminateWhenUnhealthy = true
  var healthyZRange = 0.2...1.0
  var contactForceRange = -1.0...1.0
  var resetNoiseScale = 0.1

  var id: String { "Ant-v5" }
  var modelFile: String { "ant.xml" }
  var frameSkip: Int { 5 }

  func observationCount(_ simulation: MuJoCoSimulation) -> Int {
    simulation.nq - 2 + simulation.nv + (simulation.nbody - 1) * 6
  }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    var observation: [Float] = []
    observation.reserveCapacity(observationCount(simulation))
    MuJoCoTerms.append(simulation.qpos, 2..<simulation.nq, to: &observation)
    MuJoCoTerms.append(simulation.qvel, 0..<simulation.nv, to: &observation)
    MuJoCoTerms.append(
      simulation.cfrcExt, 6..<simulation.nbody * 6, to: &observation, clippedTo: contactForceRange)
    return observation
  }

  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double> {
    SIMD2(simulation.xpos[3 * mainBody], simulation.xpos[3 * mainBody + 1])
  }

  func isHealthy(_ simulation: MuJoCoSimulation) -> Bool {
    for value in simulation.qpos where !value.isFinite { return false }
    for value in simulation.qvel where !value.isFinite { return false }
    return healthyZRange.contains(simulation.qpos[2])
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let healthy = isHealthy(simulation)
    let forward = velocity.x * forwardRewardWeight
    let survive = healthy ? healthyReward : 0
    let control = MuJoCoTerms.controlCost(action, weight: controlCostWeight)
    var squaredForces = 0.0
    for force in simulation.cfrcExt {
      let clipped = min(max(force, contactForceRange.lowerBound), contactForceRange.upperBound)
      squaredForces += clipped * clipped
    }
    let contact = contactCostWeight * squaredForces
    var info = MuJoCoTerms.planarInfo(simulation, velocity: velocity)
    info["reward_forward"] = forward
    info["reward_ctrl"] = -control
    info["reward_contact"] = -contact
    info["reward_survive"] = survive
    return MuJoCoOutcome(
      reward: forward + survive - (control + contact),
      terminated: !healthy && terminateWhenUnhealthy, info: info)
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    let positions = MuJoCoTerms.uniformNoise(qpos, scale: resetNoiseScale, &generator)
    return (positions, MuJoCoTerms.normalNoise(qvel, scale: resetNoiseScale, &generator))
  }

  func resetInfo(_ simulation: MuJoCoSimulation) -> Info { MuJoCoTerms.planarInfo(simulation) }
}
