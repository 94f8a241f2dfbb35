import Foundation

/// One MuJoCo model and its simulation data (`mjModel` + `mjData`), owned by one environment.
///
/// Arrays are views into MuJoCo's own buffers (row-major `Double`, e.g. `cfrc_ext` is `nbody x 6`); they stay
/// valid for the simulation's lifetime and change in place when the simulation steps. Not thread-safe: one
/// simulation belongs to one environment.
final class MuJoCoSimulation {
  /// The arrays the environments read or write (identifiers of the C shim's `srl_mj_array`).
  enum Array: Int32 {
    case qpos = 0
    case qvel, ctrl, xpos, xipos, cinert, cvel, qfrcActuator, cfrcExt, bodyMass, actuatorCtrlRange,
      qpos0
    case xmat, subtreeCom, sensordata, act, time, bodySubtreeMass, gravity, jointRange
  }

  /// Kinds of named model elements (the C shim's `SRL_OBJ_*`).
  enum ElementKind: Int32 {
    case body = 0
    case joint, sensor, site, geom
  }

  let library: MuJoCoLibrary
  private let handle: MuJoCoLibrary.Handle
  /// Generalised position and velocity counts, actuators, bodies.
  let nq: Int, nv: Int, nu: Int, nbody: Int
  /// Doubles in one integration state (`mjSTATE_INTEGRATION`).
  let stateSize: Int
  /// The physics time step (seconds).
  let timestep: Double

  let qpos: UnsafeMutableBufferPointer<Double>
  let qvel: UnsafeMutableBufferPointer<Double>
  let ctrl: UnsafeMutableBufferPointer<Double>
  /// Body frame positions, `nbody x 3`.
  let xpos: UnsafeMutableBufferPointer<Double>
  /// Body centre-of-mass positions, `nbody x 3`.
  let xipos: UnsafeMutableBufferPointer<Double>
  /// Centre-of-mass based body inertias, `nbody x 10`.
  let cinert: UnsafeMutableBufferPointer<Double>
  /// Centre-of-mass based body velocities, `nbody x 6`.
  let cvel: UnsafeMutableBufferPointer<Double>
  /// Actuator forces in joint space, `nv`.
  let qfrcActuator: UnsafeMutableBufferPointer<Double>
  /// Centre-of-mass based external forces on bodies, `nbody x 6` (filled by `step`).
  let cfrcExt: UnsafeMutableBufferPointer<Double>
  /// Body masses, `nbody`.
  let bodyMass: UnsafeMutableBufferPointer<Double>
  /// Actuator control ranges, `nu x 2` (low, high).
  let actuatorCtrlRange: UnsafeMutableBufferPointer<Double>
  /// The model's reference configuration (the state `reset` restores), `nq`.
  let qpos0: UnsafeMutableBufferPointer<Double>

  /// Loads `model` (an MJCF file name in the installation's assets folder).
  convenience init(model: String, library: MuJoCoLibrary) throws(MuJoCoLibraryError) {
    try self.init(path: library.installation.modelPath(model).path, library: library)
  }

  /// Loads the MJCF file at `path`.
  init(path: String, library: MuJoCoLibrary) throws(MuJoCoLibraryError) {
    self.library = library
    guard FileManager.default.fileExists(atPath: path) else {
      throw .notInstalled("MuJoCo model file \(path) does not exist")
    }
    var error = [CChar](repeating: 0, count: 1000)
    guard let handle = library.load(path, &error, Int32(error.count)) else {
      throw .modelFailed(path: path, reason: MuJoCoLibrary.string(fromNulTerminated: error))
    }
    self.handle = handle
    nq = Int(library.size(handle, 0))
    nv = Int(library.size(handle, 1))
    nu = Int(library.size(handle, 2))
    nbody = Int(library.size(handle, 3))
    stateSize = Int(library.size(handle, 5))
    timestep = library.timestep(handle)
    func view(_ array: Array, _ count: Int) -> UnsafeMutableBufferPointer<Double> {
      UnsafeMutableBufferPointer(start: library.array(handle, array.rawValue), count: count)
    }
    qpos = view(.qpos, nq)
    qvel = view(.qvel, nv)
    ctrl = view(.ctrl, nu)
    xpos = view(.xpos, nbody * 3)
    xipos = view(.xipos, nbody * 3)
    cinert = view(.cinert, nbody * 10)
    cvel = view(.cvel, nbody * 6)
    qfrcActuator = view(.qfrcActuator, nv)
    cfrcExt = view(.cfrcExt, nbody * 6)
    bodyMass = view(.bodyMass, nbody)
    actuatorCtrlRange = view(.actuatorCtrlRange, nu * 2)
    qpos0 = view(.qpos0, nq)
  }

  deinit { library.free(handle) }

  /// A view of `count` values of the shim array `array` (see `Array`; valid for this simulation's lifetime).
  func view(_ array: Array, count: Int) -> UnsafeMutableBufferPointer<Double> {
    UnsafeMutableBufferPointer(start: library.array(handle, array.rawValue), count: count)
  }

  /// The shim's size `which` (`SRL_NQ`... in the C source; e.g. 9 is the current contact count).
  func size(_ which: Int32) -> Int { Int(library.size(handle, which)) }

  /// The id of the element of `kind` called `name`, or `nil`.
  func id(of kind: ElementKind, named name: String) -> Int? {
    let id = library.nameID(handle, kind.rawValue, name)
    return id >= 0 ? Int(id) : nil
  }

  /// Joint `j`'s type (`mjtJoint`), `qpos` address, `qvel` address and whether it is limited.
  func jointInfo(_ j: Int) -> (type: Int32, qposAddress: Int, dofAddress: Int, limited: Bool) {
    var info = [Int32](repeating: 0, count: 4)
    precondition(library.jointInfo(handle, Int32(j), &info) == 0, "no joint \(j)")
    return (info[0], Int(info[1]), Int(info[2]), info[3] != 0)
  }

  /// Sensor `s`'s type (`mjtSensor`), address in `sensordata` and dimension.
  func sensorInfo(_ s: Int) -> (type: Int32, address: Int, dimension: Int) {
    var info = [Int32](repeating: 0, count: 3)
    precondition(library.sensorInfo(handle, Int32(s), &info) == 0, "no sensor \(s)")
    return (info[0], Int(info[1]), Int(info[2]))
  }

  /// dm_control's legacy `Physics.step(nstep)`: `mj_step2`, `nstep - 1` × `mj_step`, `mj_step1`.
  func stepLegacy(_ nstep: Int) { library.stepLegacy(handle, Int32(nstep)) }

  /// `mj_forward` with actuation disabled (dm_control's `Physics.reset` / `after_reset`).
  func forwardWithoutActuation() { library.forwardWithoutActuation(handle) }

  /// `mj_step1`: position- and velocity-dependent quantities of the current state.
  func step1() { library.step1(handle) }

  /// The id of the body called `name`, or `nil`.
  func bodyID(_ name: String) -> Int? {
    let id = library.bodyID(handle, name)
    return id >= 0 ? Int(id) : nil
  }

  /// `mj_resetData`: the model's default state (`qpos0`, zero velocity and controls, time 0).
  func reset() { library.reset(handle) }

  /// `mj_forward`: recomputes the derived quantities of the current state.
  func forward() { library.forward(handle) }

  /// Sets positions and velocities, then `mj_forward` (Gymnasium's `MujocoEnv.set_state`).
  func setPositionsAndVelocities(qpos newQpos: [Double], qvel newQvel: [Double]) {
    precondition(
      newQpos.count == nq && newQvel.count == nv, "expected \(nq) positions and \(nv) velocities")
    for i in 0..<nq { qpos[i] = newQpos[i] }
    for i in 0..<nv { qvel[i] = newQvel[i] }
    forward()
  }

  /// `frames` physics steps with the current controls, then `mj_rnePostConstraint` (Gymnasium's
  /// `do_simulation`): afterwards `cfrcExt` holds the contact forces.
  func step(frames: Int) { library.step(handle, Int32(frames)) }

  /// `frames` bare `mj_step` calls (no post-constraint pass); for measuring the simulator alone.
  func stepOnly(frames: Int) { library.stepOnly(handle, Int32(frames)) }

  /// The integration state (`mjSTATE_INTEGRATION`): everything the next `step` depends on.
  func integrationState() -> [Double] {
    var state = [Double](repeating: 0, count: stateSize)
    state.withUnsafeMutableBufferPointer { library.getState(handle, $0.baseAddress!) }
    return state
  }

  /// Restores a state from `integrationState()`. Derived quantities stay stale until the next step.
  func setIntegrationState(_ state: ArraySlice<Double>) {
    precondition(state.count == stateSize, "integration state needs \(stateSize) values")
    state.withUnsafeBufferPointer { library.setState(handle, $0.baseAddress!) }
  }
}
