import SparseRLNumerics

/// `Hopper-v5` and `Walker2d-v5`: planar walkers rewarded for moving forward while staying healthy
/// (Gymnasium's `hopper_v5.py`, `walker2d_v5.py`).
///
/// Observation: `qpos[1...]`, `qvel` clipped to [-10, 10]. Reward: `forward_reward_weight * x_velocity +
/// healthy_reward * healthy - ctrl_cost_weight * sum(action^2)`. Terminates when unhealthy: the torso height
/// `qpos[1]` or angle `qpos[2]` leaves its open range, or (Hopper) any of `qpos[2...]`, `qvel` leaves
/// (-100, 100). Reset: positions and velocities plus uniform noise.
struct PlanarWalkerTask: MuJoCoTask {
  let id: String
  let modelFile: String
  var frameSkip: Int { 4 }
  var forwardRewardWeight = 1.0
  var controlCostWeight = 0.001
  var healthyReward = 1.0
  var terminateWhenUnhealthy = true
  /// Open range for every entry of `qpos[2...]` and `qvel` (`nil`: not checked).
  var healthyStateRange: ClosedRange<Double>?
  /// Open range for the torso height.
  var healthyZRange: ClosedRange<Double>
  /// Open range for the torso angle.
  var healthyAngleRange: ClosedRange<Double>
  var resetNoiseScale = 0.005

  /// `Hopper-v5` with its default arguments.
  static let hopper = PlanarWalkerTask(
    id: "Hopper-v5", modelFile: "hopper.xml", healthyStateRange: -100...100,
    healthyZRange: 0.7...Double.infinity,
    healthyAngleRange: -0.2...0.2)

  /// `Walker2d-v5` with its default arguments.
  static let walker2d = PlanarWalkerTask(
    id: "Walker2d-v5", modelFile: "walker2d_v5.xml", healthyStateRange: nil,
    healthyZRange: 0.8...2.0,
    healthyAngleRange: -1...1)

  func observationCount(_ simulation: MuJoCoSimulation) -> Int { simulation.nq - 1 + simulation.nv }

  func observation(_ simulation: MuJoCoSimulation) -> [Float] {
    var observation: [Float] = []
    observation.reserveCapacity(observationCount(simulation))
    MuJoCoTerms.append(simulation.qpos, 1..<simulation.nq, to: &observation)
    MuJoCoTerms.append(simulation.qvel, 0..<simulation.nv, to: &observation, clippedTo: -10...10)
    return observation
  }

  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double> {
    SIMD2(simulation.qpos[0], 0)
  }

  /// Whether `value` lies strictly inside `range`.
  private func inside(_ value: Double, _ range: ClosedRange<Double>) -> Bool {
    range.lowerBound < value && value < range.upperBound
  }

  func isHealthy(_ simulation: MuJoCoSimulation) -> Bool {
    if let range = healthyStateRange {
      for i in 2..<simulation.nq where !inside(simulation.qpos[i], range) { return false }
      for i in 0..<simulation.nv where !inside(simulation.qvel[i], range) { return false }
    }
    return inside(simulation.qpos[1], healthyZRange)
      && inside(simulation.qpos[2], healthyAngleRange)
  }

  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  {
    let healthy = isHealthy(simulation)
    let forward = forwardRewardWeight * velocity.x
    let survive = healthy ? healthyReward : 0
    let control = MuJoCoTerms.controlCost(action, weight: controlCostWeight)
    let info = Info([
      "x_position": simulation.qpos[0],
      "z_distance_from_origin": simulation.qpos[1] - simulation.qpos0[1],
      "x_velocity": velocity.x, "reward_forward": forward, "reward_ctrl": -control,
      "reward_survive": survive,
    ])
    return MuJoCoOutcome(
      reward: forward + survive - control, terminated: !healthy && terminateWhenUnhealthy,
      info: info)
  }

  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double]) {
    let positions = MuJoCoTerms.uniformNoise(qpos, scale: resetNoiseScale, &generator)
    return (positions, MuJoCoTerms.uniformNoise(qvel, scale: resetNoiseScale, &generator))
  }

  func resetInfo(_ simulation: MuJoCoSimulation) -> Info {
    Info([
      "x_position": simulation.qpos[0],
      "z_distance_from_origin": simulation.qpos[1] - simulation.qpos0[1],
    ])
  }
}
