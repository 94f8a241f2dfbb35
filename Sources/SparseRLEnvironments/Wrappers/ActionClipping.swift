/// Clips continuous actions into the inner box before stepping (Gymnasium's `ClipAction`). Its action space
/// is the unbounded box of the same shape; a NaN element or a vector of the wrong length still throws
/// `EnvironmentError.invalidAction`.
public final class ActionClipping: EnvironmentWrapper {
  public let inner: any Environment
  private let box: BoxSpace

  /// Wraps `inner`, which must have a box action space.
  public init(_ inner: any Environment) {
    guard case .box(let box) = inner.actionSpace else {
      preconditionFailure(
        "ActionClipping needs a Box action space; \(inner.id) has \(inner.actionSpace)")
    }
    self.inner = inner
    self.box = box
  }

  public var id: String { inner.id }
  public var observationSpace: Space { inner.observationSpace }
  public var actionSpace: Space {
    .box(BoxSpace(low: -.infinity, high: .infinity, shape: box.shape))
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    try inner.reset(seed: seed)
  }

  public func step(_ action: Action) throws -> Step {
    try actionSpace.validate(action, environment: "ActionClipping(\(id))")
    guard case .continuous(let values) = action else {
      preconditionFailure("validated as continuous")
    }
    return try inner.step(.continuous(box.clip(values)))
  }

  /// No own state; inner state nested.
  public func saveState() -> EnvironmentState { EnvironmentState(inner: [inner.saveState()]) }

  public func restoreState(_ state: EnvironmentState) throws {
    try state.expect(reals: 0, integers: 0, generators: 0, environment: "ActionClipping(\(id))")
    try inner.restoreState(state.innerState(of: "ActionClipping(\(id))"))
  }
}
