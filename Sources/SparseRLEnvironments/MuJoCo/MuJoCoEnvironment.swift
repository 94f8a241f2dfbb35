import SparseRLNumerics

/// A Gymnasium v5 MuJoCo environment running on the MuJoCo C library (loaded at run time, see
/// `MuJoCoInstallation`).
///
/// `step` writes the action to the controls, advances `frameSkip` physics steps and runs MuJoCo's
/// post-constraint pass (as Gymnasium's `do_simulation`), then computes observation, reward and termination
/// in Swift. Observations are Gymnasium's float64 values rounded to `Float`. The bare environment never
/// truncates: the registered 1000-step limit is applied by `make`'s time limit.
///
/// `saveState` captures MuJoCo's full integration state (`mjSTATE_INTEGRATION`, which includes the solver's
/// warm start), the generator and the episode phase, so a restored environment continues bit for bit.
public final class MuJoCoEnvironment: Environment {
  private enum Phase: Int {
    case needsReset = 0
    case running, terminated
  }

  public let id: String
  public let observationSpace: Space
  public let actionSpace: Space
  /// Seconds of simulated time per step (`timestep * frameSkip`).
  public let dt: Double
  /// MuJoCo's version, e.g. `4.0.0`.
  public var mujocoVersion: String { simulation.library.versionString }

  let task: any MuJoCoTask
  let simulation: MuJoCoSimulation
  private let actionBox: BoxSpace
  private let initialQpos: [Double]
  private let initialQvel: [Double]
  private var generator: RandomGenerator
  private var phase = Phase.needsReset
  /// The task's tracked position after the last reset or step (Gymnasium reads it from the simulation before
  /// stepping; keeping it here makes restored states exact, since derived quantities are not part of MuJoCo's
  /// integration state).
  private var tracked = SIMD2<Double>.zero

  /// Loads the task's model from `installation`; throws `EnvironmentError.unavailable` when MuJoCo is missing.
  init(task: any MuJoCoTask, installation: MuJoCoInstallation = .default) throws(EnvironmentError) {
    var task = task
    do {
      let library = try MuJoCoLibrary.shared(installation)
      simulation = try MuJoCoSimulation(model: task.modelFile, library: library)
      try task.prepare(simulation)
    } catch {
      throw .unavailable(id: task.id, reason: error.description)
    }
    self.task = task
    id = task.id
    dt = simulation.timestep * Double(task.frameSkip)
    let range = simulation.actuatorCtrlRange
    actionBox = BoxSpace(
      low: (0..<simulation.nu).map { Float(range[2 * $0]) },
      high: (0..<simulation.nu).map { Float(range[2 * $0 + 1]) })
    actionSpace = .box(actionBox)
    let count = task.observationCount(simulation)
    observationSpace = .box(
      BoxSpace(low: -.infinity, high: .infinity, shape: [count], elementType: .float64))
    initialQpos = Array(simulation.qpos0)
    initialQvel = Array(repeating: 0, count: simulation.nv)
    generator = RandomGenerator(seed: UInt64.random(in: .min ... .max))
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    if let seed { generator = RandomGenerator(seed: seed) }
    simulation.reset()
    let start = task.initialState(qpos: initialQpos, qvel: initialQvel, generator: &generator)
    setState(qpos: start.qpos, qvel: start.qvel)
    phase = .running
    return (task.observation(simulation), task.resetInfo(simulation))
  }

  public func step(_ action: Action) throws -> Step {
    guard phase == .running else { throw EnvironmentError.needsReset(environment: id) }
    guard case .continuous(let values) = action, actionBox.contains(values) else {
      throw EnvironmentError.invalidAction(
        environment: id, action: "\(action)", space: "\(actionSpace)")
    }
    let before = tracked
    for i in 0..<values.count { simulation.ctrl[i] = Double(values[i]) }
    simulation.step(frames: task.frameSkip)
    tracked = task.trackedPosition(simulation)
    let outcome = task.outcome(simulation, action: values, velocity: (tracked - before) / dt)
    if outcome.terminated { phase = .terminated }
    return Step(
      observation: task.observation(simulation), reward: outcome.reward,
      terminated: outcome.terminated,
      truncated: false, info: outcome.info)
  }

  /// Writes `action` to the controls and runs the frame skip's bare `mj_step` calls, without the
  /// post-constraint pass, observation, reward or checks: the simulator's own cost, for benchmarks. The
  /// episode state is left as after a step whose observation was not read.
  public func stepPhysicsOnly(_ action: [Float]) {
    precondition(action.count == simulation.nu, "\(id): expected \(simulation.nu) controls")
    for i in 0..<action.count { simulation.ctrl[i] = Double(action[i]) }
    simulation.stepOnly(frames: task.frameSkip)
  }

  /// Sets joint positions and velocities and recomputes derived quantities (Gymnasium's `set_state`). The
  /// episode continues from there.
  public func setState(qpos: [Double], qvel: [Double]) {
    simulation.setPositionsAndVelocities(qpos: qpos, qvel: qvel)
    tracked = task.trackedPosition(simulation)
  }

  /// The current joint positions (`qpos`).
  public var qpos: [Double] { Array(simulation.qpos) }
  /// The current joint velocities (`qvel`).
  public var qvel: [Double] { Array(simulation.qvel) }

  /// The current observation (as `reset` and `step` compute it).
  public var observation: [Float] { task.observation(simulation) }

  public func saveState() -> EnvironmentState {
    EnvironmentState(
      reals: simulation.integrationState() + [tracked.x, tracked.y], integers: [phase.rawValue],
      generators: [generator])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let expected = simulation.stateSize + 2
    guard state.reals.count == expected else {
      throw EnvironmentError.invalidState(
        environment: id, reason: "expected \(expected) real values, found \(state.reals.count)")
    }
    guard state.integers.count == 1, let phase = Phase(rawValue: state.integers[0]) else {
      throw EnvironmentError.invalidState(environment: id, reason: "expected one valid phase value")
    }
    guard state.generators.count == 1 else {
      throw EnvironmentError.invalidState(environment: id, reason: "expected one random generator")
    }
    simulation.setIntegrationState(state.reals[0..<simulation.stateSize])
    tracked = SIMD2(state.reals[expected - 2], state.reals[expected - 1])
    self.phase = phase
    generator = state.generators[0]
  }
}
