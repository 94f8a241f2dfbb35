import Foundation
import SparseRLAgents
import Testing

@testable import SparseRLExperiments

private func folder() -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-trainer-\(UUID().uuidString)")
}

private func experiment(seed: Int, steps: Int = 3000) throws -> Experiment {
  let yaml = """
    agent: dqn
    environment: CartPole-v1
    seed: \(seed)
    total_steps: \(steps)
    evaluation_interval: 400
    evaluation_episodes: 2
    checkpoint_interval: 500
    keep_checkpoints: 3
    """
  return try Experiment.resolve(TestAgentConfig.self, layers: [.init(yaml: yaml, source: "test.yaml")], overrides: [])
}

private func metricsFiles(_ run: RunDirectory) throws -> [String] {
  try [run.trainMetrics, run.episodeMetrics, run.evaluationMetrics].map { try String(contentsOf: $0, encoding: .utf8) }
}

@Suite struct TrainerTests {
  @Test func crashedAndResumedRunWritesIdenticalMetrics() throws {
    let reference = try RunDirectory.create(at: folder())
    let record = try Trainer(experiment: experiment(seed: 41), run: reference, progressStyle: .silent).start()
    #expect(record.status == "finished" && record.environmentSteps == 3000 && record.evaluations == 8)

    let interrupted = try RunDirectory.create(at: folder())
    CrashSchedule.set(seed: 41, step: 1700)
    #expect(throws: SimulatedCrash.self) {
      try Trainer(experiment: experiment(seed: 41), run: interrupted, progressStyle: .silent).start()
    }
    CrashSchedule.set(seed: 41, step: nil)
    // The crash left rows past the last checkpoint (1500); resuming must cut them and write them again.
    #expect(try String(contentsOf: interrupted.trainMetrics, encoding: .utf8).contains("\n1694,"))
    let resumed = try Trainer(experiment: experiment(seed: 41), run: interrupted, progressStyle: .silent).resume()
    #expect(resumed.status == "finished")
    #expect(try metricsFiles(interrupted) == metricsFiles(reference))
    #expect(resumed.finalScore == record.finalScore)
  }

  @Test func corruptNewestCheckpointFallsBackToThePreviousOne() throws {
    let reference = try RunDirectory.create(at: folder())
    _ = try Trainer(experiment: experiment(seed: 42, steps: 2000), run: reference, progressStyle: .silent).start()

    let run = try RunDirectory.create(at: folder())
    CrashSchedule.set(seed: 42, step: 1600)
    #expect(throws: SimulatedCrash.self) {
      try Trainer(experiment: experiment(seed: 42, steps: 2000), run: run, progressStyle: .silent).start()
    }
    CrashSchedule.set(seed: 42, step: nil)
    let store = CheckpointStore(folder: run.checkpoints)
    #expect(store.steps() == [500, 1000, 1500])
    // Flip one byte in the newest and truncate the one before: both must be detected and skipped.
    let newest = run.checkpoints.appendingPathComponent(CheckpointStore.fileName(step: 1500))
    var bytes = try [UInt8](Data(contentsOf: newest))
    bytes[bytes.count / 2] ^= 0x40
    try Data(bytes).write(to: newest)
    let second = run.checkpoints.appendingPathComponent(CheckpointStore.fileName(step: 1000))
    let truncated = try Data(contentsOf: second).prefix(100)
    try truncated.write(to: second)
    _ = try Trainer(experiment: experiment(seed: 42, steps: 2000), run: run, progressStyle: .silent).resume()
    #expect(try metricsFiles(run) == metricsFiles(reference))
  }

  @Test func anExistingRunIsNeverOverwritten() throws {
    let url = folder()
    let run = try RunDirectory.create(at: url)
    _ = try Trainer(experiment: experiment(seed: 43, steps: 200), run: run, progressStyle: .silent).start()
    let error = try #require(throws: RunDirectory.Problem.self) { try RunDirectory.create(at: url) }
    #expect(error.description.contains("sparserl resume \(url.path)"))
    let record = try RunRecord.read(from: run.record)
    #expect(record.status == "finished" && record.environmentSteps == 200)
  }

  @Test func aCheckpointOfAnotherConfigurationIsRejected() throws {
    let run = try RunDirectory.create(at: folder())
    _ = try Trainer(experiment: experiment(seed: 44, steps: 600), run: run, progressStyle: .silent).start()
    let bytes = try [UInt8](
      Data(contentsOf: run.checkpoints.appendingPathComponent(CheckpointStore.fileName(step: 600))))
    #expect(throws: RunDirectory.Problem.self) { try CheckpointFormat.decode(bytes, config: "agent: dqn\n") }
  }
}
