import Foundation
import SparseRLNumerics
import SparseRLTestSupport
import Testing

@testable import SparseRLEnvironments

@Suite("MuJoCo environments")
struct MuJoCoEnvironmentTests {
  static let ids = MuJoCo.specs.map(\.id)

  @Test func missingRuntimeThrowsUnavailableNamingTheSetupCommand() throws {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sparserl-no-mujoco-\(UUID())")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let installation = MuJoCoInstallation(environment: ["SPARSERL_MUJOCO_HOME": empty.path])
    #expect(installation.home.path == empty.path)
    #expect(!MuJoCo.isAvailable(installation))
    do {
      _ = try MuJoCo.make("Hopper-v5", installation: installation)
      Issue.record("making Hopper-v5 without MuJoCo did not throw")
    } catch let error as EnvironmentError {
      guard case .unavailable(let id, let reason) = error else {
        Issue.record("expected .unavailable, got \(error)")
        return
      }
      #expect(id == "Hopper-v5")
      #expect(reason.contains("scripts/setup-mujoco.sh"))
      #expect(reason.contains(empty.path))
    }
  }

  @Test func defaultInstallationIsThePackageMuJoCoFolder() {
    let installation = MuJoCoInstallation(environment: [:])
    #expect(installation.home.lastPathComponent == ".mujoco")
    #expect(
      FileManager.default.fileExists(
        atPath: installation.home.deletingLastPathComponent().appendingPathComponent(
          "Package.swift"
        ).path))
  }

  @Test func registryHasTheV5IdsWithGymnasiumTimeLimits() {
    let limits = Dictionary(uniqueKeysWithValues: MuJoCo.specs.map { ($0.id, $0.maxEpisodeSteps) })
    for id in [
      "HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "Ant-v5", "Humanoid-v5", "InvertedPendulum-v5",
      "Swimmer-v5",
    ] {
      #expect(limits[id] == 1000, "\(id)")
    }
    #expect(limits["Reacher-v5"] == 50)
    #expect(throws: EnvironmentError.self) { try MuJoCo.make("Hopper-v4") }
  }

  /// Random actions in the action box from `generator`.
  static func randomAction(_ space: Space, _ generator: inout RandomGenerator) -> Action {
    guard case .box(let box) = space else { preconditionFailure("MuJoCo action spaces are boxes") }
    return .continuous((0..<box.count).map { generator.uniform(box.low[$0], box.high[$0]) })
  }

  /// Observations and rewards of `count` steps; an ended episode is followed by `reset()` without a seed.
  static func rollout(_ environment: MuJoCoEnvironment, steps count: Int, seed: UInt64) throws
    -> [[Float]]
  {
    var generator = RandomGenerator(seed: seed)
    var trace: [[Float]] = []
    for _ in 0..<count {
      let step = try environment.step(randomAction(environment.actionSpace, &generator))
      trace.append(step.observation + [Float(step.reward), step.terminated ? 1 : 0])
      if step.terminated { trace.append(try environment.reset().observation) }
    }
    trace.append(try environment.reset().observation)
    return trace
  }

  @Test(.enabled(if: MuJoCoTestGate.runs), arguments: ids)
  func savedStateContinuesExactly(id: String) throws {
    let environment = try MuJoCo.make(id)
    _ = try environment.reset(seed: 3)
    _ = try Self.rollout(environment, steps: 25, seed: 1)
    let saved = environment.saveState()
    let expected = try Self.rollout(environment, steps: 40, seed: 2)

    try environment.restoreState(saved)
    #expect(try Self.rollout(environment, steps: 40, seed: 2) == expected)

    let fresh = try MuJoCo.make(id)
    try fresh.restoreState(saved)
    #expect(try Self.rollout(fresh, steps: 40, seed: 2) == expected)
    #expect(fresh.saveState() == environment.saveState())

    var broken = saved
    broken.reals.removeLast()
    #expect(throws: EnvironmentError.self) { try fresh.restoreState(broken) }
  }

  @Test(.enabled(if: MuJoCoTestGate.runs), arguments: ids)
  func seededResetsRepeatAndUnseededResetsContinue(id: String) throws {
    let a = try MuJoCo.make(id)
    let b = try MuJoCo.make(id)
    #expect(try a.reset(seed: 42).observation == b.reset(seed: 42).observation)
    let second = try a.reset().observation
    #expect(second == (try b.reset().observation))
    #expect(second != (try a.reset(seed: 42).observation))
  }

  @Test(.enabled(if: MuJoCoTestGate.runs), arguments: ids)
  func rejectsInvalidActionsAndSteppingWithoutReset(id: String) throws {
    let environment = try MuJoCo.make(id)
    guard case .box(let box) = environment.actionSpace else {
      Issue.record("\(id): action space is not a box")
      return
    }
    #expect(throws: EnvironmentError.needsReset(environment: id)) {
      try environment.step(.continuous(box.low))
    }
    _ = try environment.reset(seed: 0)
    var tooHigh = box.high
    tooHigh[0] = box.high[0].nextUp
    var notANumber = box.low
    notANumber[box.count - 1] = .nan
    for action: Action in [
      .continuous(tooHigh), .continuous(notANumber), .continuous(box.low + [0]), .continuous([]),
      .discrete(0),
    ] {
      #expect(
        performing: { try environment.step(action) },
        throws: { error in
          guard case .invalidAction(let environmentID, _, _) = error as? EnvironmentError else {
            return false
          }
          return environmentID == id
        })
    }
    // Bounds are inclusive, and a rejected action leaves the episode running.
    _ = try environment.step(.continuous(box.high))
  }

  @Test(.enabled(if: MuJoCoTestGate.runs)) func terminationEndsTheEpisodeUntilReset() throws {
    let environment = try MuJoCo.make("Hopper-v5")
    _ = try environment.reset(seed: 0)
    // A hopper lying on the ground is unhealthy: height qpos[1] far below 0.7.
    var qpos = environment.qpos
    qpos[1] = 0.3
    environment.setState(qpos: qpos, qvel: environment.qvel)
    let step = try environment.step(.continuous([0, 0, 0]))
    #expect(step.terminated && !step.truncated && step.info["reward_survive"] == 0)
    #expect(throws: EnvironmentError.needsReset(environment: "Hopper-v5")) {
      try environment.step(.continuous([0, 0, 0]))
    }
  }

  @Test(.enabled(if: MuJoCoTestGate.runs)) func modelWarningsAreCapturedNotLogged() throws {
    // Gymnasium's half_cheetah.xml is the model with the deprecated `settotalmass` attribute.
    _ = try MuJoCo.make("HalfCheetah-v5")
    let library = try MuJoCoLibrary.shared()
    #expect(library.warningCount() > 0)
    #expect(library.lastWarning.contains("settotalmass"))
  }
}
