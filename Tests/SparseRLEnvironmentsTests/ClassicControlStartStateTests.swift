import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// The start-state distributions of the classic-control environments against Gymnasium's: elementwise
/// mean, standard deviation, minimum and maximum of the first observation over many seeds.
@Suite struct ClassicControlStartStateTests {
  struct Request: Encodable {
    let mode = "starts"
    var ids: [String]
    var count: Int
  }
  struct Answer: Decodable { var starts: [String: [[Double]]] }

  struct Moments {
    var mean: Double, standardDeviation: Double, minimum: Double, maximum: Double
    init(_ values: [Double]) {
      mean = values.reduce(0, +) / Double(values.count)
      let m = mean
      standardDeviation = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count))
        .squareRoot()
      minimum = values.min()!
      maximum = values.max()!
    }
  }

  @Test(.enabled(if: PythonReference.isAvailable))
  func startStatesMatchGymnasium() throws {
    let count = 2000
    let ids = ClassicControl.specs.map(\.id)
    let reference = try PythonReference.call(
      script: "classic_control.py", request: Request(ids: ids, count: count), as: Answer.self)
    for id in ids {
      let environment = try EnvironmentRegistry.make(id)
      let swift = try (0..<count).map {
        try environment.reset(seed: UInt64($0)).observation.map(Double.init)
      }
      let python = try #require(reference.starts[id])
      for element in 0..<swift[0].count {
        let a = Moments(swift.map { $0[element] })
        let b = Moments(python.map { $0[element] })
        let context = "\(id) element \(element): swift \(a), gymnasium \(b)"
        let standardError =
          ((a.standardDeviation * a.standardDeviation + b.standardDeviation * b.standardDeviation)
          / Double(count)).squareRoot()
        #expect(abs(a.mean - b.mean) <= 5 * standardError + 1e-12, "\(context)")
        #expect(
          abs(a.standardDeviation - b.standardDeviation) <= 0.08 * b.standardDeviation + 1e-12,
          "\(context)")
        let range = b.maximum - b.minimum
        #expect(abs(a.minimum - b.minimum) <= 0.01 * range + 1e-12, "\(context)")
        #expect(abs(a.maximum - b.maximum) <= 0.01 * range + 1e-12, "\(context)")
      }
    }
  }

  @Test func seededResetRepeatsAndUnseededResetContinues() throws {
    for spec in ClassicControl.specs {
      let environment = try spec.make()
      let first = try environment.reset(seed: 7).observation
      let second = try environment.reset().observation
      #expect(try environment.reset(seed: 7).observation == first, "\(spec.id)")
      #expect(
        try environment.reset().observation == second,
        "\(spec.id): unseeded reset continues the generator")
      #expect(first != second, "\(spec.id)")
    }
  }
}
