import SparseRLNumerics

/// Seeded ranking of weight positions: the building block of every drop, grow and prune step.
///
/// Ties between equal scores are broken by a random permutation of the positions drawn from the caller's
/// generator (Fisher–Yates with `integer(below:)`), never by memory order. NaN scores rank below every number
/// (a NaN weight is dropped first and a NaN gradient is grown last).
public enum PositionRanking {
  /// A random rank for each of `count` positions: a permutation of `0..<count`. Cost O(count).
  public static func tieRanks(count: Int, random: inout RandomGenerator) -> [Int32] {
    var ranks = (0..<count).map { Int32($0) }
    if count > 1 {
      for i in stride(from: count - 1, to: 0, by: -1) {
        ranks.swapAt(i, random.integer(below: i + 1))
      }
    }
    return ranks
  }

  /// The `k` positions of `candidates` with the largest scores (ties: lower tie rank first), in selection order.
  /// `score` and `tieRank` are indexed by position. Cost O(m log m) for `m` candidates.
  public static func largest(
    _ k: Int, of candidates: [Int], score: (Int) -> Float, tieRank: [Int32]
  ) -> [Int] {
    precondition(
      k >= 0 && k <= candidates.count, "cannot select \(k) of \(candidates.count) positions")
    let keyed = candidates.map { (position: $0, score: sortable(score($0)), rank: tieRank[$0]) }
    let sorted = keyed.sorted { $0.score != $1.score ? $0.score > $1.score : $0.rank < $1.rank }
    return sorted.prefix(k).map(\.position)
  }

  /// The `k` positions of `candidates` with the smallest scores (ties: lower tie rank first).
  public static func smallest(
    _ k: Int, of candidates: [Int], score: (Int) -> Float, tieRank: [Int32]
  ) -> [Int] {
    precondition(
      k >= 0 && k <= candidates.count, "cannot select \(k) of \(candidates.count) positions")
    let keyed = candidates.map { (position: $0, score: sortable(score($0)), rank: tieRank[$0]) }
    let sorted = keyed.sorted { $0.score != $1.score ? $0.score < $1.score : $0.rank < $1.rank }
    return sorted.prefix(k).map(\.position)
  }

  /// `k` positions drawn uniformly without replacement from `candidates` (partial Fisher–Yates). Cost O(m).
  public static func uniform(_ k: Int, of candidates: [Int], random: inout RandomGenerator) -> [Int]
  {
    precondition(
      k >= 0 && k <= candidates.count, "cannot draw \(k) of \(candidates.count) positions")
    var pool = candidates
    for i in 0..<k {
      pool.swapAt(i, i + random.integer(below: pool.count - i))
    }
    return Array(pool.prefix(k))
  }

  private static func sortable(_ value: Float) -> Float { value.isNaN ? -.infinity : value }
}

/// How the initial mask of a sparse layer is chosen.
public enum InitialMask: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
  /// The active positions are drawn uniformly at random (the usual choice; Static, SET, RigL).
  case random
  /// The largest-magnitude entries of the freshly initialised dense weight are kept (the RLx2 code).
  case largestMagnitude = "largest_magnitude"
}

extension InitialMask {
  /// The initial pattern with `activeCount` active positions for a `[rows x columns]` weight whose dense,
  /// freshly initialised values are `denseValues` (row-major; used by `largestMagnitude`).
  public func pattern(
    rows: Int, columns: Int, activeCount: Int, denseValues: [Float], random: inout RandomGenerator
  ) -> SparsePattern {
    let count = rows * columns
    precondition(
      activeCount >= 0 && activeCount <= count,
      "\(activeCount) active weights for \(rows)x\(columns)")
    let all = Array(0..<count)
    let chosen: [Int]
    switch self {
    case .random:
      chosen = PositionRanking.uniform(activeCount, of: all, random: &random)
    case .largestMagnitude:
      precondition(
        denseValues.count == count, "largestMagnitude needs the \(count) dense initial values")
      let ranks = PositionRanking.tieRanks(count: count, random: &random)
      chosen = PositionRanking.largest(
        activeCount, of: all, score: { abs(denseValues[$0]) }, tieRank: ranks)
    }
    return SparsePattern(rows: rows, columns: columns, activeIndices: chosen.sorted())
  }
}

/// Sparsity-aware initialisation: each active weight `(r, c)` is drawn from `U(-L, L)` with
/// `L = sqrt(3 / max(1, (fan_in + fan_out) / 2))`, where `fan_in` is the number of active weights of row `r`
/// (the output unit's incoming connections) and `fan_out` the number of active weights in the columns of the
/// input unit that column `c` belongs to (its outgoing connections), as in the RigL code's `unit_scaled_init`
/// with `fanavg_uniform`. For a Conv2d weight an input unit is an input channel (`columnsPerInputUnit = kh*kw`
/// consecutive columns).
public enum SparsityAwareInitializer {
  /// The limit `L` of every active entry, in CSR order.
  public static func limits(of pattern: SparsePattern, columnsPerInputUnit: Int = 1) -> [Float] {
    precondition(
      columnsPerInputUnit > 0 && pattern.columns % columnsPerInputUnit == 0,
      "\(pattern.columns) columns do not split into input units of \(columnsPerInputUnit)")
    var fanOut = [Int](repeating: 0, count: pattern.columns / columnsPerInputUnit)
    for column in pattern.columnIndex { fanOut[Int(column) / columnsPerInputUnit] += 1 }
    var result = [Float]()
    result.reserveCapacity(pattern.nonzeroCount)
    for row in 0..<pattern.rows {
      let start = Int(pattern.rowStart[row])
      let end = Int(pattern.rowStart[row + 1])
      let fanIn = end - start
      for k in start..<end {
        let average = Double(fanIn + fanOut[Int(pattern.columnIndex[k]) / columnsPerInputUnit]) / 2
        result.append(Float((3 / max(1, average)).squareRoot()))
      }
    }
    return result
  }

  /// Values for every active entry of `pattern` (CSR order), drawn from `U(-L, L)`.
  public static func values(
    for pattern: SparsePattern, columnsPerInputUnit: Int = 1, random: inout RandomGenerator
  ) -> [Float] {
    limits(of: pattern, columnsPerInputUnit: columnsPerInputUnit).map { random.uniform(-$0, $0) }
  }
}
