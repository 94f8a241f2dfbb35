import SparseRLEnvironments
import SparseRLNumerics
import SparseRLPolicy

/// SimBa's running observation normalisation for an off-policy agent: `(o - mean) / sqrt(var + 1e-8)`
/// elementwise, no clipping, with Gymnasium's running statistics (`RunningMeanVariance`: prior mean 0,
/// variance 1, pseudo-count 1e-4).
///
/// Unlike the `ObservationNormalization` wrapper, the agent owns it: the statistics move only when the agent
/// acts in training (`observe`), the replay buffer keeps raw observations, and every minibatch and evaluation
/// observation is normalised with the statistics of the moment (SimBa's `ObservationNormalizer`, updated only in
/// `sample_actions(training=True)`).
struct RunningObservationNormalizer {
  /// The running statistics of the raw observations acted on.
  private(set) var statistics: RunningMeanVariance
  /// Added to the variance under the square root.
  static let epsilon = 1e-8

  init(width: Int) { statistics = RunningMeanVariance(dimension: width) }

  /// Adds an observation the agent is about to act on in training.
  mutating func observe(_ observation: [Float]) { statistics.update(observation) }

  /// Normalises feature-major observations `[width x batch]` with the current statistics.
  func normalize(_ observations: Matrix) -> Matrix {
    precondition(observations.rows == statistics.dimension, "observation width differs from the statistics")
    var result = observations
    let columns = observations.columns
    for i in 0..<observations.rows {
      let mean = statistics.mean[i]
      let deviation = (statistics.variance[i] + Self.epsilon).squareRoot()
      for b in 0..<columns {
        let k = i * columns + b
        result.scalars[k] = Float((Double(observations.scalars[k]) - mean) / deviation)
      }
    }
    return result
  }

  /// The same map as a policy file's standardisation (no clipping).
  var standardization: ObservationStandardization {
    ObservationStandardization(
      mean: statistics.mean, variance: statistics.variance, epsilon: Self.epsilon, clip: .greatestFiniteMagnitude)
  }

  /// Count, means and variances.
  var archiveValue: ArchiveValue { .doubles([statistics.count] + statistics.mean + statistics.variance) }

  /// Restores what `archiveValue` saved under `name`.
  mutating func load(_ archive: BinaryArchive, _ name: String) throws {
    let n = statistics.dimension
    let values = try archive.doubles(name, count: 1 + 2 * n)
    statistics = RunningMeanVariance(
      mean: Array(values[1...n]), variance: Array(values[(n + 1)...(2 * n)]), count: values[0])
  }
}
