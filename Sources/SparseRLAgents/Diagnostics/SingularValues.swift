/// Singular values by one-sided (Hestenes) Jacobi in `Double`, and the stable rank built on them.
///
/// The diagnostics' feature matrices are at most a few hundred samples by a few thousand features. The
/// `k = min(rows, columns)` vectors of the smaller side (each `n = max(rows, columns)` long) are first reduced to
/// the k x k triangular factor of a Householder QR (O(n k^2)), whose columns Jacobi then orthogonalises:
/// a sweep costs O(k^3), and a handful of sweeps converge.
public enum SingularValues {
  /// The singular values of the `rows x columns` matrix `matrix` (row-major), in descending order.
  public static func of(_ matrix: [Float], rows: Int, columns: Int) -> [Double] {
    precondition(matrix.count == rows * columns, "SingularValues: \(matrix.count) entries for \(rows)x\(columns)")
    guard rows > 0 && columns > 0 else { return [] }
    // Vector-major working copy: vectors[v * length + i].
    let count = min(rows, columns)
    let length = max(rows, columns)
    var vectors = [Double](repeating: 0, count: count * length)
    if columns <= rows {
      for r in 0..<rows { for c in 0..<columns { vectors[c * length + r] = Double(matrix[r * columns + c]) } }
    } else {
      for r in 0..<rows { for c in 0..<columns { vectors[r * length + c] = Double(matrix[r * columns + c]) } }
    }
    if length > count {
      vectors = triangularFactor(vectors, count: count, length: length)
      return orthogonalize(&vectors, count: count, length: count)
    }
    return orthogonalize(&vectors, count: count, length: length)
  }

  /// One-sided Jacobi: rotates pairs of the `count` vectors (each `length` long) until all are orthogonal;
  /// their norms are then the singular values, returned in descending order.
  private static func orthogonalize(_ vectors: inout [Double], count: Int, length: Int) -> [Double] {
    vectors.withUnsafeMutableBufferPointer { v in
      var squaredNorms = [Double](repeating: 0, count: count)
      for _ in 0..<60 {
        // Refreshed every sweep so that the running updates below do not drift.
        for p in 0..<count {
          var sum = 0.0
          for i in 0..<length { sum += v[p * length + i] * v[p * length + i] }
          squaredNorms[p] = sum
        }
        // Vectors below 1e-14 of the largest norm are rounding noise (a rank-deficient matrix): rotating them
        // cannot change the spectrum beyond that, and their relative orthogonality may never converge.
        let negligible = 1e-28 * (squaredNorms.max() ?? 0)
        var rotated = false
        for p in 0..<count {
          for q in (p + 1)..<count {
            var dot = 0.0
            for i in 0..<length { dot += v[p * length + i] * v[q * length + i] }
            let alpha = squaredNorms[p]
            let beta = squaredNorms[q]
            guard alpha > negligible && beta > negligible, abs(dot) > 1e-14 * (alpha * beta).squareRoot() else {
              continue
            }
            rotated = true
            let zeta = (beta - alpha) / (2 * dot)
            let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
            let c = 1 / (1 + t * t).squareRoot()
            let s = c * t
            for i in 0..<length {
              let x = v[p * length + i]
              let y = v[q * length + i]
              v[p * length + i] = c * x - s * y
              v[q * length + i] = s * x + c * y
            }
            squaredNorms[p] = alpha - t * dot
            squaredNorms[q] = beta + t * dot
          }
        }
        if !rotated { break }
      }
    }
    var values = (0..<count).map { p in
      (0..<length).reduce(0.0) { $0 + vectors[p * length + $1] * vectors[p * length + $1] }.squareRoot()
    }
    values.sort(by: >)
    return values
  }

  /// The `count x count` upper-triangular factor R of A = QR (Householder, in place), A given as `count` columns of
  /// `length > count` entries (column `p` at `p * length`); returned as `count` columns of `count` entries. The
  /// singular values of R are those of A, and Jacobi on R's shorter columns is `length / count` times cheaper.
  private static func triangularFactor(_ input: [Double], count: Int, length: Int) -> [Double] {
    var a = input
    a.withUnsafeMutableBufferPointer { a in
      var u = [Double](repeating: 0, count: length)
      for j in 0..<count {
        var norm = 0.0
        for i in j..<length { norm += a[j * length + i] * a[j * length + i] }
        norm = norm.squareRoot()
        guard norm > 0 else { continue }
        let x0 = a[j * length + j]
        let alpha = x0 > 0 ? -norm : norm
        for i in j..<length { u[i] = a[j * length + i] }
        u[j] -= alpha
        var uNorm = 0.0
        for i in j..<length { uNorm += u[i] * u[i] }
        guard uNorm > 0 else { continue }
        // Apply H = I - 2 u u^T / (u^T u) to columns j..<count.
        for c in j..<count {
          var dot = 0.0
          for i in j..<length { dot += u[i] * a[c * length + i] }
          let scale = 2 * dot / uNorm
          for i in j..<length { a[c * length + i] -= scale * u[i] }
        }
      }
    }
    var r = [Double](repeating: 0, count: count * count)
    for c in 0..<count { for i in 0...c { r[c * count + i] = a[c * length + i] } }
    return r
  }

  /// The stable rank of Kumar et al. (2021): the smallest `k` with `sum_{i <= k} sigma_i >= (1 - delta) *
  /// sum_i sigma_i` (0 for a zero matrix), `values` sorted in descending order.
  public static func stableRank(_ values: [Double], delta: Double = 0.01) -> Int {
    let total = values.reduce(0, +)
    guard total > 0 else { return 0 }
    var cumulative = 0.0
    for (k, value) in values.enumerated() {
      cumulative += value
      if cumulative >= (1 - delta) * total { return k + 1 }
    }
    return values.count
  }
}
