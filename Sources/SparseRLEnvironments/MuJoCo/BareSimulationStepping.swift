/// An environment that runs on a MuJoCo simulation and can step it bare, for benchmarks that separate the
/// simulator's own cost from the environment's (observation, reward, checks).
public protocol BareSimulationStepping: Environment {
  /// Writes `action` to the controls and runs one environment step's `mj_step` calls only; the episode state is
  /// left as after a step whose observation was not read.
  func stepPhysicsOnly(_ action: [Float])
}

extension MuJoCoEnvironment: BareSimulationStepping {}
extension DMCEnvironment: BareSimulationStepping {}
