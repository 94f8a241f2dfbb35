import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

/// Scripted randomness shared with `Tests/References/minatar_reference.py`: each draw consumes the next uniform
/// `k * 2^-53` (k sent as an integer, so both sides see the same double), and integers are
/// `low + floor(u * (high - low))`.
struct ScriptedUniforms: MinAtarRandomSource {
  let values: [Int]
  private(set) var used = 0

  init(_ values: [Int]) { self.values = values }

  mutating func uniform() -> Double {
    precondition(used < values.count, "the scripted uniforms ran out")
    defer { used += 1 }
    return Double(values[used]) * 0x1p-53
  }

  mutating func integer(in range: Range<Int>) -> Int {
    range.lowerBound + Int(uniform() * Double(range.count))
  }
}

/// Parity of the Swift MinAtar games with the reference package.
@Suite struct MinAtarParityTests {
  struct TransitionRequest: Encodable {
    let mode = "transitions"
    let seed: Int
    let states_per_game: Int
    let uniforms_per_case: Int
    let resets_per_game: Int
  }

  struct TransitionResult<Game: MinAtarGame>: Decodable {
    let action: Int
    let next_state: Game
    let reward: Int
    let terminal: Bool
    let observation: String
    let used: Int
  }

  struct TransitionCase<Game: MinAtarGame>: Decodable {
    let state: Game
    let uniforms: [Int]
    let results: [TransitionResult<Game>]
  }

  struct ResetCase<Game: MinAtarGame>: Decodable {
    let uniforms: [Int]
    let state: Game
    let observation: String
    let used: Int
  }

  struct GameCases<Game: MinAtarGame>: Decodable {
    let cases: [TransitionCase<Game>]
    let resets: [ResetCase<Game>]
  }

  struct TransitionAnswer: Decodable {
    let breakout: GameCases<Breakout>
    let asterix: GameCases<Asterix>
    let freeway: GameCases<Freeway>
    let seaquest: GameCases<Seaquest>
    let space_invaders: GameCases<SpaceInvaders>
  }

  static func bits(_ observation: [Float]) -> String {
    String(observation.map { $0 == 1 ? "1" : "0" })
  }

  /// Applies every reference transition to the same state in Swift and returns descriptions of the mismatches.
  static func mismatches<Game: MinAtarGame>(in cases: GameCases<Game>) -> (
    checked: Int, failures: [String]
  ) {
    var failures: [String] = []
    var checked = 0
    for (caseIndex, transition) in cases.cases.enumerated() {
      for expected in transition.results {
        checked += 1
        var game = transition.state
        var random = ScriptedUniforms(transition.uniforms)
        let outcome = game.act(MinAtarAction(rawValue: expected.action)!, random: &random)
        var problems: [String] = []
        if game != expected.next_state {
          problems.append("next state \(game) != reference \(expected.next_state)")
        }
        if outcome.reward != expected.reward {
          problems.append("reward \(outcome.reward) != \(expected.reward)")
        }
        if outcome.terminal != expected.terminal { problems.append("terminal \(outcome.terminal)") }
        if bits(game.observation) != expected.observation { problems.append("observation differs") }
        if random.used != expected.used {
          problems.append("drew \(random.used) uniforms, reference \(expected.used)")
        }
        if !problems.isEmpty {
          failures.append(
            "\(Game.displayName) case \(caseIndex) action \(expected.action) from \(transition.state): "
              + problems.joined(separator: "; "))
        }
      }
    }
    for (index, reset) in cases.resets.enumerated() {
      checked += 1
      var random = ScriptedUniforms(reset.uniforms)
      var game = reset.state
      game.reset(random: &random)
      if game != reset.state || bits(game.observation) != reset.observation
        || random.used != reset.used
      {
        failures.append("\(Game.displayName) reset \(index): \(game) != reference \(reset.state)")
      }
    }
    return (checked, failures)
  }

  /// From states sampled from the reference's own random play (30% perturbed to reach rare branches such as
  /// surfacing with six divers or clearing a wave), all six actions, with sticky actions bypassed and the game's
  /// randomness replaced by the same scripted uniforms on both sides: next state, reward, terminal flag,
  /// observation and the number of random draws agree exactly. Scripted resets agree too.
  @Test(.enabled(if: PythonReference.isAvailable))
  func deterministicTransitionsMatchReference() throws {
    let answer = try PythonReference.call(
      script: "minatar_reference.py",
      request: TransitionRequest(
        seed: 7, states_per_game: 120, uniforms_per_case: 40, resets_per_game: 20),
      as: TransitionAnswer.self)
    let results = [
      Self.mismatches(in: answer.breakout), Self.mismatches(in: answer.asterix),
      Self.mismatches(in: answer.freeway),
      Self.mismatches(in: answer.seaquest), Self.mismatches(in: answer.space_invaders),
    ]
    for result in results {
      #expect(result.checked == 120 * 6 + 20)
      #expect(
        result.failures.isEmpty,
        "\(result.failures.count) mismatches, first: \(result.failures.prefix(3))")
    }
  }

  struct EpisodeRequest: Encodable {
    struct Game: Encodable {
      let id: String
      let episodes: Int
    }
    let mode = "episodes"
    let seed: Int
    let games: [Game]
  }

  struct EpisodeStatistics: Decodable {
    let returns: [Double]
    let lengths: [Int]
  }

  /// The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical distribution functions.
  static func kolmogorovSmirnov(_ first: [Double], _ second: [Double]) -> Double {
    let a = first.sorted()
    let b = second.sorted()
    var (i, j, gap) = (0, 0, 0.0)
    while i < a.count && j < b.count {
      let x = min(a[i], b[j])
      while i < a.count && a[i] <= x { i += 1 }
      while j < b.count && b[j] <= x { j += 1 }
      gap = max(gap, abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)))
    }
    return gap
  }

  /// The KS critical value at significance `alpha` (asymptotic; conservative for discrete data).
  static func kolmogorovSmirnovCritical(alpha: Double, _ n: Int, _ m: Int) -> Double {
    (-log(alpha / 2) / 2).squareRoot() * (Double(n + m) / Double(n * m)).squareRoot()
  }

  /// Under a uniformly random policy, episode returns and lengths of Swift and the reference agree in
  /// distribution: two-sample Kolmogorov-Smirnov tests at significance 0.01 each, fixed seeds.
  ///
  /// 1,000 episodes per game, except Freeway: its episodes always last 2,501 steps (2.5 million reference steps
  /// for 1,000 episodes, about 20 s of Python), so it runs 200 episodes per side and additionally checks that
  /// every length is 2,501. Both registrations are covered: `-v0` (all six actions) for Asterix and Seaquest,
  /// `-v1` (minimal action sets) for the others. The reference runs all games in one call.
  @Test(.enabled(if: PythonReference.isAvailable))
  func randomPolicyEpisodeStatisticsMatchReference() throws {
    let games = [
      ("MinAtar/Asterix-v0", 1_000), ("MinAtar/Breakout-v1", 1_000), ("MinAtar/Freeway-v1", 200),
      ("MinAtar/Seaquest-v0", 1_000), ("MinAtar/SpaceInvaders-v1", 1_000),
    ]
    let reference = try PythonReference.call(
      script: "minatar_reference.py",
      request: EpisodeRequest(
        seed: 11, games: games.map { EpisodeRequest.Game(id: $0.0, episodes: $0.1) }),
      as: [String: EpisodeStatistics].self)
    for (index, (id, episodes)) in games.enumerated() {
      let spec = try #require(MinAtar.specs.first { $0.id == id })
      let environment = try spec.make()
      var policy = RandomGenerator(seed: 99).stream(id)
      guard case .discrete(let actions) = environment.actionSpace else {
        Issue.record("\(id) has no discrete action space")
        continue
      }
      var returns: [Double] = []
      var lengths: [Double] = []
      _ = try environment.reset(seed: UInt64(1_000 + index))
      for _ in 0..<episodes {
        var (total, length, done) = (0.0, 0, false)
        while !done {
          let step = try environment.step(.discrete(policy.integer(below: actions.count)))
          total += step.reward
          length += 1
          done = step.isLast
        }
        returns.append(total)
        lengths.append(Double(length))
        _ = try environment.reset()
      }
      let python = try #require(reference[id])
      #expect(python.returns.count == episodes)
      let critical = Self.kolmogorovSmirnovCritical(
        alpha: 0.01, returns.count, python.returns.count)
      let returnGap = Self.kolmogorovSmirnov(returns, python.returns)
      let lengthGap = Self.kolmogorovSmirnov(lengths, python.lengths.map(Double.init))
      #expect(
        returnGap < critical, "\(id): return KS statistic \(returnGap) >= critical \(critical)")
      #expect(
        lengthGap < critical, "\(id): length KS statistic \(lengthGap) >= critical \(critical)")
      if id.hasPrefix("MinAtar/Freeway") {
        #expect(lengths.allSatisfy { $0 == 2_501 } && python.lengths.allSatisfy { $0 == 2_501 })
      }
    }
  }

  /// The KS helpers themselves: identical samples give 0, disjoint samples give 1, and a known small case.
  @Test func kolmogorovSmirnovStatistic() {
    #expect(Self.kolmogorovSmirnov([1, 2, 3], [3, 2, 1]) == 0)
    #expect(Self.kolmogorovSmirnov([1, 2], [5, 6, 7]) == 1)
    // F1 = [0.5 at 1, 1 at 2]; F2 = [0 at 1, 0.5 at 2, 1 at 3]: largest gap 0.5.
    #expect(Self.kolmogorovSmirnov([1, 2], [2, 3]) == 0.5)
    #expect(
      abs(Self.kolmogorovSmirnovCritical(alpha: 0.05, 100, 100) - 1.3581 * (0.02).squareRoot())
        < 1e-3)
  }
}

/// `ReversedVisit` against CPython: walking `reversed(list)` while removing the first element equal to each even
/// value visits the same values in the same order (including the revisits after removing an earlier twin) and
/// leaves the same list.
@Suite struct MinAtarListOrderTests {
  struct Request: Encodable {
    let mode = "reversed_remove"
    let seed: Int
    let lists: Int
  }

  struct Walk: Decodable {
    let list: [Int]
    let visited: [Int]
    let remaining: [Int]
  }

  @Test(.enabled(if: PythonReference.isAvailable))
  func reversedVisitMatchesCPython() throws {
    let walks = try PythonReference.call(
      script: "minatar_reference.py", request: Request(seed: 3, lists: 300), as: [Walk].self)
    #expect(walks.count == 300)
    #expect(
      walks.contains { $0.visited != Array($0.list.reversed()) },
      "no walk revisited an element; weak test data")
    for walk in walks {
      var items = walk.list
      var visited: [Int] = []
      var visit = ReversedVisit(count: items.count)
      while visit.advance(count: items.count), let index = visit.current {
        let value = items[index]
        visited.append(value)
        if value % 2 == 0 { visit.remove(value, from: &items) }
      }
      #expect(visited == walk.visited, "walk over \(walk.list)")
      #expect(items == walk.remaining, "walk over \(walk.list)")
    }
  }
}
