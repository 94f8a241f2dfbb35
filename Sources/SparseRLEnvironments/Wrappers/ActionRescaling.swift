/// Lets the agent act in `[-1, 1]^n` and maps each element affinely onto the inner box:
/// `low + (a + 1) / 2 * (high - low)` (Gymnasium's `RescaleAction` to [-1, 1]).
///
/// Needs a box action space with finite bounds. An action outside `[-1, 1]^n` (or NaN) throws
/// `EnvironmentError.invalidAction`.
public final class ActionRescaling: EnvironmentWrapper {
  public let inner: any Environment
  private let box: BoxSpace

  /// Wraps `inner`, which must have a box action space with finite bounds.
  public init(_ inner: any Environment) {
    guard case .box(let box) = inner.actionSpace else {
      preconditionFailure(
        "ActionRescaling needs a Box action space; \(inner.id) has \(inner.actionSpace)")
    }
    precondition(
      box.low.allSatisfy(\.isFinite) && box.high.allSatisfy(\.isFinite),
      "ActionRescaling needs finite action bounds; \(inner.id) has \(inner.actionSpace)")
    self.inner = inner
    self.box = box
  }

  public var id: String { inner.id }
  public var observationSpace: Space { inner.observationSpace }
  public var actionSpace: Space { .box(BoxSpace(low: -1, high: 1, shape: box.shape)) }

  /// The inner action for the agent's action `values` in [-1, 1] (clamped into the box against rounding).
  public func rescale(_ values: [Float]) -> [Float] {
    (0..<values.count).map { i in
      let mapped =
        Double(box.low[i]) + (Double(values[i]) + 1) / 2
        * (Double(box.high[i]) - Double(box.low[i]))
      return min(max(Float(mapped), box.low[i]), box.high[i])
    }
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    try inner.reset(seed: seed)
  }

  public func step(_ action: Action) throws -> Step {
    try actionSpace.validate(action, environment: "ActionRescaling(\(id))")
    guard case .continuous(let values) = action else {
      preconditionFailure("validated as continuous")
    }
    return try inner.step(.continuous(rescale(values)))
  }

  /// No own state; inner state nested.
  public func saveState() -> EnvironmentState { EnvironmentState(inner: [inner.saveState()]) }

  public func restoreState(_ state: EnvironmentState) throws {
    try state.expect(reals: 0, integers: 0, generators: 0, environment: "ActionRescaling(\(id))")
    try inner.restoreState(state.innerState(of: "ActionRescaling(\(id))"))
  }
}
