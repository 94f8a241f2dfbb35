/// What `VectorEnvironment.step` returns: one entry per sub-environment.
///
/// With same-step autoreset, a sub-environment whose episode ended in this step has already been reset:
/// `observations[i]` and `infos[i]` are those of the new episode, while `finalObservations[i]` and
/// `finalInfos[i]` hold the true last observation and info of the finished episode (needed to bootstrap
/// a truncated episode from `V(final observation)`). Both are `nil` for sub-environments that continue.
public struct VectorStep: Sendable {
  /// The next observation of each sub-environment (of the new episode for those that were reset).
  public var observations: [[Float]]
  /// The reward of this step.
  public var rewards: [Double]
  /// Whether the sub-environment reached a terminal state (do not bootstrap).
  public var terminated: [Bool]
  /// Whether the episode was cut off (bootstrap from `finalObservations[i]`).
  public var truncated: [Bool]
  /// The info of this step, or of the reset for sub-environments that were reset.
  public var infos: [Info]
  /// The last observation of each episode that ended in this step; `nil` for the others.
  public var finalObservations: [[Float]?]
  /// The last info (with the episode statistics) of each episode that ended in this step; `nil` otherwise.
  public var finalInfos: [Info?]

  /// The number of sub-environments.
  public var count: Int { observations.count }
}

/// Several copies of an environment stepped together in one thread, with same-step autoreset
/// (Gymnasium's `SyncVectorEnv` with `AutoresetMode.SAME_STEP`).
public final class VectorEnvironment {
  /// The sub-environments, in order.
  public let environments: [any Environment]

  /// Wraps `environments` (at least one; all with the same spaces).
  public init(_ environments: [any Environment]) {
    precondition(!environments.isEmpty, "VectorEnvironment needs at least one environment")
    let first = environments[0]
    precondition(
      environments.allSatisfy {
        $0.observationSpace == first.observationSpace && $0.actionSpace == first.actionSpace
      },
      "VectorEnvironment needs sub-environments with identical spaces")
    self.environments = environments
  }

  /// `count` environments built by `make`.
  public convenience init(count: Int, make: () throws -> any Environment) rethrows {
    precondition(count > 0, "VectorEnvironment needs a positive count, got \(count)")
    self.init(try (0..<count).map { _ in try make() })
  }

  /// `count` copies of the registered environment `id` (see `EnvironmentRegistry.make`).
  public convenience init(id: String, count: Int) throws {
    try self.init(count: count) { try EnvironmentRegistry.make(id) }
  }

  /// The number of sub-environments.
  public var count: Int { environments.count }
  /// The observation space of each sub-environment.
  public var observationSpace: Space { environments[0].observationSpace }
  /// The action space of each sub-environment.
  public var actionSpace: Space { environments[0].actionSpace }

  /// Resets every sub-environment; with a seed, sub-environment `i` is reset with `seed + i` (wrapping),
  /// as Gymnasium does. Returns the observations and infos.
  public func reset(seed: UInt64? = nil) throws -> (observations: [[Float]], infos: [Info]) {
    var observations: [[Float]] = []
    var infos: [Info] = []
    observations.reserveCapacity(count)
    infos.reserveCapacity(count)
    for (i, environment) in environments.enumerated() {
      let result = try environment.reset(seed: seed.map { $0 &+ UInt64(i) })
      observations.append(result.observation)
      infos.append(result.info)
    }
    return (observations, infos)
  }

  /// Steps sub-environment `i` with `actions[i]`; each one whose episode ends is reset at once (unseeded,
  /// continuing its generator) and its final observation and info are reported in the result.
  public func step(_ actions: [Action]) throws -> VectorStep {
    guard actions.count == count else {
      throw EnvironmentError.invalidAction(
        environment: "VectorEnvironment(\(environments[0].id))", action: "\(actions.count) actions",
        space: "one action for each of \(count) sub-environments")
    }
    var result = VectorStep(
      observations: [], rewards: [], terminated: [], truncated: [], infos: [],
      finalObservations: Array(repeating: nil, count: count),
      finalInfos: Array(repeating: nil, count: count))
    for (i, environment) in environments.enumerated() {
      let step = try environment.step(actions[i])
      result.rewards.append(step.reward)
      result.terminated.append(step.terminated)
      result.truncated.append(step.truncated)
      if step.isLast {
        result.finalObservations[i] = step.observation
        result.finalInfos[i] = step.info
        let reset = try environment.reset(seed: nil)
        result.observations.append(reset.observation)
        result.infos.append(reset.info)
      } else {
        result.observations.append(step.observation)
        result.infos.append(step.info)
      }
    }
    return result
  }

  /// The states of all sub-environments, nested in order.
  public func saveState() -> EnvironmentState {
    EnvironmentState(inner: environments.map { $0.saveState() })
  }

  /// Restores a state from `saveState` of a vector environment with the same sub-environments.
  public func restoreState(_ state: EnvironmentState) throws {
    guard state.inner.count == count else {
      throw EnvironmentError.invalidState(
        environment: "VectorEnvironment(\(environments[0].id))",
        reason: "expected \(count) sub-environment states, found \(state.inner.count)")
    }
    for (environment, inner) in zip(environments, state.inner) {
      try environment.restoreState(inner)
    }
  }
}
