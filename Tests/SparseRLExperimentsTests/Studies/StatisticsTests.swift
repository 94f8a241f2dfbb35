import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLExperiments

private struct Request: Encodable {
  let scores: [String: [[Double]]]
  let x: String
  let y: String
  let reps: Int
  let improvementReps: Int
  let profileReps: Int
  let taus: [Double]

  enum CodingKeys: String, CodingKey {
    case scores, x, y, reps, taus
    case improvementReps = "improvement_reps"
    case profileReps = "profile_reps"
  }
}

private struct Interval: Decodable {
  let value: Double
  let lower: Double
  let upper: Double
}

private struct Profile: Decodable {
  let values: [Double]
  let lower: [Double]
  let upper: [Double]
  let average: [Double]
}

private struct Response: Decodable {
  let aggregates: [String: [String: Interval]]
  let improvement: Interval
  let profiles: [String: Profile]
}

/// Score matrices (runs x tasks) like a study's: continuous scores, a tie across groups, uneven task scales.
private func scoreRows(seed: UInt64, runs: Int, tasks: Int, shift: Double) -> [[Double]] {
  var random = RandomGenerator(seed: seed)
  var rows: [[Double]] = []
  for _ in 0..<runs {
    var row: [Double] = []
    for task in 0..<tasks {
      let noise: Double = 0.4 * random.normal()
      let outlier: Double = random.nextDouble() < 0.1 ? 1.5 : 0
      row.append(shift + 0.3 * Double(task) + noise + outlier)
    }
    rows.append(row)
  }
  return rows
}

/// How far apart two independent Monte-Carlo estimates of the `q` percentile may fall, each from
/// `sorted.count` bootstrap draws: each estimate's rank lies within `sigmas` binomial standard deviations
/// `sqrt(q(1-q)/R)` of `q`, so the two values lie inside the spread of the draws between those ranks. Read off
/// the draws themselves, this also holds for lumpy bootstrap distributions (a median of few runs takes few values).
private func percentileTolerance(_ sorted: [Double], _ q: Double, sigmas: Double = 4.5) -> Double {
  let d = sigmas * (q * (1 - q) / Double(sorted.count)).squareRoot()
  return StratifiedBootstrap.percentile(sorted, min(q + d, 1)) - StratifiedBootstrap.percentile(sorted, max(q - d, 0))
    + 1e-12
}

@Suite struct StatisticsTests {
  /// IQM, mean, median, optimality gap, probability of improvement and performance profiles equal rliable's to
  /// 1e-9; the stratified-bootstrap 95% intervals (same number of replicates, different random draws) agree
  /// within the spread of the draws 4.5 binomial standard errors either side of each percentile (see
  /// `percentileTolerance`).
  /// (rliable's bootstrap runs through arch at about 100 replicates per second here, so the replicate counts are
  /// modest: 2,000 for the aggregates, 400 for P(X > Y), 1,000 for the profiles.)
  @Test(.enabled(if: PythonReference.isAvailable))
  func statisticsMatchRliable() throws {
    let reps = 2_000
    let improvementReps = 400
    let profileReps = 1_000
    let rows = [
      "a": scoreRows(seed: 1, runs: 10, tasks: 5, shift: 0.6),
      "b": scoreRows(seed: 2, runs: 7, tasks: 5, shift: 0.4),
      "c": scoreRows(seed: 3, runs: 4, tasks: 5, shift: 0.5),
    ]
    // Exact ties between the groups compared by P(X > Y) (each counts 1/2).
    var tied = rows
    tied["a"]![0][2] = tied["b"]![3][2]
    tied["a"]![5][4] = tied["b"]![1][4]
    let taus = stride(from: -0.5, through: 2.5, by: 0.25).map { $0 }
    let reference = try PythonReference.call(
      script: "rliable_reference.py",
      request: Request(
        scores: tied, x: "a", y: "b", reps: reps, improvementReps: improvementReps, profileReps: profileReps,
        taus: taus),
      as: Response.self)
    let bootstrap = StratifiedBootstrap(replicates: reps, seed: 7)
    for (name, matrixRows) in tied.sorted(by: { $0.key < $1.key }) {
      let scores = ScoreMatrix(rows: matrixRows)
      for metric in AggregateMetric.allCases {
        let expected = try #require(reference.aggregates[name]?[metric.rawValue])
        #expect(abs(metric(scores) - expected.value) < 1e-9, "\(metric) of \(name)")
        let interval = bootstrap.interval(scores) { metric($0) }
        let sorted = bootstrap.replicates(scores) { metric($0) }.sorted()
        // The bounds are exactly the 2.5% and 97.5% percentiles of the replicates (numpy's interpolation).
        #expect(interval.lower == StratifiedBootstrap.percentile(sorted, 0.025), "\(metric) of \(name) lower")
        #expect(interval.upper == StratifiedBootstrap.percentile(sorted, 0.975), "\(metric) of \(name) upper")
        for (mine, theirs, q) in [(interval.lower, expected.lower, 0.025), (interval.upper, expected.upper, 0.975)] {
          let tolerance = percentileTolerance(sorted, q)
          #expect(abs(mine - theirs) <= tolerance, "\(metric) of \(name) at \(q): \(mine) vs \(theirs) ± \(tolerance)")
        }
      }
      let profile = try #require(reference.profiles[name])
      let mine = PerformanceProfile.scoreDistribution(scores, thresholds: taus)
      #expect(zip(mine, profile.values).allSatisfy { abs($0 - $1) < 1e-9 })
      let average = PerformanceProfile.averageScoreDistribution(scores, thresholds: taus)
      #expect(zip(average, profile.average).allSatisfy { abs($0 - $1) < 1e-9 })
      // Profile bands: fractions of runs are on a grid of 1/(runs*tasks); allow one grid step plus Monte-Carlo error.
      let band = StratifiedBootstrap(replicates: profileReps, seed: 7).interval(scores) {
        PerformanceProfile.scoreDistribution($0, thresholds: taus)
      }
      let step = 1 / Double(scores.pooled.count)
      for index in taus.indices {
        #expect(
          abs(band[index].lower - profile.lower[index]) <= step + 1e-12, "profile lower of \(name) at \(taus[index])")
        #expect(
          abs(band[index].upper - profile.upper[index]) <= step + 1e-12, "profile upper of \(name) at \(taus[index])")
      }
    }
    let x = ScoreMatrix(rows: tied["a"]!)
    let y = ScoreMatrix(rows: tied["b"]!)
    #expect(abs(probabilityOfImprovement(x, over: y) - reference.improvement.value) < 1e-9)
    let interval = StratifiedBootstrap(replicates: improvementReps, seed: 7).interval(x, y) {
      probabilityOfImprovement($0, over: $1)
    }
    var random = RandomGenerator(seed: 11)
    let draws = (0..<improvementReps).map { _ -> Double in
      func resample(_ m: ScoreMatrix) -> ScoreMatrix {
        ScoreMatrix(columns: m.columns.map { c in c.map { _ in c[random.integer(below: c.count)] } })
      }
      return probabilityOfImprovement(resample(x), over: resample(y))
    }.sorted()
    for (mine, theirs, q) in [
      (interval.lower, reference.improvement.lower, 0.025), (interval.upper, reference.improvement.upper, 0.975),
    ] {
      let tolerance = percentileTolerance(draws, q)
      #expect(abs(mine - theirs) <= tolerance, "P(a > b) at \(q): \(mine) vs \(theirs) ± \(tolerance)")
    }
  }

  /// Hand-computed cases: scipy's trim_mean cut, numpy's even-count median of task means, the optimality gap's
  /// clipping at 1 and Mann-Whitney ties.
  @Test func metricsOnHandComputedCases() {
    // 2 runs x 3 tasks; pooled sorted: 0, 0.5, 1, 2, 3, 10 -> cut 1 each side -> mean(0.5, 1, 2, 3) = 1.625.
    let scores = ScoreMatrix(rows: [[0, 1, 3], [10, 0.5, 2]])
    #expect(AggregateMetric.iqm(scores) == 1.625)
    #expect(AggregateMetric.mean(scores) == (5 + 0.75 + 2.5) / 3)
    #expect(AggregateMetric.median(scores) == 2.5)
    // min(x, 1): 0, 1, 1, 1, 0.5, 1 -> mean 4.5/6 -> gap 0.25.
    #expect(AggregateMetric.optimalityGap(scores) == 0.25)
    let x = ScoreMatrix(columns: [[1, 2], [5]])
    let y = ScoreMatrix(columns: [[2, 0], [5, 6]])
    // Task 1: pairs (1>2 no, 1>0 yes, 2=2 half, 2>0 yes) = 2.5/4; task 2: (5=5 half, 5>6 no) = 0.5/2.
    #expect(probabilityOfImprovement(x, over: y) == (2.5 / 4 + 0.25) / 2)
    #expect(StratifiedBootstrap.percentile([0, 10, 20, 30], 0.5) == 15)
    #expect(PerformanceProfile.scoreDistribution(scores, thresholds: [0.5, 2]) == [4.0 / 6, 2.0 / 6])
  }
}
