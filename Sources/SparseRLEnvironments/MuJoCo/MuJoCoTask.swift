import SparseRLNumerics

/// The parts of one Gymnasium v5 MuJoCo environment that differ between environments: the model, the frame
/// skip, the observation, the reward and termination rule and the reset noise. `MuJoCoEnvironment` runs the
/// simulation around them.
///
/// The environments follow Gymnasium 1.4.0's `*_v5.py` classes with their default constructor arguments.
protocol MuJoCoTask: Sendable {
  /// The registered id, e.g. `HalfCheetah-v5`.
  var id: String { get }
  /// The MJCF file in Gymnasium's assets folder.
  var modelFile: String { get }
  /// Physics steps per environment step.
  var frameSkip: Int { get }
  /// Looks up what the task needs from the loaded model (e.g. body ids); throws when the model lacks it.
  mutating func prepare(_ simulation: MuJoCoSimulation) throws(MuJoCoLibraryError)
  /// Observation length for the loaded model.
  func observationCount(_ simulation: MuJoCoSimulation) -> Int
  /// The observation of the current simulation state.
  func observation(_ simulation: MuJoCoSimulation) -> [Float]
  /// The planar position whose change over a step, divided by the step duration, is the velocity the reward
  /// uses (zero for environments without a forward reward).
  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double>
  /// Reward, termination and info after a step that applied `action` and moved the tracked position with
  /// `velocity`.
  func outcome(_ simulation: MuJoCoSimulation, action: [Float], velocity: SIMD2<Double>)
    -> MuJoCoOutcome
  /// The randomised initial positions and velocities, from the model's initial ones.
  func initialState(
    qpos: [Double], qvel: [Double], generator: inout RandomGenerator
  ) -> (qpos: [Double], qvel: [Double])
  /// The info returned by `reset`.
  func resetInfo(_ simulation: MuJoCoSimulation) -> Info
}

/// What a task reports after a step.
struct MuJoCoOutcome {
  var reward: Double
  var terminated: Bool
  var info: Info
}

extension MuJoCoTask {
  mutating func prepare(_ simulation: MuJoCoSimulation) throws(MuJoCoLibraryError) {}
  func trackedPosition(_ simulation: MuJoCoSimulation) -> SIMD2<Double> { .zero }
  func resetInfo(_ simulation: MuJoCoSimulation) -> Info { Info() }
}

/// Small helpers the tasks share.
enum MuJoCoTerms {
  /// `weight * sum(action^2)` computed as Gymnasium computes it on a float32 action: squares, sum and product
  /// in `Float` (NumPy 2 keeps a Python-float weight times a float32 scalar in float32), summed in NumPy's
  /// pairwise order (`numpySum`), so that rewards agree with Gymnasium's to the last bit.
  static func controlCost(_ action: [Float], weight: Double) -> Double {
    let squares = action.map { $0 * $0 }
    return Double(Float(weight) * squares.withUnsafeBufferPointer { numpySum($0) })
  }

  /// The float32 sum NumPy's `add.reduce` computes for a contiguous array: a running sum below 8 elements;
  /// eight interleaved partial sums combined as a tree, then the remainder, up to 128; halves (rounded to a
  /// multiple of 8) recursively above. O(n).
  static func numpySum(_ values: UnsafeBufferPointer<Float>) -> Float {
    let n = values.count
    if n < 8 {
      var sum: Float = 0
      for value in values { sum += value }
      return sum
    }
    if n <= 128 {
      var r = (0..<8).map { values[$0] }
      var i = 8
      while i < n - n % 8 {
        for j in 0..<8 { r[j] += values[i + j] }
        i += 8
      }
      var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
      while i < n {
        sum += values[i]
        i += 1
      }
      return sum
    }
    var half = n / 2
    half -= half % 8
    return numpySum(UnsafeBufferPointer(rebasing: values[0..<half]))
      + numpySum(UnsafeBufferPointer(rebasing: values[half..<n]))
  }

  /// `values + uniform(-scale, scale)` elementwise, drawn in order.
  static func uniformNoise(_ values: [Double], scale: Double, _ generator: inout RandomGenerator)
    -> [Double]
  {
    values.map { $0 + generator.uniform(-scale, scale) }
  }

  /// `values + scale * standard normal` elementwise, drawn in order.
  static func normalNoise(_ values: [Double], scale: Double, _ generator: inout RandomGenerator)
    -> [Double]
  {
    values.map { $0 + scale * generator.normal() }
  }

  /// Appends `buffer[range]` as `Float`s, each clipped to `limit` when given.
  static func append(
    _ buffer: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>,
    to observation: inout [Float],
    clippedTo limit: ClosedRange<Double>? = nil
  ) {
    if let limit {
      for i in range {
        observation.append(Float(min(max(buffer[i], limit.lowerBound), limit.upperBound)))
      }
    } else {
      for i in range { observation.append(Float(buffer[i])) }
    }
  }

  /// The info keys of the environments that move in the plane: position, distance and velocity.
  static func planarInfo(_ simulation: MuJoCoSimulation, velocity: SIMD2<Double>? = nil) -> Info {
    let x = simulation.qpos[0]
    let y = simulation.qpos[1]
    var info = Info([
      "x_position": x, "y_position": y, "distance_from_origin": (x * x + y * y).squareRoot(),
    ])
    if let velocity {
      info["x_velocity"] = velocity.x
      info["y_velocity"] = velocity.y
    }
    return info
  }
}
