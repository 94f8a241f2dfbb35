import SparseRLNumerics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension BoxSpace {
  /// A random element, as Gymnasium's `Box.sample`: uniform on bounded coordinates, shifted exponential on
  /// half-bounded ones and standard normal on unbounded ones.
  public func sample(using generator: inout RandomGenerator) -> [Float] {
    var values = [Float](repeating: 0, count: count)
    for i in 0..<count {
      let lowIsFinite = low[i].isFinite
      let highIsFinite = high[i].isFinite
      switch (lowIsFinite, highIsFinite) {
      case (true, true): values[i] = Float(generator.uniform(Double(low[i]), Double(high[i])))
      case (true, false): values[i] = low[i] + Float(exponential(&generator))
      case (false, true): values[i] = high[i] - Float(exponential(&generator))
      case (false, false): values[i] = Float(generator.normal())
      }
      // Rounding the Double sample to Float may land exactly on an open upper bound; keep it inside.
      values[i] = min(max(values[i], low[i]), high[i])
    }
    return values
  }

  /// Clamps each element of `values` into the bounds (NaN stays NaN).
  public func clip(_ values: [Float]) -> [Float] {
    precondition(
      values.count == count, "clip: \(values.count) values for a box of \(count) elements")
    return (0..<count).map {
      values[$0].isNaN ? values[$0] : min(max(values[$0], low[$0]), high[$0])
    }
  }

  private func exponential(_ generator: inout RandomGenerator) -> Double {
    -(1.0 - generator.nextDouble()).logarithm
  }
}

extension DiscreteSpace {
  /// A uniformly random element.
  public func sample(using generator: inout RandomGenerator) -> Int {
    start + generator.integer(below: count)
  }
}

extension Space {
  /// A random action of this space (see `BoxSpace.sample(using:)`).
  public func sample(using generator: inout RandomGenerator) -> Action {
    switch self {
    case .box(let box): .continuous(box.sample(using: &generator))
    case .discrete(let discrete): .discrete(discrete.sample(using: &generator))
    }
  }

  /// Throws `EnvironmentError.invalidAction` naming `environment` when `action` is not in this space
  /// (wrong kind, wrong length, out of bounds or NaN).
  public func validate(_ action: Action, environment: String) throws {
    guard contains(action) else {
      throw EnvironmentError.invalidAction(
        environment: environment, action: "\(action)", space: "\(self)")
    }
  }
}

extension Double {
  fileprivate var logarithm: Double {
    #if canImport(Glibc)
      Glibc.log(self)
    #else
      Darwin.log(self)
    #endif
  }
}
