import SparseRLNumerics

/// `Humanoid-v5`: a 3D humanoid rewarded for walking forward without falling (Gymnasium's `humanoid_v5.py`).
///
/// Observation (348): `qpos[2...]`, `qvel`, `cinert[1...]`, `cvel[1...]`, `qfrc_actuator[6...]`,
/// `cfrc_ext[1...]`. The velocity is that of the mass-weighted mean of the body centres of mass. Reward:
/// `1.25 * x_velocity + 5 * healthy - 0.1 * sum(ctrl^2) - min(5e-7 * sum(cfrc_ext^2), 10)`. Healthy:
/// `1 < qpos[2] < 2`. Reset: positions and velocities plus uniform noise (scale 0.01).
struct HumanoidTask: MuJoCoTask {
  var forwardRewardWeight = 1.25
  var controlCostWeight = 0.1
  var contactCostWeight = 5e-7
  var contactCostLimit = 10.0
  var healthyReward = 5.0
  var terminateWhenUnhealthy = true
  var healthyZRange = 1.0...2.0
  var resetNoiseScale = 1e-2

  var id: String { "Humanoid-v5" }
  var modelFile: String { "humanoid.xml" }
  var frameSkip: Int { 5 }

  func observationCount(_ simulation: MuJoCoSimulation) -> Int {
    let bodies = simulation.nbody - 1
    return simulation.nq - 2 + simulation.nv + bodies * 10 + bodies * 6 + (simulation.nv - 6)
      + bodies * 6
  }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    var observation: [Float] = []
    observation.reserveCapacity(observationCount(simulation))
    let bodies = simulation.nbody
    MuJoCoTerms.append(simulation.qpos, 2..<simulation.nq, to: &observation)
    MuJoCoTerms.append(simulation.qvel, 0..<simulation.nv, to: &observation)
    MuJoCoTerms.append(simulation.cinert, 10..<bodies * 10, to: &observation)
    MuJoCoTerms.append(simulation.cvel, 6..<bodies * 6, to: &observation)
    MuJoCoTerms.append(simulation.qfrcActuator, 6..<simulation.nv, to: &observation)
    MuJoCoTerms.append(simulation.cfrcExt, 6..<bodies * 6, to: &observation)
    return observation
  }

  /// The horizontal position of the mass centre: `sum_b mass_b * xipos_b / sum_b mass_b`.
  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double> {
    var weighted = SIMD2<Double>.zero
    var mass = 0.0
    for body in 0..<simulation.nbody {
      let m = simulation.bodyMass[body]
      weighted += m * SIMD2(simulation.xipos[3 * body], simulation.xipos[3 * body + 1])
      mass += m
    }
    return weighted / mass
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let z = simulation.qpos[2]
    let healthy = healthyZRange.lowerBound < z && z < healthyZRange.upperBound
    let forward = forwardRewardWeight * velocity.x
    let survive = healthy ? healthyReward : 0
    var squaredControls = 0.0
    for value in simulation.ctrl { squaredControls += value * value }
    let control = controlCostWeight * squaredControls
    var squaredForces = 0.0
    for force in simulation.cfrcExt { squaredForces += force * force }
    let contact = min(contactCostWeight * squaredForces, contactCostLimit)
    var info = MuJoCoTerms.planarInfo(simulation, velocity: velocity)
    info["reward_survive"] = survive
    info["reward_forward"] = forward
    info["reward_ctrl"] = -control
    info["reward_contact"] = -contact
    return MuJoCoOutcome(
      reward: forward + survive - (control + contact),
      terminated: !healthy && terminateWhenUnhealthy, info: info)
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    let positions = MuJoCoTerms.uniformNoise(qpos, scale: resetNoiseScale, &generator)
    return (positions, MuJoCoTerms.uniformNoise(qvel, scale: resetNoiseScale, &generator))
  }

  func resetInfo(_ simulation: MuJoCoSimulation) -> Info { MuJoCoTerms.planarInfo(simulation) }
}
