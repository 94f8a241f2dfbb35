import Testing

@testable import SparseRLNumerics

/// Sample statistics of initialisers on 60,000 draws: the sample standard deviation must be within 3% of the
/// target (its standard error is about 0.3-0.5%), the mean within 0.02 standard deviations, bounds exact.
@Suite struct InitializerTests {
  let rows = 200
  let columns = 300

  func statistics(_ values: [Float]) -> (mean: Double, std: Double, maxAbs: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot(), values.map { abs(Double($0)) }.max() ?? 0)
  }

  func draw(_ initializer: Initializer, fanIn: Int? = nil, fanOut: Int? = nil, seed: UInt64 = 1) -> [Float] {
    var random = RandomGenerator(seed: seed)
    return initializer.values(rows: rows, columns: columns, fanIn: fanIn, fanOut: fanOut, using: &random)
  }

  func expectMoments(_ values: [Float], std: Double, bound: Double? = nil, _ what: String) {
    let s = statistics(values)
    #expect(values.count == rows * columns)
    #expect(abs(s.std / std - 1) < 0.03, "\(what): std \(s.std), expected \(std)")
    #expect(abs(s.mean) < 0.02 * std, "\(what): mean \(s.mean)")
    if let bound {
      #expect(s.maxAbs <= bound, "\(what): max |x| \(s.maxAbs) > bound \(bound)")
      #expect(s.maxAbs > 0.99 * bound, "\(what): max |x| \(s.maxAbs) does not reach bound \(bound)")
    }
  }

  @Test func uniformFamilies() {
    let pytorch = 1 / Double(columns).squareRoot()
    expectMoments(draw(.pytorchDefault), std: pytorch / 3.0.squareRoot(), bound: pytorch, "pytorchDefault")
    let he = (6 / Double(columns)).squareRoot()
    expectMoments(draw(.heUniform), std: he / 3.0.squareRoot(), bound: he, "heUniform")
    let glorot = (6 / Double(rows + columns)).squareRoot()
    expectMoments(draw(.glorotUniform), std: glorot / 3.0.squareRoot(), bound: glorot, "glorotUniform")
    let u = draw(.uniform(low: 2, high: 3))
    #expect(u.allSatisfy { $0 >= 2 && $0 < 3 })
    #expect(abs(statistics(u).mean - 2.5) < 0.01)
    // Explicit fans (a convolution's): fanIn = 4 * 3 * 3.
    let conv = 1 / 36.0.squareRoot()
    expectMoments(draw(.pytorchDefault, fanIn: 36), std: conv / 3.0.squareRoot(), bound: conv, "pytorchDefault conv")
  }

  @Test func normalFamilies() {
    expectMoments(draw(.heNormal), std: (2 / Double(columns)).squareRoot(), "heNormal")
    for (mode, n) in [
      (FanMode.fanIn, Double(columns)), (.fanOut, Double(rows)), (.fanAverage, Double(rows + columns) / 2),
    ] {
      expectMoments(
        draw(.varianceScaling(scale: 0.5, mode: mode, distribution: .normal)), std: (0.5 / n).squareRoot(),
        "normal \(mode)")
      let truncated = draw(.varianceScaling(scale: 0.5, mode: mode, distribution: .truncatedNormal))
      let truncatedStd = (0.5 / n).squareRoot()
      expectMoments(truncated, std: truncatedStd, "truncated \(mode)")
      // Truncated at two standard deviations of the underlying (wider) normal.
      #expect(statistics(truncated).maxAbs <= 2 * truncatedStd / 0.879_625_661_034_239_78 + 1e-6)
      let uniformBound = (3 * 0.5 / n).squareRoot()
      expectMoments(
        draw(.varianceScaling(scale: 0.5, mode: mode, distribution: .uniform)), std: uniformBound / 3.0.squareRoot(),
        bound: uniformBound, "uniform \(mode)")
    }
    #expect(draw(.zeros).allSatisfy { $0 == 0 } && draw(.constant(0.5)).allSatisfy { $0 == 0.5 })
  }

  @Test(arguments: [(8, 5), (5, 8), (6, 6), (1, 4)])
  func orthogonal(rows: Int, columns: Int) {
    var random = RandomGenerator(seed: 7)
    let gain: Float = 1.5
    let q = Initializer.orthogonal(gain: gain).values(rows: rows, columns: columns, using: &random)
    // Gram matrix of the smaller side: Q^T Q (tall) or Q Q^T (wide) must be gain^2 I.
    let tall = rows >= columns
    let k = min(rows, columns)
    for a in 0..<k {
      for b in 0..<k {
        var dot = 0.0
        for i in 0..<max(rows, columns) {
          let x = tall ? q[i * columns + a] : q[a * columns + i]
          let y = tall ? q[i * columns + b] : q[b * columns + i]
          dot += Double(x) * Double(y)
        }
        let expected = a == b ? Double(gain * gain) : 0
        #expect(abs(dot - expected) < 1e-5, "Gram[\(a), \(b)] = \(dot)")
      }
    }
    var again = RandomGenerator(seed: 7)
    #expect(Initializer.orthogonal(gain: gain).values(rows: rows, columns: columns, using: &again) == q)
  }

  @Test func orthogonalIsNotBiasedTowardPositiveDiagonal() {
    // Sign correction makes Q Haar-distributed: diagonal entries of square Q average to 0.
    var random = RandomGenerator(seed: 9)
    var sum = 0.0
    let trials = 400
    for _ in 0..<trials {
      let q = Initializer.orthogonal(gain: 1).values(rows: 4, columns: 4, using: &random)
      sum += Double(q[0] + q[5] + q[10] + q[15])
    }
    // Each diagonal entry has variance 1/4: the mean of 1600 of them has standard error 0.0125.
    #expect(abs(sum / Double(4 * trials)) < 0.05)
  }
}
