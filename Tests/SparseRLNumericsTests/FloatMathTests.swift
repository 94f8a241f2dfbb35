import Foundation
import Testing

@testable import SparseRLNumerics

/// `FloatMath.tanh` against Double precision's `tanh` rounded to Float.
@Suite struct FloatMathTests {
  @Test func tanhIsCorrectlyRoundedAlmostEverywhereAndWithinOneULP() {
    var inputs: [Float] = []
    var magnitude: Float = 1e-12
    while magnitude < 30 {
      inputs += [magnitude, -magnitude]
      magnitude *= 1.0007
    }
    var differing = 0
    for x in inputs {
      let reference = Float(Foundation.tanh(Double(x)))
      let value = FloatMath.tanh(x)
      #expect(abs(value - reference) <= reference.magnitude.ulp, "tanh(\(x)): \(value), reference \(reference)")
      if value != reference { differing += 1 }
    }
    #expect(differing * 1000 < inputs.count, "\(differing) of \(inputs.count) inputs not correctly rounded")
  }

  @Test func tanhKeepsTheSignOfZeroAndTheSpecialValues() {
    #expect(FloatMath.tanh(0).sign == .plus && FloatMath.tanh(-0.0).sign == .minus)
    #expect(FloatMath.tanh(.infinity) == 1 && FloatMath.tanh(-.infinity) == -1)
    #expect(FloatMath.tanh(.nan).isNaN)
    #expect(FloatMath.tanh(-0.5) == -FloatMath.tanh(0.5))
    let (t, z) = FloatMath.tanhAndExp(-1.25)
    #expect(z == Foundation.exp(-2.5) && t == Float(Foundation.tanh(-1.25)))
  }
}
