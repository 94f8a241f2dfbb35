import Foundation

/// A MuJoCo simulation with the operations and named views of dm_control's `mujoco.Physics`
/// (`dm_control/mujoco/engine.py`), in the "legacy step" mode the suite uses.
///
/// After `reset`, `afterReset` and `step`, MuJoCo's position- and velocity-dependent quantities (`xpos`,
/// `xmat`, `subtree_com`, position/velocity sensors) match the current state, and acceleration-stage sensors
/// (touch, accelerometer, force, torque) hold the values of the last physics step, exactly as in dm_control.
/// Arrays are row-major views into MuJoCo's buffers (`xmat` is `nbody x 9`, one row-major 3x3 per body).
final class DMCPhysics {
  /// `mjtJoint` values.
  enum JointType: Int32 {
    case free = 0
    case ball, slide, hinge
  }

  /// `mjtSensor` values the suite's domains select sensors by.
  enum SensorType: Int32 {
    case touch = 0
    case accelerometer, velocimeter, gyro, force, torque
  }

  /// One joint of the model.
  struct Joint {
    var type: JointType?
    var qposAddress: Int
    var dofAddress: Int
    var limited: Bool
    var range: (lower: Double, upper: Double)
  }

  let simulation: MuJoCoSimulation
  let xpos: UnsafeMutableBufferPointer<Double>
  let xipos: UnsafeMutableBufferPointer<Double>
  let xmat: UnsafeMutableBufferPointer<Double>
  let sensordata: UnsafeMutableBufferPointer<Double>
  let act: UnsafeMutableBufferPointer<Double>
  let time: UnsafeMutableBufferPointer<Double>
  let bodySubtreeMass: UnsafeMutableBufferPointer<Double>
  let gravity: UnsafeMutableBufferPointer<Double>
  /// The joints in id order.
  let joints: [Joint]
  /// Actuators with internal state (`na`).
  let na: Int
  private let sensors: [(type: Int32, address: Int, dimension: Int)]

  init(path: String, library: MuJoCoLibrary) throws(MuJoCoLibraryError) {
    let simulation = try MuJoCoSimulation(path: path, library: library)
    self.simulation = simulation
    let nbody = simulation.nbody
    na = simulation.size(4)
    xpos = simulation.xpos
    xipos = simulation.xipos
    xmat = simulation.view(.xmat, count: nbody * 9)
    sensordata = simulation.view(.sensordata, count: simulation.size(8))
    act = simulation.view(.act, count: na)
    time = simulation.view(.time, count: 1)
    bodySubtreeMass = simulation.view(.bodySubtreeMass, count: nbody)
    gravity = simulation.view(.gravity, count: 3)
    let njnt = simulation.size(6)
    let ranges = simulation.view(.jointRange, count: njnt * 2)
    joints = (0..<njnt).map { j in
      let info = simulation.jointInfo(j)
      return Joint(
        type: JointType(rawValue: info.type), qposAddress: info.qposAddress,
        dofAddress: info.dofAddress, limited: info.limited, range: (ranges[2 * j], ranges[2 * j + 1]))
    }
    sensors = (0..<simulation.size(7)).map { simulation.sensorInfo($0) }
  }

  var qpos: UnsafeMutableBufferPointer<Double> { simulation.qpos }
  var qvel: UnsafeMutableBufferPointer<Double> { simulation.qvel }
  var ctrl: UnsafeMutableBufferPointer<Double> { simulation.ctrl }
  /// Contacts found by the last collision detection (`data.ncon`).
  var contactCount: Int { simulation.size(9) }

  /// The id of the body `name`; throws when the model has none.
  func body(_ name: String) throws(MuJoCoLibraryError) -> Int {
    try id(.body, name)
  }

  /// The id of the joint `name`; throws when the model has none.
  func joint(_ name: String) throws(MuJoCoLibraryError) -> Int {
    try id(.joint, name)
  }

  /// The `sensordata` range of the sensor `name`; throws when the model has none.
  func sensor(_ name: String) throws(MuJoCoLibraryError) -> Range<Int> {
    let s = sensors[try id(.sensor, name)]
    return s.address..<(s.address + s.dimension)
  }

  /// The `sensordata` ranges of the sensors of `types`, in sensor id order (the suite's `np.isin` selection).
  func sensors(ofTypes types: Set<SensorType>) -> [Range<Int>] {
    sensors.filter { SensorType(rawValue: $0.type).map(types.contains) ?? false }
      .map { $0.address..<($0.address + $0.dimension) }
  }

  /// The joints of `type`, in id order.
  func joints(ofType type: JointType) -> [Joint] { joints.filter { $0.type == type } }

  private func id(_ kind: MuJoCoSimulation.ElementKind, _ name: String) throws(MuJoCoLibraryError)
    -> Int
  {
    guard let id = simulation.id(of: kind, named: name) else {
      throw .modelFailed(path: "DeepMind Control model", reason: "no \(kind) named '\(name)'")
    }
    return id
  }

  /// Component `axis` (0 x, 1 y, 2 z) of body `body`'s frame position.
  func xpos(_ body: Int, _ axis: Int) -> Double { xpos[3 * body + axis] }

  /// Entry (`row`, `column`) of body `body`'s orientation matrix (`'zz'` is (2, 2)).
  func xmat(_ body: Int, _ row: Int, _ column: Int) -> Double { xmat[9 * body + 3 * row + column] }

  /// `v.dot(frame)` for body `body`'s 3x3 frame: the world vector `v` in that body's coordinates.
  func inFrame(of body: Int, _ v: SIMD3<Double>) -> SIMD3<Double> {
    let m = 9 * body
    var result = SIMD3<Double>.zero
    for column in 0..<3 {
      result[column] = v.x * xmat[m + column] + v.y * xmat[m + 3 + column] + v.z * xmat[m + 6 + column]
    }
    return result
  }

  /// Body `body`'s frame position as a vector.
  func position(_ body: Int) -> SIMD3<Double> {
    SIMD3(xpos[3 * body], xpos[3 * body + 1], xpos[3 * body + 2])
  }

  /// `Physics.reset()`: `mj_resetData`, then `mj_forward` with actuation disabled.
  func reset() {
    simulation.reset()
    simulation.forwardWithoutActuation()
  }

  /// `Physics.after_reset()`: `mj_forward` with actuation disabled.
  func afterReset() { simulation.forwardWithoutActuation() }

  /// `Physics.step(nstep)` with `legacy_step=True`.
  func step(_ nstep: Int) { simulation.stepLegacy(nstep) }
}
