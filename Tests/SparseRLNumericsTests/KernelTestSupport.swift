import Testing

@testable import SparseRLNumerics

/// Independent naive references for the kernel tests, accumulated in `Double`.
///
/// Each reference returns the exact-ish result together with the sum of the absolute values of the products
/// that make up every entry. Tolerance used by all kernel tests: `|kernel - reference| <= 1e-4 * absSum + 1e-6`.
/// Float accumulation of `n` terms errs by at most about `n * 6e-8 * absSum` (1.5e-5 for the 255-term sums
/// here), while a missing or misplaced term changes an entry by about `absSum / n` (>= 1e-3 for these sizes),
/// so the tolerance separates rounding from bugs.
enum KernelReference {
  /// Element `(r, c)` of a row-major matrix with `columns` columns.
  static func at(_ m: [Float], _ r: Int, _ c: Int, _ columns: Int) -> Double {
    Double(m[r * columns + c])
  }

  /// `Y = W X`, `W` `[out x in]`, `X` `[in x batch]`.
  static func forward(_ w: [Float], _ x: [Float], out: Int, in inFeatures: Int, batch: Int) -> (
    [Double], [Double]
  ) {
    var y = [Double](repeating: 0, count: out * batch)
    var bound = y
    for i in 0..<out {
      for b in 0..<batch {
        for j in 0..<inFeatures {
          let p = at(w, i, j, inFeatures) * at(x, j, b, batch)
          y[i * batch + b] += p
          bound[i * batch + b] += abs(p)
        }
      }
    }
    return (y, bound)
  }

  /// `dX = W^T dY`.
  static func inputGradient(_ w: [Float], _ dy: [Float], out: Int, in inFeatures: Int, batch: Int)
    -> (
      [Double], [Double]
    )
  {
    var dx = [Double](repeating: 0, count: inFeatures * batch)
    var bound = dx
    for j in 0..<inFeatures {
      for b in 0..<batch {
        for i in 0..<out {
          let p = at(w, i, j, inFeatures) * at(dy, i, b, batch)
          dx[j * batch + b] += p
          bound[j * batch + b] += abs(p)
        }
      }
    }
    return (dx, bound)
  }

  /// `dW = dY X^T`.
  static func weightGradient(_ dy: [Float], _ x: [Float], out: Int, in inFeatures: Int, batch: Int)
    -> (
      [Double], [Double]
    )
  {
    var dw = [Double](repeating: 0, count: out * inFeatures)
    var bound = dw
    for i in 0..<out {
      for j in 0..<inFeatures {
        for b in 0..<batch {
          let p = at(dy, i, b, batch) * at(x, j, b, batch)
          dw[i * inFeatures + j] += p
          bound[i * inFeatures + j] += abs(p)
        }
      }
    }
    return (dw, bound)
  }

  /// The products' epilogue as separate scalar passes over a `[rows x columns]` matrix: `v + bias[r]`, then
  /// `max(v, 0)`, then `v * (gate[r, c] > 0 ? 1 : 0)`, each only when given.
  static func epilogue(
    _ values: [Float], rows: Int, columns: Int, bias: [Float]? = nil, relu: Bool = false, gate: [Float]? = nil
  ) -> [Float] {
    var result = values
    if let bias { for r in 0..<rows { for c in 0..<columns { result[r * columns + c] += bias[r] } } }
    if relu { result = result.map { max($0, 0) } }
    if let gate { for k in result.indices { result[k] *= gate[k] > 0 ? 1 : 0 } }
    return result
  }

  /// Uniform random floats in [-1, 1).
  static func randomValues(_ count: Int, _ generator: inout RandomGenerator) -> [Float] {
    (0..<count).map { _ in generator.uniform(-1, 1) }
  }

  /// The first (at most five) entries that violate the tolerance, as `index: got vs expected` (empty = all close).
  static func mismatches(_ got: [Float], _ expected: [Double], _ bound: [Double]) -> [String] {
    precondition(got.count == expected.count && got.count == bound.count, "result sizes differ")
    return got.indices.lazy.filter { abs(Double(got[$0]) - expected[$0]) > 1e-4 * bound[$0] + 1e-6 }
      .prefix(5)
      .map { "\($0): \(got[$0]) vs \(expected[$0])" }
  }

  /// A random mask of `rows x columns` with about `sparsity` of its entries inactive (exactly all / none
  /// for sparsity 1 / 0).
  static func randomMask(
    rows: Int, columns: Int, sparsity: Double, _ generator: inout RandomGenerator
  ) -> [Bool] {
    (0..<(rows * columns)).map { _ in generator.nextDouble() >= sparsity }
  }
}
