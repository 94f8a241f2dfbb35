/// An environment that wraps another one and changes some of its behaviour (Gymnasium's `Wrapper`).
///
/// A wrapper's `saveState()` nests the inner environment's state in `EnvironmentState.inner[0]`.
public protocol EnvironmentWrapper: Environment {
  /// The wrapped environment.
  var inner: any Environment { get }
}

extension Environment {
  /// The innermost environment below every wrapper (Gymnasium's `unwrapped`).
  public var unwrapped: any Environment {
    var environment: any Environment = self
    while let wrapper = environment as? any EnvironmentWrapper { environment = wrapper.inner }
    return environment
  }

  /// The outermost wrapper (or environment) of type `T` in this stack, if any.
  public func find<T: Environment>(_ type: T.Type) -> T? {
    var environment: any Environment = self
    while true {
      if let match = environment as? T { return match }
      guard let wrapper = environment as? any EnvironmentWrapper else { return nil }
      environment = wrapper.inner
    }
  }
}

extension EnvironmentState {
  /// The single nested inner state of a wrapper's state, or `invalidState` naming `environment`.
  public func innerState(of environment: String) throws -> EnvironmentState {
    guard inner.count == 1 else {
      throw EnvironmentError.invalidState(
        environment: environment, reason: "expected one nested inner state, found \(inner.count)")
    }
    return inner[0]
  }

  /// Checks the number of reals, integers and generators, throwing `invalidState` naming `environment`.
  public func expect(reals: Int, integers: Int, generators: Int, environment: String) throws {
    guard self.reals.count == reals, self.integers.count == integers,
      self.generators.count == generators
    else {
      throw EnvironmentError.invalidState(
        environment: environment,
        reason: "expected \(reals) reals, \(integers) integers and \(generators) generators; found "
          + "\(self.reals.count), \(self.integers.count) and \(self.generators.count)")
    }
  }
}
