/// Gymnasium 1.4.0's `FrameStackObservation` with its default `padding_type="reset"`: the observation is the last
/// `stackSize` inner observations, oldest first, stacked along a new leading axis (shape `[stackSize] + inner`);
/// after a reset every slot holds the reset observation.
public final class FrameStackObservation: EnvironmentWrapper {
  public let inner: any Environment
  /// Observations in the stack.
  public let stackSize: Int
  public let observationSpace: Space
  /// The stacked frames, oldest first.
  private var frames: [[Float]]

  /// Wraps `inner`, whose observation space must be a box.
  public init(_ inner: any Environment, stackSize: Int = 4) {
    precondition(stackSize > 0, "stack_size must be positive, got \(stackSize)")
    guard case .box(let box) = inner.observationSpace else {
      preconditionFailure("FrameStackObservation needs a box observation space, got \(inner.observationSpace)")
    }
    self.inner = inner
    self.stackSize = stackSize
    observationSpace = .box(
      BoxSpace(
        low: Array([[Float]](repeating: box.low, count: stackSize).joined()),
        high: Array([[Float]](repeating: box.high, count: stackSize).joined()), shape: [stackSize] + box.shape,
        elementType: box.elementType))
    frames = Array(repeating: [Float](repeating: 0, count: box.count), count: stackSize)
  }

  public var id: String { inner.id }
  public var actionSpace: Space { inner.actionSpace }

  private var stacked: [Float] { Array(frames.joined()) }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    let result = try inner.reset(seed: seed)
    frames = Array(repeating: result.observation, count: stackSize)
    return (stacked, result.info)
  }

  public func step(_ action: Action) throws -> Step {
    var step = try inner.step(action)
    frames.removeFirst()
    frames.append(step.observation)
    step.observation = stacked
    return step
  }

  /// Reals: the stacked frames; inner state nested.
  public func saveState() -> EnvironmentState {
    EnvironmentState(reals: stacked.map(Double.init), inner: [inner.saveState()])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    let name = "FrameStackObservation(\(id))"
    let width = frames[0].count
    try state.expect(reals: stackSize * width, integers: 0, generators: 0, environment: name)
    try inner.restoreState(state.innerState(of: name))
    frames = (0..<stackSize).map { k in state.reals[(k * width)..<((k + 1) * width)].map { Float($0) } }
  }
}
