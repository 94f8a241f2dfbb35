import Foundation
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// `DMCRewards.tolerance` against dm_control's `rewards.tolerance`, for every sigmoid.
@Suite("DeepMind Control rewards")
struct DMCRewardTests {
  struct Case: Encodable {
    var x: String
    var lower: String
    var upper: String
    var margin: String
    var sigmoid: String
    var value_at_margin: String
  }

  struct Answer: Decodable { var values: [Double] }

  /// Bounds, margins and values at the margin covering in-bounds points, both sides, zero margins, infinite
  /// bounds and the sigmoids' cut-offs (|x| beyond one margin for cosine, linear and quadratic).
  static func cases() -> [(x: Double, bounds: (Double, Double), margin: Double, sigmoid: DMCSigmoid, value: Double)] {
    var cases: [(Double, (Double, Double), Double, DMCSigmoid, Double)] = []
    let bounds: [(Double, Double)] = [(0, 0), (-1, 2), (1.4, .infinity), (-.infinity, 0.5)]
    for sigmoid in DMCSigmoid.allCases {
      let values = sigmoid.allowsZero ? [0, 0.1, 0.5, 0.9] : [0.1, 0.5, 0.9]
      for (lower, upper) in bounds {
        for margin in [0, 0.35, 1, 10] {
          for value in values {
            for x in stride(from: -12.0, through: 12.0, by: 0.37) {
              cases.append((x, (lower, upper), margin, sigmoid, value))
            }
          }
        }
      }
    }
    return cases
  }

  @Test(.enabled(if: PythonReference.isAvailable))
  func toleranceMatchesDmControlForEverySigmoid() throws {
    let cases = Self.cases()
    func text(_ value: Double) -> String { value.isInfinite ? (value > 0 ? "inf" : "-inf") : "\(value)" }
    let answer = try PythonReference.call(
      script: "dm_control_rewards.py",
      request: [
        "cases": cases.map {
          Case(
            x: text($0.x), lower: text($0.bounds.0), upper: text($0.bounds.1), margin: text($0.margin),
            sigmoid: $0.sigmoid.rawValue, value_at_margin: text($0.value))
        }
      ],
      as: Answer.self)
    try #require(answer.values.count == cases.count)
    var worst = 0.0
    for (c, expected) in zip(cases, answer.values) {
      let value = DMCRewards.tolerance(
        c.x, bounds: c.bounds, margin: c.margin, sigmoid: c.sigmoid, valueAtMargin: c.value)
      // Relative agreement, with an absolute floor of a few ulps of 1: every value lies in [0, 1], and
      // `1 - tanh(x)^2` cancels to an absolute (not relative) precision of about 1e-16 in any implementation.
      let error = abs(value - expected)
      worst = max(worst, error)
      #expect(
        error <= 1e-12 * abs(expected) + 1e-15,
        "tolerance(\(c.x), \(c.bounds), margin \(c.margin), \(c.sigmoid), \(c.value)) = \(value), dm_control \(expected)"
      )
    }
    print("tolerance: \(cases.count) cases, worst absolute error \(worst)")
  }

  @Test func valueAtTheMarginIsTheRequestedValue() {
    for sigmoid in DMCSigmoid.allCases {
      for value in [0.1, 0.25, 0.9] {
        let atMargin = DMCRewards.tolerance(
          3.5, bounds: (1, 2), margin: 1.5, sigmoid: sigmoid, valueAtMargin: value)
        #expect(abs(atMargin - value) <= 1e-12, "\(sigmoid) at the margin: \(atMargin), expected \(value)")
        #expect(DMCRewards.tolerance(1.5, bounds: (1, 2), margin: 1.5, sigmoid: sigmoid) == 1)
      }
    }
  }
}
