import SparseRLNumerics

/// A MinAtar game as a Gymnasium environment, with the reference's `minatar.Environment` and `minatar.gym.BaseEnv`
/// semantics:
///
/// - Actions index the action set: the full six actions (`-v0` ids) or the game's minimal action set (`-v1`).
/// - Sticky actions: before each step, with probability `stickyActionProbability` (0.1) the previous action (in
///   full-action numbering) is repeated instead. The previous action is not cleared by `reset`, as in the reference.
/// - One generator drives both the sticky actions and the game's own randomness, as in the reference after
///   seeding. `reset(seed:)` with a seed restarts it from `RandomGenerator(seed:)`; the first reset without a seed
///   seeds it from the system's entropy.
/// - Observations are the channel-major `[C, 10, 10]` transpose of the reference's `[10, 10, C]` `state()`:
///   reference cell `[y, x, c]` is `observation[(c * 10 + y) * 10 + x]`.
/// - Rewards are the game's integer rewards; `terminated` is the game's terminal flag; never truncated (the
///   registrations have no time limit).
public final class MinAtarEnvironment<Game: MinAtarGame>: Environment {
  public let id: String
  public let observationSpace: Space
  public let actionSpace: Space
  /// The full-action numbers the agent's actions map to.
  public let actionSet: [MinAtarAction]
  /// Probability of repeating the previous action.
  public let stickyActionProbability: Double
  /// Whether the game's difficulty ramps up.
  public let ramping: Bool

  /// The game's complete state. Setting it is exact (parity tests set states taken from the reference).
  public var game: Game
  /// The generator behind sticky actions and the game's randomness.
  public private(set) var generator: RandomGenerator
  /// The previous action actually played (full-action numbering), repeated by sticky actions.
  public private(set) var lastAction: MinAtarAction = .noop
  private var seeded = false
  private var needsReset = true

  /// A MinAtar environment for `Game`. `useMinimalActionSet` picks the game's minimal action set (the `-v1`
  /// registration) instead of all six actions (`-v0`).
  public init(
    _ game: Game.Type, id: String? = nil, useMinimalActionSet: Bool,
    stickyActionProbability: Double = 0.1,
    ramping: Bool = true
  ) {
    precondition(
      (0...1).contains(stickyActionProbability),
      "sticky action probability \(stickyActionProbability) is outside [0, 1]")
    self.id = id ?? "MinAtar/\(Game.displayName)-v\(useMinimalActionSet ? 1 : 0)"
    actionSet = useMinimalActionSet ? Game.minimalActionSet : MinAtarAction.allCases
    actionSpace = .discrete(DiscreteSpace(actionSet.count))
    observationSpace = .box(
      BoxSpace(low: 0, high: 1, shape: [Game.channelCount, 10, 10], elementType: .bool))
    self.stickyActionProbability = stickyActionProbability
    self.ramping = ramping
    generator = RandomGenerator(seed: 0)
    self.game = Game(ramping: ramping, random: &generator)
  }

  public func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    if let seed {
      generator = RandomGenerator(seed: seed)
      seeded = true
    } else if !seeded {
      var entropy = SystemRandomNumberGenerator()
      generator = RandomGenerator(seed: entropy.next())
      seeded = true
    }
    game.reset(random: &generator)
    needsReset = false
    return (game.observation, info)
  }

  public func step(_ action: Action) throws -> Step {
    guard case .discrete(let index) = action, actionSpace.contains(action) else {
      throw EnvironmentError.invalidAction(
        environment: id, action: "\(action)", space: "\(actionSpace)")
    }
    guard !needsReset else { throw EnvironmentError.needsReset(environment: id) }
    var played = actionSet[index]
    if generator.uniform() < stickyActionProbability { played = lastAction }
    lastAction = played
    let outcome = game.act(played, random: &generator)
    needsReset = outcome.terminal
    return Step(
      observation: game.observation, reward: Double(outcome.reward), terminated: outcome.terminal,
      truncated: false,
      info: info)
  }

  /// The difficulty ramp level (`difficulty_ramp`), for games that ramp.
  private var info: Info {
    var info = Info()
    if let ramp = game.difficultyRamp { info["difficulty_ramp"] = Double(ramp) }
    return info
  }

  public func saveState() -> EnvironmentState {
    var writer = IntegerStateWriter()
    writer.append(lastAction.rawValue)
    writer.append(seeded)
    writer.append(needsReset)
    game.write(to: &writer)
    return EnvironmentState(integers: writer.integers, generators: [generator])
  }

  public func restoreState(_ state: EnvironmentState) throws {
    guard state.generators.count == 1, state.reals.isEmpty, state.inner.isEmpty else {
      throw EnvironmentError.invalidState(
        environment: id,
        reason:
          "expected one generator and no reals or inner states, got \(state.generators.count) generators, "
          + "\(state.reals.count) reals, \(state.inner.count) inner states")
    }
    do {
      var reader = IntegerStateReader(state.integers)
      let lastAction = try MinAtarAction(rawValue: reader.integer(in: 0...5, "last action"))!
      let seeded = try reader.bool()
      let needsReset = try reader.bool()
      let game = try Game(from: &reader)
      guard reader.isAtEnd else {
        throw IntegerStateReader.Failure(
          description: "saved state has more integers than a \(Game.displayName) game")
      }
      (self.lastAction, self.seeded, self.needsReset, self.game) = (
        lastAction, seeded, needsReset, game
      )
      generator = state.generators[0]
    } catch let failure as IntegerStateReader.Failure {
      throw EnvironmentError.invalidState(environment: id, reason: failure.description)
    }
  }
}
