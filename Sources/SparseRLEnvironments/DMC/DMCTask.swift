import Foundation
import SparseRLNumerics

/// The parts of one DeepMind Control Suite task that differ between tasks: its model, control timestep, time
/// limit, initial-state randomisation, observation and reward. `DMCEnvironment` runs the simulation around
/// them, as dm_control's `control.Environment` runs a suite `Task`.
///
/// The tasks follow dm_control 1.0.50's `suite/<domain>.py` with their default arguments.
protocol DMCTask: Sendable {
  /// The suite's domain, e.g. `cheetah`.
  var domain: String { get }
  /// The suite's task, e.g. `run`.
  var task: String { get }
  /// Seconds between two agent decisions (`control_timestep`; `nil`: one physics step).
  var controlTimestep: Double? { get }
  /// Seconds per episode (the suite's `_DEFAULT_TIME_LIMIT`).
  var timeLimit: Double { get }
  /// Looks up what the task needs in the loaded model; throws when the model lacks it.
  mutating func prepare(_ physics: DMCPhysics) throws(MuJoCoLibraryError)
  /// `initialize_episode`, run between `physics.reset()` and `physics.afterReset()`.
  func initializeEpisode(_ physics: DMCPhysics, generator: inout RandomGenerator)
  /// The observation dictionary's arrays concatenated in its order (dm_control's `flatten_observation`).
  func observation(_ physics: DMCPhysics, into observation: inout [Double])
  /// The reward of the current state.
  func reward(_ physics: DMCPhysics) -> Double
}

extension DMCTask {
  /// `dmc/<domain>-<task>`.
  var id: String { "dmc/\(domain)-\(task)" }
  /// The exported model file name (`scripts/mujoco/export_dmc_models.py`).
  var modelFile: String { "\(domain)-\(task).xml" }
}

/// dm_control's `suite/utils/randomizers.py`.
enum DMCRandomizers {
  /// `randomize_limited_and_rotational_joints`, joint by joint in id order: limited hinges and slides
  /// uniform in their range; unlimited hinges uniform in [-pi, pi]; unlimited ball joints a normalised
  /// standard normal quaternion; free joints' orientation a normalised `rand(4)` quaternion (position kept).
  /// Limited ball joints do not occur in the registered tasks (`prepare` rejects them).
  static func randomizeLimitedAndRotationalJoints(
    _ physics: DMCPhysics, _ generator: inout RandomGenerator
  ) {
    for joint in physics.joints {
      let a = joint.qposAddress
      switch (joint.type, joint.limited) {
      case (.hinge, true), (.slide, true):
        physics.qpos[a] = generator.uniform(joint.range.lower, joint.range.upper)
      case (.hinge, false):
        physics.qpos[a] = generator.uniform(-Double.pi, Double.pi)
      case (.ball, false):
        let q = normalized((0..<4).map { _ in generator.normal() })
        for i in 0..<4 { physics.qpos[a + i] = q[i] }
      case (.free, _):
        let q = normalized((0..<4).map { _ in generator.nextDouble() })
        for i in 0..<4 { physics.qpos[a + 3 + i] = q[i] }
      default:
        break
      }
    }
  }

  /// Throws when the model has a joint kind the randomiser does not implement (limited ball joints).
  static func checkSupported(_ physics: DMCPhysics) throws(MuJoCoLibraryError) {
    if physics.joints.contains(where: { $0.type == .ball && $0.limited }) {
      throw .modelFailed(path: "DeepMind Control model", reason: "limited ball joints unsupported")
    }
  }

  /// `v / np.linalg.norm(v)`.
  static func normalized(_ v: [Double]) -> [Double] {
    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return v.map { $0 / norm }
  }
}

/// Observation helpers.
extension Array where Element == Double {
  /// Appends `buffer[range]`.
  mutating func append(_ buffer: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>) {
    for i in range { append(buffer[i]) }
  }

  /// Appends the components of `v`.
  mutating func append(_ v: SIMD3<Double>) {
    append(v.x)
    append(v.y)
    append(v.z)
  }
}
