import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLAgents

/// A small MLP (6 -> 20 -> 24 -> 3, ReLU, the middle layer 50% sparse) with units forced dormant: in the first
/// hidden layer units 0-3 are dead (bias -10) and 4-5 weak (bias -1.2); in the second units 0-2 are dead.
struct DiagnosticsFixture {
  let model: Sequential
  let layers: [Linear]
  let inputs: Matrix
  let actions: [Int]
  let targets: [Float]

  init(seed: UInt64 = 7, batch: Int = 40) {
    var random = RandomGenerator(seed: seed)
    let first = Linear(inFeatures: 6, outFeatures: 20, random: &random)
    let mask = (0..<(24 * 20)).map { _ in random.nextDouble() < 0.5 }
    let second = Linear(
      inFeatures: 20, outFeatures: 24, pattern: SparsePattern(rows: 24, columns: 20, mask: mask), random: &random)
    let output = Linear(inFeatures: 24, outFeatures: 3, random: &random)
    for u in 0..<4 { first.bias!.value[u] = -10 }
    for u in 4..<6 { first.bias!.value[u] = -1.2 }
    for u in 0..<3 { second.bias!.value[u] = -10 }
    layers = [first, second, output]
    model = Sequential([first, ReLU(), second, ReLU(), output])
    inputs = Matrix(
      rows: 6, columns: batch, scalars: (0..<(6 * batch)).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    actions = (0..<batch).map { _ in random.integer(below: 3) }
    targets = (0..<batch).map { _ in random.normal(mean: 0, standardDeviation: 1) }
  }

  /// Gradients of 0.5 * mean (Q(s, a) - t)^2 over `samples`.
  func lossGradient(_ samples: [Int]) {
    let values = model.forward(inputs.selectingColumns(samples))
    var gradient = Matrix(rows: values.rows, columns: samples.count)
    for (c, b) in samples.enumerated() {
      gradient[actions[b], c] = (values[actions[b], c] - targets[b]) / Float(samples.count)
    }
    model.zeroGradients()
    _ = model.backward(gradient, accumulateParameterGradients: true)
  }

  var network: DiagnosedNetwork {
    DiagnosedNetwork(role: "q", model: model, inputs: inputs) { self.lossGradient($0) }
  }

  /// The request of `diagnostics_reference.py` (float32 values passed exactly as doubles).
  func request(settings: DiagnosticsSettings) -> [String: AnyEncodable] {
    let layerSpecs: [[String: AnyEncodable]] = layers.map { layer in
      let dense = layer.weight.denseValue()
      let mask = layer.weight.mask
      return [
        "w": AnyEncodable(
          (0..<dense.rows).map { r in (0..<dense.columns).map { Double(dense[r, $0]) } }),
        "mask": AnyEncodable((0..<dense.rows).map { r in (0..<dense.columns).map { mask[r * dense.columns + $0] } }),
        "b": AnyEncodable(layer.bias!.value.map(Double.init)),
      ]
    }
    return [
      "layers": AnyEncodable(layerSpecs),
      "x": AnyEncodable((0..<inputs.columns).map { b in (0..<inputs.rows).map { Double(inputs[$0, b]) } }),
      "actions": AnyEncodable(actions), "targets": AnyEncodable(targets.map(Double.init)),
      "m": AnyEncodable(settings.perSampleGradients), "taus": AnyEncodable(settings.dormantThresholds),
      "delta": AnyEncodable(settings.srankDelta),
    ]
  }
}

/// Type erasure for the JSON requests.
struct AnyEncodable: Encodable {
  let encodeValue: (any Encoder) throws -> Void
  init(_ value: some Encodable) { encodeValue = value.encode }
  func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}

struct DiagnosticsReference: Decodable {
  var dormant: [Double]
  var srank: Int
  var feature_norm: Double
  var grad_norm: Double
  var param_norm: Double
  var interference: Double
  var negative_interference: Double
  var grad_snr: Double
}

struct SVDReference: Decodable {
  var sigma: [Double]
  var srank: Int
}

@Suite struct DiagnosticsTests {
  @Test(.enabled(if: PythonReference.isAvailable))
  func measuresMatchNumpyOnTheSameWeightsAndBatch() throws {
    let fixture = DiagnosticsFixture()
    var settings = DiagnosticsSettings()
    settings.perSampleGradients = 8
    let result = try NetworkDiagnostics.measure(fixture.network, settings: settings)
    let reference = try PythonReference.call(
      script: "diagnostics_reference.py", request: fixture.request(settings: settings), as: DiagnosticsReference.self)
    #expect(result.dormantRatios == reference.dormant)
    #expect(result.dormantRatios[0] >= 7.0 / 44)  // at least the forced dead units at tau 0
    #expect(result.stableRank == reference.srank)
    func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-30) }
    #expect(relative(result.featureNorm, reference.feature_norm) < 1e-6)
    #expect(relative(result.gradientNorm, reference.grad_norm) < 1e-6)
    #expect(relative(result.parameterNorm, reference.param_norm) < 1e-6)
    #expect(abs(result.interference - reference.interference) < 1e-5)
    #expect(result.negativeInterference == reference.negative_interference)
    #expect(relative(result.gradientSNR, reference.grad_snr) < 1e-4)
    // The metric names and values the agents log.
    let metrics = result.metrics(role: "q", settings: settings)
    #expect(Set(metrics.keys) == Set(settings.metricNames(role: "q")))
    #expect(metrics["q/dormant_0.1"] == result.dormantRatios[1])
    #expect(metrics["q/srank"] == Double(reference.srank))
  }

  @Test(.enabled(if: PythonReference.isAvailable), arguments: [(30, 70), (70, 30), (12, 12), (256, 256), (300, 41)])
  func singularValuesMatchNumpy(shape: (Int, Int)) throws {
    let (rows, columns) = shape
    var random = RandomGenerator(seed: UInt64(rows * 100 + columns))
    // A decaying spectrum, so that the stable rank is not simply the full rank.
    var matrix = [Float](repeating: 0, count: rows * columns)
    for r in 0..<rows {
      for c in 0..<columns { matrix[r * columns + c] = random.normal(mean: 0, standardDeviation: 1) / Float(1 + c) }
    }
    let values = SingularValues.of(matrix, rows: rows, columns: columns)
    let request: [String: AnyEncodable] = [
      "svd": AnyEncodable((0..<rows).map { r in (0..<columns).map { Double(matrix[r * columns + $0]) } }),
      "delta": AnyEncodable(0.01),
    ]
    let reference = try PythonReference.call(
      script: "diagnostics_reference.py", request: request, as: SVDReference.self)
    #expect(values.count == reference.sigma.count)
    for (a, b) in zip(values, reference.sigma) { #expect(abs(a - b) <= 1e-10 * reference.sigma[0]) }
    #expect(SingularValues.stableRank(values, delta: 0.01) == reference.srank)
  }

  /// A matrix with a prescribed spectrum: diag(sigma) turned by random Householder reflections from both sides,
  /// which keep the singular values (up to rounding).
  static func rotatedDiagonal(_ sigma: [Double], rows: Int, columns: Int, seed: UInt64) -> [Float] {
    var random = RandomGenerator(seed: seed)
    var a = [Double](repeating: 0, count: rows * columns)
    for (i, value) in sigma.enumerated() { a[i * columns + i] = value }
    for _ in 0..<4 {
      let u = (0..<rows).map { _ in Double(random.normal(mean: 0, standardDeviation: 1)) }
      let uu = u.reduce(0) { $0 + $1 * $1 }
      for c in 0..<columns {
        let dot = (0..<rows).reduce(0.0) { $0 + u[$1] * a[$1 * columns + c] }
        for r in 0..<rows { a[r * columns + c] -= 2 * dot / uu * u[r] }
      }
      let v = (0..<columns).map { _ in Double(random.normal(mean: 0, standardDeviation: 1)) }
      let vv = v.reduce(0) { $0 + $1 * $1 }
      for r in 0..<rows {
        let dot = (0..<columns).reduce(0.0) { $0 + v[$1] * a[r * columns + $1] }
        for c in 0..<columns { a[r * columns + c] -= 2 * dot / vv * v[c] }
      }
    }
    return a.map { Float($0) }
  }

  /// Rank-deficient spectra as dead ReLU units make them (zeros), clusters of equal values, a wide dynamic range,
  /// both orientations: every value within float rounding of the prescribed one.
  @Test(arguments: [(40, 25), (25, 40), (64, 64)])
  func singularValuesOfAPrescribedSpectrum(shape: (Int, Int)) {
    let (rows, columns) = shape
    let k = min(rows, columns)
    var sigma = (0..<k).map { i in 10 * pow(0.7, Double(i)) }
    for i in stride(from: 3, to: k, by: 5) { sigma[i] = 0 }
    for i in 8..<12 { sigma[i] = 2.5 }
    let matrix = Self.rotatedDiagonal(sigma, rows: rows, columns: columns, seed: UInt64(rows * 1000 + columns))
    let values = SingularValues.of(matrix, rows: rows, columns: columns)
    let expected = sigma.sorted(by: >)
    #expect(values.count == k)
    for (a, b) in zip(values, expected) { #expect(abs(a - b) <= 1e-5 * expected[0], "\(a) vs \(b)") }
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
  }

  /// The bidiagonal stage on its own: a bidiagonal matrix's values are those of its Golub-Kahan form's positive
  /// half; here the 2 x 2 case in closed form and a zero diagonal entry (which decouples the matrix).
  @Test func bidiagonalSingularValuesInClosedForm() {
    // [[3, 4], [0, 5]]: sigma^2 = (50 +- sqrt(50^2 - 4 * 15^2)) / 2 = 45, 5.
    let values = SingularValues.bidiagonalSingularValues(diagonal: [3, 5], superdiagonal: [4])
    #expect(abs(values[0] - Double(45).squareRoot()) < 1e-13 && abs(values[1] - Double(5).squareRoot()) < 1e-13)
    // [[2, 1, 0], [0, 0, 3], [0, 0, 1]]: columns (2,0,0), (1,0,0), (0,3,1); A^T A has eigenvalues 5, 10, 0.
    let decoupled = SingularValues.bidiagonalSingularValues(diagonal: [2, 0, 1], superdiagonal: [1, 3])
    #expect(decoupled.count == 3)
    let expected = [Double(10).squareRoot(), Double(5).squareRoot(), 0]
    for (a, b) in zip(decoupled, expected) { #expect(abs(a - b) < 1e-13) }
    #expect(SingularValues.bidiagonalSingularValues(diagonal: [0, 0], superdiagonal: [0]) == [0, 0])
  }

  @Test func stableRankOfAKnownSpectrum() {
    // sigma = 4, 3, 2, 1 (sum 10): 4 < 9.9, 7 < 9.9, 9 < 9.9, 10 >= 9.9 -> 4; with delta 0.15: 9 >= 8.5 -> 3.
    let matrix: [Float] = [4, 0, 0, 0, 0, 3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    let values = SingularValues.of(matrix, rows: 5, columns: 4)
    #expect(values.map { ($0 * 1e9).rounded() / 1e9 } == [4, 3, 2, 1])
    #expect(SingularValues.stableRank(values, delta: 0.01) == 4)
    #expect(SingularValues.stableRank(values, delta: 0.15) == 3)
    #expect(SingularValues.stableRank([0, 0], delta: 0.01) == 0)
  }

  @Test func diagnosticsAreRecordedOnlyWhenDue() throws {
    let fixture = DiagnosticsFixture()
    var settings = DiagnosticsSettings()
    settings.interval = 5
    let sink = RecordingMetricsSink()
    for updates in 1...10 {
      try TrainingDiagnostics.recordIfDue(settings: settings, updates: updates, step: updates * 3, metrics: sink) {
        [fixture.network]
      }
    }
    #expect(sink.records.map(\.step) == [15, 30])
    #expect(Set(sink.records[0].values.keys) == Set(settings.metricNames(role: "q")))
  }
}

@Suite struct ReDoTests {
  /// Dormancy scores computed directly from the dense weights (float64 loops), per hidden layer.
  static func naiveScores(_ fixture: DiagnosticsFixture) -> [[Double]] {
    var h: [[Double]] = (0..<fixture.inputs.columns).map { b in
      (0..<fixture.inputs.rows).map { Double(fixture.inputs[$0, b]) }
    }
    var result: [[Double]] = []
    for layer in fixture.layers.dropLast() {
      let w = layer.weight.denseValue()
      h = h.map { x in
        (0..<w.rows).map { r in
          max(0, (0..<w.columns).reduce(Double(layer.bias!.value[r])) { $0 + Double(w[r, $1]) * x[$1] })
        }
      }
      let means = (0..<w.rows).map { u in h.reduce(0.0) { $0 + abs($1[u]) } / Double(h.count) }
      let layerMean = means.reduce(0, +) / Double(means.count)
      result.append(means.map { $0 / layerMean })
    }
    return result
  }

  @Test func recyclesExactlyTheDormantUnits() throws {
    let fixture = DiagnosticsFixture()
    // One Adam step, so that every moment is non-zero before recycling.
    let adam = Adam(parameters: fixture.model.parameters, learningRate: 1e-3)
    fixture.lossGradient(Array(0..<fixture.inputs.columns))
    adam.step()
    let tau = 0.1
    let expected = Self.naiveScores(fixture).map { scores in scores.indices.filter { scores[$0] <= tau } }
    #expect(expected[0].count >= 4 && expected[1].count >= 3)
    let before = fixture.model.copy()
    var random = RandomGenerator(seed: 99)
    let recycled = ReDo.recycle(fixture.model, inputs: fixture.inputs, threshold: tau, random: &random)
    #expect(recycled == expected)

    let now = fixture.layers
    let old = [0, 2, 4].map { before.layers[$0] as! Linear }
    for (k, units) in expected.enumerated() {
      let (incoming, outgoing) = (now[k], now[k + 1])
      #expect(incoming.weight.pattern == old[k].weight.pattern && outgoing.weight.pattern == old[k + 1].weight.pattern)
      let inIndices = incoming.weight.pattern?.activeIndices ?? Array(0..<incoming.weight.denseCount)
      let outIndices = outgoing.weight.pattern?.activeIndices ?? Array(0..<outgoing.weight.denseCount)
      let unitSet = Set(units)
      // Incoming rows of recycled units: every stored weight redrawn, bias 0, moments 0; other rows untouched.
      for (position, flat) in inIndices.enumerated() {
        let row = flat / incoming.inFeatures
        if unitSet.contains(row) {
          #expect(incoming.weight.value[position] != old[k].weight.value[position])
          for slot in ["m", "v"] { #expect(incoming.weight.optimizerState[slot]![position] == 0) }
        } else if k == 0 || !Set(expected[k - 1]).contains(flat % incoming.inFeatures) {
          #expect(incoming.weight.value[position] == old[k].weight.value[position])
          for slot in ["m", "v"] {
            #expect(incoming.weight.optimizerState[slot]![position] == old[k].weight.optimizerState[slot]![position])
          }
        }
      }
      for u in 0..<incoming.outFeatures {
        let bias = incoming.bias!
        if unitSet.contains(u) {
          #expect(bias.value[u] == 0 && bias.optimizerState["m"]![u] == 0 && bias.optimizerState["v"]![u] == 0)
        } else {
          #expect(bias.value[u] == old[k].bias!.value[u])
          #expect(bias.optimizerState["m"]![u] == old[k].bias!.optimizerState["m"]![u])
        }
      }
      // Outgoing columns of recycled units: 0 with 0 moments, except where the reading unit is recycled too (its
      // incoming row is redrawn after, as in ReDo's layer order); the rest untouched.
      let recycledNext = k + 1 < expected.count ? Set(expected[k + 1]) : []
      for (position, flat) in outIndices.enumerated() {
        let (row, column) = (flat / outgoing.inFeatures, flat % outgoing.inFeatures)
        if unitSet.contains(column) && !recycledNext.contains(row) {
          #expect(outgoing.weight.value[position] == 0)
          for slot in ["m", "v"] { #expect(outgoing.weight.optimizerState[slot]![position] == 0) }
        } else if !recycledNext.contains(row) {
          #expect(outgoing.weight.value[position] == old[k + 1].weight.value[position])
          #expect(outgoing.weight.optimizerState["v"]![position] == old[k + 1].weight.optimizerState["v"]![position])
        }
      }
    }
  }

  @Test func nothingChangesWithoutDormantUnits() {
    let fixture = DiagnosticsFixture()
    for layer in fixture.layers.dropLast() { for u in 0..<layer.outFeatures { layer.bias!.value[u] = 3 } }
    let before = NetworkArchive.archive(of: fixture.model)
    var random = RandomGenerator(seed: 1)
    let recycled = ReDo.recycle(fixture.model, inputs: fixture.inputs, threshold: 0.1, random: &random)
    #expect(recycled.allSatisfy { $0.isEmpty })
    #expect(NetworkArchive.archive(of: fixture.model) == before)
  }
}

@Suite struct DQNDiagnosticsTests {
  /// DQN logs the diagnostics of its Q-network every `diagnostics.interval` updates, under the names it declares.
  @Test func dqnRecordsDiagnosticsAtTheInterval() throws {
    var config = DQNConfig()
    config.network = NetworkArchitecture(hiddenSizes: [32, 32])
    config.learningStarts = 100
    config.batchSize = 32
    config.diagnostics.interval = 50
    config.diagnostics.perSampleGradients = 4
    let agent = try DQNAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 1, totalSteps: 1000)
    let sink = RecordingMetricsSink()
    while agent.environmentSteps < 300 { try agent.trainStep(metrics: sink) }
    #expect(sink.train("q/srank").map(\.step) == [150, 200, 250, 300])
    let names = Set(agent.metricNames[.train]!)
    for record in sink.records where record.values["q/srank"] != nil {
      #expect(Set(record.values.keys).isSubset(of: names))
      #expect(record.values.values.allSatisfy { $0.isFinite })
    }
  }
}
