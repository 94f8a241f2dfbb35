import SparseRLNumerics
import Testing

@testable import SparseRLNetworks

@Suite struct ObGDTests {
  /// Two parameters (one sparse) with given traces and gradients, and the update written out by hand from
  /// z <- gamma lambda z + g, M = alpha kappa max(|delta|, 1) ||z||_1, alpha' = alpha / max(M, 1),
  /// theta <- theta + alpha' delta z.
  func parameters() -> (dense: Parameter, sparse: Parameter) {
    let dense = Parameter(name: "a", rows: 2, columns: 1, value: [0.5, -1])
    dense.gradient = [0.2, -0.4]
    dense.optimizerState["trace"] = [1, 0.5]
    let sparse = Parameter(
      name: "b", pattern: SparsePattern(rows: 2, columns: 2, mask: [true, false, false, true]), value: [2, 3])
    sparse.gradient = [-1, 0.1]
    sparse.optimizerState["trace"] = [0, -2]
    return (dense, sparse)
  }

  @Test func boundedStepMatchesTheHandComputation() {
    let (dense, sparse) = parameters()
    let optimizer = ObGD(parameters: [dense, sparse], learningRate: 1, gamma: 0.99, lambda: 0.8, kappa: 2)
    let delta: Float = -3
    let used = optimizer.step(delta: delta, resetTraces: false)
    // gamma lambda = 0.792. z = [0.992, -0.004], [-1, -1.484]; ||z||_1 = 0.992 + 0.004 + 1 + 1.484 = 3.48.
    // M = 1 * 2 * 3 * 3.48 = 20.88 > 1, so alpha' = 1 / 20.88.
    let z: [Double] = [0.792 * 1 + 0.2, 0.792 * 0.5 - 0.4, -1, 0.792 * -2 + 0.1]
    let stepSize = 1 / (2 * 3 * z.map(abs).reduce(0, +))
    #expect(abs(Double(used) - stepSize) < 1e-7)
    let expected = [
      0.5 + stepSize * -3 * z[0], -1 + stepSize * -3 * z[1], 2 + stepSize * -3 * z[2], 3 + stepSize * -3 * z[3],
    ]
    let actual = (dense.value + sparse.value).map(Double.init)
    for (a, e) in zip(actual, expected) { #expect(abs(a - e) < 1e-6) }
    let traces = (dense.optimizerState["trace"]! + sparse.optimizerState["trace"]!).map(Double.init)
    for (t, e) in zip(traces, z) { #expect(abs(t - e) < 1e-6) }
    #expect(sparse.activeCount == 2 && sparse.pattern!.nonzeroCount == 2)  // inactive weights stay absent (zero)
  }

  @Test func smallStepKeepsAlphaAndResetClearsTraces() {
    let (dense, sparse) = parameters()
    dense.optimizerState = [:]
    sparse.optimizerState = [:]
    dense.gradient = [0.01, 0.02]
    sparse.gradient = [0, -0.03]
    let optimizer = ObGD(parameters: [dense, sparse], learningRate: 0.5, gamma: 0.9, lambda: 0.5, kappa: 2)
    // z = g (zero traces); ||z||_1 = 0.06; delta 0.5 -> deltaBar 1; M = 0.5 * 2 * 1 * 0.06 = 0.06 <= 1: alpha' = 0.5.
    let used = optimizer.step(delta: 0.5, resetTraces: true)
    #expect(used == 0.5)
    let expected: [Float] = [0.5 + 0.25 * 0.01, -1 + 0.25 * 0.02, 2, 3 + 0.25 * -0.03]
    for (a, e) in zip(dense.value + sparse.value, expected) { #expect(abs(a - e) < 1e-7) }
    #expect((dense.optimizerState["trace"]! + sparse.optimizerState["trace"]!).allSatisfy { $0 == 0 })
  }

  @Test func archiveRoundTripsAndRejectsOtherOptimizers() throws {
    let (dense, sparse) = parameters()
    let optimizer = ObGD(parameters: [dense, sparse], learningRate: 0.3)
    optimizer.step(delta: 1, resetTraces: false)
    let restored = ObGD(parameters: [dense, sparse])
    try restored.load(from: optimizer.archive())
    #expect(restored.stepCount == 1 && restored.learningRate == 0.3)
    #expect(throws: ArchiveError.self) { try restored.load(from: Adam(parameters: [dense]).archive()) }
  }
}
