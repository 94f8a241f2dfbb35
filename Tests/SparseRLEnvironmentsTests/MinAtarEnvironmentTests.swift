import SparseRLNumerics
import Testing

@testable import SparseRLEnvironments

/// Environment-level behaviour of MinAtar: registration, spaces, sticky actions, errors, seeding and exact
/// save/restore.
@Suite struct MinAtarEnvironmentTests {
  /// Each game's channel count and minimal action set (the reference's `state_shape()` and
  /// `minimal_action_set()`, written out from its source).
  static let expected: [(name: String, channels: Int, minimal: [Int])] = [
    ("Asterix", 4, [0, 1, 2, 3, 4]), ("Breakout", 4, [0, 1, 3]), ("Freeway", 7, [0, 2, 4]),
    ("Seaquest", 10, [0, 1, 2, 3, 4, 5]), ("SpaceInvaders", 6, [0, 1, 3, 5]),
  ]

  static func make(_ id: String) throws -> any Environment {
    guard let spec = MinAtar.specs.first(where: { $0.id == id }) else {
      throw EnvironmentError.unknownEnvironment(id: id, suggestions: [])
    }
    return try spec.make()
  }

  @Test func registersBothActionSetsWithoutTimeLimit() throws {
    let ids = MinAtar.specs.map(\.id)
    #expect(Set(ids).count == ids.count)
    #expect(
      Set(ids) == Set(Self.expected.flatMap { ["MinAtar/\($0.name)-v0", "MinAtar/\($0.name)-v1"] }))
    for spec in MinAtar.specs { #expect(spec.maxEpisodeSteps == nil, "\(spec.id)") }
    for game in Self.expected {
      for version in 0...1 {
        let environment = try Self.make("MinAtar/\(game.name)-v\(version)")
        #expect(environment.id == "MinAtar/\(game.name)-v\(version)")
        #expect(
          environment.observationSpace
            == .box(BoxSpace(low: 0, high: 1, shape: [game.channels, 10, 10], elementType: .bool)))
        #expect(
          environment.actionSpace == .discrete(DiscreteSpace(version == 0 ? 6 : game.minimal.count))
        )
        let observation = try environment.reset(seed: 1).observation
        #expect(observation.count == game.channels * 100)
        #expect(observation.allSatisfy { $0 == 0 || $0 == 1 })
      }
    }
  }

  /// The `-v1` action `i` plays minimal action `i`: with sticky actions off, stepping a minimal action gives the
  /// same game as playing the mapped full action directly.
  @Test func minimalActionsMapToFullActions() throws {
    for game in Self.expected {
      for (index, full) in game.minimal.enumerated() {
        let minimal = try Self.make("MinAtar/\(game.name)-v1")
        let complete = try Self.make("MinAtar/\(game.name)-v0")
        _ = try minimal.reset(seed: 5)
        _ = try complete.reset(seed: 5)
        for _ in 0..<20 {
          // Sticky actions draw from the same seeded stream on both sides, so they coincide too.
          let a = try minimal.step(.discrete(index))
          let b = try complete.step(.discrete(full))
          #expect(
            a.observation == b.observation && a.reward == b.reward && a.terminated == b.terminated)
          if a.isLast { break }
        }
      }
    }
  }

  @Test func rejectsActionsOutsideTheActionSpace() throws {
    let environment = try Self.make("MinAtar/Breakout-v1")
    #expect(throws: EnvironmentError.needsReset(environment: "MinAtar/Breakout-v1")) {
      try environment.step(.discrete(0))
    }
    _ = try environment.reset(seed: 0)
    for bad in [Action.discrete(3), .discrete(-1), .discrete(6), .continuous([0])] {
      #expect(throws: EnvironmentError.self) { try environment.step(bad) }
      do {
        _ = try environment.step(bad)
      } catch let error as EnvironmentError {
        guard case .invalidAction(let id, _, _) = error else {
          Issue.record("expected invalidAction, got \(error)")
          continue
        }
        #expect(id == "MinAtar/Breakout-v1")
      }
    }
    _ = try environment.step(.discrete(2))
    let full = try Self.make("MinAtar/Breakout-v0")
    _ = try full.reset(seed: 0)
    _ = try full.step(.discrete(5))
  }

  @Test func stepAfterTerminationNeedsReset() throws {
    let environment = try Self.make("MinAtar/Breakout-v1")
    _ = try environment.reset(seed: 3)
    var steps = 0
    while try !environment.step(.discrete(0)).terminated { steps += 1 }
    #expect(steps < 1_000)
    #expect(throws: EnvironmentError.needsReset(environment: "MinAtar/Breakout-v1")) {
      try environment.step(.discrete(0))
    }
    _ = try environment.reset()
    _ = try environment.step(.discrete(0))
  }

  /// Sticky actions repeat the previous action with probability 0.1. Counted over steps whose requested action
  /// differs from the previous one (the only steps where stickiness is visible): the repeat rate lies within
  /// 4.5 binomial standard deviations of 0.1. Probabilities 0 and 1 never and always repeat.
  @Test func stickyActionsRepeatWithProbabilityOneTenth() throws {
    for (probability, tolerance) in [(0.1, 4.5), (0.0, 0.0), (1.0, 0.0)] {
      let environment = MinAtarEnvironment(
        Freeway.self, useMinimalActionSet: false, stickyActionProbability: probability)
      var policy = RandomGenerator(seed: 4)
      _ = try environment.reset(seed: 8)
      var (visible, repeated) = (0, 0)
      for _ in 0..<20_000 {
        let requested = MinAtarAction(rawValue: policy.integer(below: 6))!
        let previous = environment.lastAction
        let step = try environment.step(.discrete(requested.rawValue))
        if requested != previous {
          visible += 1
          if environment.lastAction == previous {
            repeated += 1
          } else {
            #expect(environment.lastAction == requested)
          }
        }
        if step.isLast { _ = try environment.reset() }
      }
      let rate = Double(repeated) / Double(visible)
      let standardDeviation = (probability * (1 - probability) / Double(visible)).squareRoot()
      #expect(
        abs(rate - probability) <= tolerance * standardDeviation,
        "rate \(rate) for p = \(probability)")
      #expect(visible > 10_000 || probability == 1)
    }
  }

  /// Saving mid-episode and restoring (into the same and into a fresh environment) reproduces the following
  /// trajectory exactly, including episode ends, resets and sticky actions, for every game.
  @Test func saveAndRestoreReproduceTheTrajectory() throws {
    for game in Self.expected {
      let id = "MinAtar/\(game.name)-v0"
      let environment = try Self.make(id)
      var policy = RandomGenerator(seed: 21)
      _ = try environment.reset(seed: 13)
      for _ in 0..<37 {
        if try environment.step(.discrete(policy.integer(below: 6))).isLast {
          _ = try environment.reset()
        }
      }
      let saved = environment.saveState()
      let savedPolicy = policy
      func play(_ environment: any Environment) throws -> [String] {
        var policy = savedPolicy
        return try (0..<300).map { _ in
          let step = try environment.step(.discrete(policy.integer(below: 6)))
          var record = "\(step.observation) \(step.reward) \(step.terminated)"
          if step.isLast { record += " reset \(try environment.reset().observation)" }
          return record
        }
      }
      let first = try play(environment)
      try environment.restoreState(saved)
      #expect(environment.saveState() == saved)
      #expect(try play(environment) == first, "\(id) after restore")
      let fresh = try Self.make(id)
      try fresh.restoreState(saved)
      #expect(try play(fresh) == first, "\(id) restored into a fresh environment")
      #expect(
        first.contains { $0.contains("reset") } || game.name == "Freeway", "\(id): no episode ended"
      )
    }
  }

  @Test func rejectsMalformedStates() throws {
    let environment = try Self.make("MinAtar/Seaquest-v1")
    _ = try environment.reset(seed: 2)
    var state = environment.saveState()
    state.integers.removeLast()
    #expect(throws: EnvironmentError.self) { try environment.restoreState(state) }
    state = environment.saveState()
    state.integers.append(0)
    #expect(throws: EnvironmentError.self) { try environment.restoreState(state) }
    state = environment.saveState()
    state.generators = []
    #expect(throws: EnvironmentError.self) { try environment.restoreState(state) }
    state = environment.saveState()
    state.integers[0] = 9  // last action
    #expect(throws: EnvironmentError.self) { try environment.restoreState(state) }
  }

  @Test func seedsReproduceEpisodes() throws {
    for game in Self.expected {
      let id = "MinAtar/\(game.name)-v0"
      func episode(seed: UInt64) throws -> [[Float]] {
        let environment = try Self.make(id)
        var observations = [try environment.reset(seed: seed).observation]
        for step in 0..<200 {
          let result = try environment.step(.discrete(step % 6))
          observations.append(result.observation)
          if result.isLast { break }
        }
        return observations
      }
      #expect(try episode(seed: 17) == episode(seed: 17), "\(id)")
    }
    // Breakout's start (ball on the left or right) and Freeway's car speeds depend on the seed.
    let breakout = try Self.make("MinAtar/Breakout-v0")
    let starts = try Set((0..<20).map { try breakout.reset(seed: UInt64($0)).observation })
    #expect(starts.count == 2)
  }

  /// The observation is the channel-major transpose of the reference's `[y, x, c]` state: Breakout's start has the
  /// paddle at (9, 4) in channel 0 and bricks in rows 1...3 of channel 3.
  @Test func observationIsChannelMajor() throws {
    var random = RandomGenerator(seed: 1)
    let game = Breakout(random: &random)
    let observation = game.observation
    func cell(_ c: Int, _ y: Int, _ x: Int) -> Float { observation[(c * 10 + y) * 10 + x] }
    #expect(cell(0, 9, 4) == 1)
    #expect(observation[0..<100].reduce(0, +) == 1)
    #expect(cell(1, 3, game.ballX) == 1)
    for y in 0..<10 {
      for x in 0..<10 { #expect(cell(3, y, x) == ((1...3).contains(y) ? 1 : 0)) }
    }
  }
}
