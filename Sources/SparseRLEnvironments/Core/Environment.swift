import SparseRLNumerics

/// An action: an index for discrete spaces, a vector for boxes.
public enum Action: Equatable, Sendable {
  /// An action index of a discrete space.
  case discrete(Int)
  /// An action vector of a box space.
  case continuous([Float])
}

/// What `step` returns, with Gymnasium 1.x semantics.
///
/// - `terminated`: the MDP reached a terminal state; value targets must not bootstrap.
/// - `truncated`: an outside cutoff (a time limit); value targets bootstrap from `observation`.
/// This is the only step type in SparseRL: wrappers, vector environments and agents all use it.
public struct Step: Sendable {
  /// The observation after the action (the final observation of a finished episode).
  public var observation: [Float]
  /// The reward of the transition.
  public var reward: Double
  /// The MDP reached a terminal state.
  public var terminated: Bool
  /// The episode was cut off from outside (a time limit).
  public var truncated: Bool
  /// Extra numbers the environment reports.
  public var info: Info

  /// A step result.
  public init(
    observation: [Float], reward: Double, terminated: Bool, truncated: Bool, info: Info = Info()
  ) {
    self.observation = observation
    self.reward = reward
    self.terminated = terminated
    self.truncated = truncated
    self.info = info
  }

  /// True when the episode is over for either reason. Never use this to decide bootstrapping.
  public var isLast: Bool { terminated || truncated }
}

/// Extra named numbers an environment reports (Gymnasium's `info` dict, restricted to scalars).
public struct Info: Equatable, Sendable {
  /// The values by name.
  public var values: [String: Double]
  /// An info holding `values`.
  public init(_ values: [String: Double] = [:]) { self.values = values }
  /// The value named `key`, if present.
  public subscript(key: String) -> Double? {
    get { values[key] }
    set { values[key] = newValue }
  }
}

/// The complete state of an environment (and of the wrappers around it), enough to continue exactly where
/// it was: the simulator state, counters and every random generator. Wrappers nest their inner state.
public struct EnvironmentState: Codable, Equatable, Sendable {
  /// Real-valued state (positions, velocities, simulator state).
  public var reals: [Double]
  /// Integer state (counters, discrete game state).
  public var integers: [Int]
  /// The random generators, in the environment's own order.
  public var generators: [RandomGenerator]
  /// The states of wrapped environments.
  public var inner: [EnvironmentState]

  /// A state from its parts.
  public init(
    reals: [Double] = [], integers: [Int] = [], generators: [RandomGenerator] = [],
    inner: [EnvironmentState] = []
  ) {
    self.reals = reals
    self.integers = integers
    self.generators = generators
    self.inner = inner
  }
}

/// Errors raised by environments, their registry and wrappers. Each message names the problem.
public enum EnvironmentError: Error, Equatable, CustomStringConvertible {
  /// An action outside the action space.
  case invalidAction(environment: String, action: String, space: String)
  /// `step` called before `reset`, or after the episode ended without a reset.
  case needsReset(environment: String)
  /// An id that is not registered, with the closest registered ids.
  case unknownEnvironment(id: String, suggestions: [String])
  /// A saved state that does not fit this environment.
  case invalidState(environment: String, reason: String)
  /// A dependency (such as the MuJoCo library) is missing; the message says how to install it.
  case unavailable(id: String, reason: String)

  public var description: String {
    switch self {
    case .invalidAction(let environment, let action, let space):
      "\(environment): action \(action) is outside the action space \(space)"
    case .needsReset(let environment):
      "\(environment): step() called before reset() or after the episode ended; call reset() first"
    case .unknownEnvironment(let id, let suggestions):
      "unknown environment id '\(id)'"
        + (suggestions.isEmpty
          ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?")
    case .invalidState(let environment, let reason):
      "\(environment): cannot restore state: \(reason)"
    case .unavailable(let id, let reason):
      "\(id) is unavailable: \(reason)"
    }
  }
}

/// A single environment with Gymnasium 1.x semantics.
///
/// `reset(seed:)`: a seed given once reseeds the environment's generator; a later reset without a seed
/// continues that generator. `step` throws `EnvironmentError.invalidAction` for an action outside
/// `actionSpace`.
public protocol Environment: AnyObject {
  /// The registered id, e.g. `CartPole-v1` (or a descriptive name for an unregistered instance).
  var id: String { get }
  /// The space of the observations `reset` and `step` return.
  var observationSpace: Space { get }
  /// The space of the actions `step` accepts.
  var actionSpace: Space { get }
  /// Starts an episode. Returns the first observation and info.
  func reset(seed: UInt64?) throws -> (observation: [Float], info: Info)
  /// Advances one step.
  func step(_ action: Action) throws -> Step
  /// Everything needed to continue exactly from here.
  func saveState() -> EnvironmentState
  /// Restores a state produced by `saveState` of an environment with the same id.
  func restoreState(_ state: EnvironmentState) throws
}

extension Environment {
  /// `reset` without a seed.
  public func reset() throws -> (observation: [Float], info: Info) { try reset(seed: nil) }
}
