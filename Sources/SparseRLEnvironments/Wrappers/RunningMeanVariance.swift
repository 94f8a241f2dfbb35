/// Running elementwise mean and (population) variance of a stream of vectors, merged with the parallel
/// algorithm of Chan et al. (the update of Gymnasium's and Stable-Baselines3's `RunningMeanStd`).
///
/// It starts, like theirs, from mean 0, variance 1 and a pseudo-count `initialCount` (1e-4), so that the
/// first normalised values stay finite. Each update costs O(dimension).
public struct RunningMeanVariance: Equatable, Sendable {
  /// Elementwise mean.
  public private(set) var mean: [Double]
  /// Elementwise population variance.
  public private(set) var variance: [Double]
  /// The (pseudo-)number of samples seen.
  public private(set) var count: Double

  /// Statistics of vectors of `dimension` elements, starting from the prior.
  public init(dimension: Int, initialCount: Double = 1e-4) {
    precondition(dimension > 0, "RunningMeanVariance needs a positive dimension")
    mean = Array(repeating: 0, count: dimension)
    variance = Array(repeating: 1, count: dimension)
    count = initialCount
  }

  /// Restores saved statistics.
  public init(mean: [Double], variance: [Double], count: Double) {
    precondition(mean.count == variance.count, "mean and variance have different lengths")
    self.mean = mean
    self.variance = variance
    self.count = count
  }

  /// The number of elements per vector.
  public var dimension: Int { mean.count }

  /// Adds one vector (a batch of one: batch mean `x`, batch variance 0).
  public mutating func update(_ x: [Float]) {
    precondition(
      x.count == dimension,
      "RunningMeanVariance.update: \(x.count) values for dimension \(dimension)")
    merge(
      batchMean: x.map(Double.init), batchVariance: Array(repeating: 0, count: dimension),
      batchCount: 1)
  }

  /// Adds one scalar sample (dimension 1).
  public mutating func update(_ x: Double) {
    precondition(dimension == 1, "scalar update needs dimension 1")
    merge(batchMean: [x], batchVariance: [0], batchCount: 1)
  }

  /// Merges the moments of a batch of `batchCount` samples.
  public mutating func merge(batchMean: [Double], batchVariance: [Double], batchCount: Double) {
    let total = count + batchCount
    for i in 0..<dimension {
      let delta = batchMean[i] - mean[i]
      let m2 =
        variance[i] * count + batchVariance[i] * batchCount + delta * delta * count * batchCount
        / total
      mean[i] += delta * batchCount / total
      variance[i] = m2 / total
    }
    count = total
  }
}
