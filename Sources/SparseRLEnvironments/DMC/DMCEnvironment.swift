import Foundation
import SparseRLNumerics

/// A DeepMind Control Suite task (dm_control's `control.Environment` around a suite task) on the MuJoCo C
/// library, with Gymnasium-style `reset`/`step`.
///
/// One `step` applies the action for `actionRepeat` control steps and returns the summed reward and the last
/// observation; each control step is dm_control's: the action written to the controls, `Physics.step` over
/// the task's physics steps per control step (legacy stepping), then reward and observation. Observations
/// are the task's observation dictionary flattened in its order (float64 values rounded to `Float`;
/// `observationValues` keeps them in double precision). The suite never terminates these tasks; the bare
/// environment never truncates either: the registered ids add dm_control's 1000-control-step time limit as
/// `1000 / actionRepeat` steps.
///
/// `saveState` captures MuJoCo's integration state, the sensor values of the last physics step (touch and
/// force sensors are not recomputable from the state), the generator and the episode phase.
public final class DMCEnvironment: Environment {
  public let id: String
  public let observationSpace: Space
  public let actionSpace: Space
  /// Control steps per `step` (1: dm_control's own stepping).
  public let actionRepeat: Int
  /// Physics steps per control step (dm_control's `n_sub_steps`).
  public let physicsStepsPerControlStep: Int
  /// Control steps per episode in dm_control (`time_limit / (timestep * n_sub_steps)`).
  public let controlStepLimit: Double
  /// MuJoCo's version, e.g. `3.17.0`.
  public var mujocoVersion: String { physics.simulation.library.versionString }

  let task: any DMCTask
  let physics: DMCPhysics
  private let actionBox: BoxSpace
  private var generator: RandomGenerator
  private var running = false

  init(task: any DMCTask, actionRepeat: Int = 1, installation: MuJoCoInstallation = .default)
    throws(EnvironmentError)
  {
    precondition(actionRepeat >= 1, "action repeat must be positive")
    var task = task
    let id = actionRepeat == 1 ? task.id : DMC.id(task.id, actionRepeat: actionRepeat)
    do {
      let library = try MuJoCoLibrary.shared(installation)
      let path = installation.home.appendingPathComponent("dmc").appendingPathComponent(task.modelFile)
      guard FileManager.default.fileExists(atPath: path.path) else {
        throw MuJoCoLibraryError.notInstalled("DeepMind Control model \(path.path) does not exist")
      }
      physics = try DMCPhysics(path: path.path, library: library)
      try task.prepare(physics)
    } catch let error as MuJoCoLibraryError {
      throw .unavailable(id: id, reason: error.description)
    } catch {
      throw .unavailable(id: id, reason: "\(error)")
    }
    self.task = task
    self.id = id
    self.actionRepeat = actionRepeat
    let timestep = physics.simulation.timestep
    physicsStepsPerControlStep = task.controlTimestep.map { Int(($0 / timestep).rounded()) } ?? 1
    controlStepLimit = task.timeLimit / (timestep * Double(physicsStepsPerControlStep))
    let range = physics.simulation.actuatorCtrlRange
    let nu = physics.simulation.nu
    actionBox = BoxSpace(
      low: (0..<nu).map { Float(range[2 * $0]) }, high: (0..<nu).map { Float(range[2 * $0 + 1]) })
    actionSpace = .box(actionBox)
    var observation: [Double] = []
    task.observation(physics, into: &observation)
    observationSpace = .box(
      BoxSpace(low: -.infinity, high: .infinity, shape: [observation.count], elementType: .float64))
    generator = RandomGenerator(seed: UInt64.random(in: .min ... .max))
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    if let seed { generator = RandomGenerator(seed: seed) }
    physics.reset()
    task.initializeEpisode(physics, generator: &generator)
    physics.afterReset()
    running = true
    return (observation, Info())
  }

  public func step(_ action: Action) throws -> Step {
    guard running else { throw EnvironmentError.needsReset(environment: id) }
    guard case .continuous(let values) = action, actionBox.contains(values) else {
      throw EnvironmentError.invalidAction(
        environment: id, action: "\(action)", space: "\(actionSpace)")
    }
    var reward = 0.0
    for _ in 0..<actionRepeat {
      for i in 0..<values.count { physics.ctrl[i] = Double(values[i]) }
      physics.step(physicsStepsPerControlStep)
      reward += task.reward(physics)
    }
    return Step(observation: observation, reward: reward, terminated: false, truncated: false)
  }

  /// The current observation in double precision (as dm_control computes it).
  public var observationValues: [Double] {
    var values: [Double] = []
    task.observation(physics, into: &values)
    return values
  }

  /// The current observation.
  public var observation: [Float] { observationValues.map(Float.init) }

  /// The reward of the current state (what the last control step earned).
  public var currentReward: Double { task.reward(physics) }

  /// MuJoCo's integration state (`mjSTATE_INTEGRATION`: time, qpos, qvel, act, warm start, controls, ...).
  public var physicsState: [Double] { physics.simulation.integrationState() }

  /// Sets the integration state, then `mj_forward` with actuation disabled, as after a reset (so that the
  /// next step continues as dm_control does after `mj_setState` and `Physics.after_reset`). The episode
  /// continues from there.
  public func setPhysicsState(_ state: [Double]) {
    physics.simulation.setIntegrationState(state[...])
    physics.afterReset()
    running = true
  }

  /// Writes `action` to the controls and runs one control step's bare `mj_step` calls (no legacy step,
  /// observation or reward): the simulator's own cost, for benchmarks.
  public func stepPhysicsOnly(_ action: [Float]) {
    precondition(action.count == physics.simulation.nu, "\(id): expected \(physics.simulation.nu) controls")
    for i in 0..<action.count { physics.ctrl[i] = Double(action[i]) }
    physics.simulation.stepOnly(frames: physicsStepsPerControlStep * actionRepeat)
  }

  public func saveState() -> EnvironmentState {
    EnvironmentState(
      reals: physics.simulation.integrationState() + Array(physics.sensordata),
      integers: [running ? 1 : 0], generators: [generator])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let stateSize = physics.simulation.stateSize
    let expected = stateSize + physics.sensordata.count
    guard state.reals.count == expected else {
      throw EnvironmentError.invalidState(
        environment: id, reason: "expected \(expected) real values, found \(state.reals.count)")
    }
    guard state.integers.count == 1, state.integers[0] == 0 || state.integers[0] == 1 else {
      throw EnvironmentError.invalidState(environment: id, reason: "expected one phase value (0 or 1)")
    }
    guard state.generators.count == 1 else {
      throw EnvironmentError.invalidState(environment: id, reason: "expected one random generator")
    }
    physics.simulation.setIntegrationState(state.reals[0..<stateSize])
    physics.simulation.step1()
    for i in 0..<physics.sensordata.count { physics.sensordata[i] = state.reals[stateSize + i] }
    running = state.integers[0] == 1
    generator = state.generators[0]
  }
}
