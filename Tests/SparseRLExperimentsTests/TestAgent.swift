import Foundation
import SparseRLAgents
import SparseRLEnvironments
import SparseRLNumerics

/// Steps at which a test agent of a given seed throws, simulating a crash (tests run in parallel, so each test
/// uses its own seed).
enum CrashSchedule {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var steps: [UInt64: Int] = [:]
  static func set(seed: UInt64, step: Int?) { lock.withLock { steps[seed] = step } }
  static func step(seed: UInt64) -> Int? { lock.withLock { steps[seed] } }
}

struct SimulatedCrash: Error {}

/// A stand-in agent for testing the run loop: random actions on CartPole, a running statistic reported as a
/// training metric, and a complete saveable state (generator, counters, environment).
struct TestAgentConfig: AgentConfiguration {
  static var kind: AgentKind { .dqn }
  var reportEvery = 7
  init() {}
  func validate(path: String, issues: inout [ConfigIssue]) {
    check(reportEvery > 0, path, "report_every", "must be positive", &issues)
  }
  func makeAgent(makeEnvironment: @escaping () throws -> any Environment, seed: UInt64, totalSteps: Int) throws
    -> any Agent
  {
    try TestAgent(environment: makeEnvironment(), seed: seed, reportEvery: reportEvery)
  }
}

final class TestAgent: Agent {
  let environment: any Environment
  let seed: UInt64
  let reportEvery: Int
  var random: RandomGenerator
  var statistic = 0.0
  var observation: [Float]
  private(set) var environmentSteps = 0

  init(environment: any Environment, seed: UInt64, reportEvery: Int) throws {
    self.environment = environment
    self.seed = seed
    self.reportEvery = reportEvery
    random = RandomGenerator(seed: seed)
    observation = try environment.reset(seed: seed).observation
  }

  func trainStep(metrics: any MetricsSink) throws {
    if let crash = CrashSchedule.step(seed: seed), environmentSteps == crash { throw SimulatedCrash() }
    let step = try environment.step(.discrete(random.integer(below: 2)))
    environmentSteps += 1
    statistic = 0.9 * statistic + 0.1 * Double(step.observation[2]) + 0.01 * random.nextDouble()
    if environmentSteps % reportEvery == 0 {
      metrics.record(group: .train, step: environmentSteps, values: ["statistic": statistic])
    }
    if step.isLast {
      if let total = step.info["episode.return"], let length = step.info["episode.length"] {
        metrics.record(group: .episode, step: environmentSteps, values: ["return": total, "length": length])
      }
      observation = try environment.reset(seed: nil).observation
    } else {
      observation = step.observation
    }
  }

  func evaluationAction(for observation: [Float]) -> Action { .discrete(observation[2] + observation[3] > 0 ? 1 : 0) }
  var networks: [(role: String, network: SparseNetwork)] { [] }
  var metricNames: [MetricGroup: [String]] { [.train: ["statistic"], .episode: ["return", "length"]] }

  func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["random"] = .uint64s(random.state)
    archive["statistic"] = .double(statistic)
    archive["observation"] = .floats(observation)
    archive["steps"] = .int(environmentSteps)
    archive["environment"] = .bytes([UInt8](try JSONEncoder().encode(environment.saveState())))
    return archive
  }

  func restoreState(_ archive: BinaryArchive) throws {
    random = try RandomGenerator(seed: seed, state: archive.uint64s("random"))
    statistic = try archive.double("statistic")
    observation = try archive.floats("observation")
    environmentSteps = try archive.int("steps")
    try environment.restoreState(JSONDecoder().decode(EnvironmentState.self, from: Data(archive.bytes("environment"))))
  }
}
