import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

@Suite("Atari environments")
struct AtariEnvironmentTests {
  struct IdsRequest: Encodable { var kind = "ids" }
  struct IdsAnswer: Decodable { var ids: [String] }

  @Test(.enabled(if: AtariTestGate.runsWithReference))
  func registeredIdsAreAlePys() throws {
    let answer: IdsAnswer = try PythonReference.call(script: "atari_reference.py", request: IdsRequest())
    let ids = EnvironmentRegistry.ids
    #expect(ids.filter { $0.hasPrefix("ALE/") }.sorted() == answer.ids)
    #expect(ids.filter { $0.hasPrefix("AtariDQN/") }.count == answer.ids.count)
    #expect(try EnvironmentRegistry.spec("ALE/Pong-v5").maxEpisodeSteps == nil)
  }

  @Test func missingRuntimeNamesTheSetupCommand() {
    let installation = ALEInstallation(home: URL(fileURLWithPath: "/nonexistent/ale-runtime"))
    #expect(!Atari.isAvailable(installation))
    do {
      _ = try AtariEnvironment(game: "pong", installation: installation)
      Issue.record("expected the missing runtime to be reported")
    } catch let error as EnvironmentError {
      guard case .unavailable(let id, _) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(id == "ALE/Pong-v5")
      #expect(error.description.contains("scripts/setup-ale.sh"))
    } catch { Issue.record("\(error)") }
  }

  @Test(.enabled(if: AtariTestGate.runs))
  func unknownROMIsReported() {
    #expect(throws: EnvironmentError.self) { try AtariEnvironment(game: "not_a_game") }
  }

  @Test(.enabled(if: AtariTestGate.runs))
  func savedStateContinuesExactlyWithStickyActions() throws {
    let environment = try Atari.dqn("breakout")
    _ = try environment.reset(seed: 4)
    var random = RandomGenerator(seed: 1)
    for _ in 0..<50 { _ = try environment.step(.discrete(random.integer(below: 4))) }
    let saved = environment.saveState()
    let actions = (0..<200).map { _ in random.integer(below: 4) }
    func play() throws -> [[Float]] {
      var observations: [[Float]] = []
      for action in actions {
        let step = try environment.step(.discrete(action))
        observations.append(step.observation + [Float(step.reward), step.isLast ? 1 : 0])
        if step.isLast { observations.append(try environment.reset().observation) }
      }
      return observations
    }
    let first = try play()
    try environment.restoreState(saved)
    #expect(try play() == first)
    #expect(throws: EnvironmentError.self) { try environment.restoreState(EnvironmentState(integers: [1, 2, 3])) }
  }

  @Test(.enabled(if: AtariTestGate.runs))
  func preprocessingRequiresAnUnskippedEmulatorAndStacksFrames() throws {
    let environment = try Atari.dqn("pong")
    guard case .box(let box) = environment.observationSpace else {
      Issue.record("not a box")
      return
    }
    #expect(box.shape == [4, 84, 84])
    #expect(box.elementType == .uint8)
    let start = try environment.reset(seed: 0).observation
    // Reset padding: the four frames are the reset frame.
    let frame = Array(start[0..<7056])
    #expect((1..<4).allSatisfy { Array(start[($0 * 7056)..<(($0 + 1) * 7056)]) == frame })
    let next = try environment.step(.discrete(0)).observation
    #expect(Array(next[0..<(3 * 7056)]) == Array(start[7056...]))
  }

  @Test func displayNamesFollowPythonTitleCase() {
    #expect(Atari.displayName("ms_pacman") == "MsPacman")
    #expect(Atari.displayName("tic_tac_toe_3d") == "TicTacToe3D")
    #expect(Atari.displayName("pitfall2") == "Pitfall2")
    #expect(Atari.displayName("up_n_down") == "UpNDown")
  }
}
