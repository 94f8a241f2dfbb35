import Foundation
import SparseRLAgents
import Testing

@testable import SparseRLExperiments

private func folder() -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-failure-\(UUID().uuidString)")
}

private func files(_ url: URL) throws -> [String: Data] {
  var result: [String: Data] = [:]
  let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])!
  for case let file as URL in enumerator
  where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
    result[file.path] = try Data(contentsOf: file)
  }
  return result
}

@Suite struct RunFailureTests {
  /// A TD3 run whose critic diverges (learning rate 1e30) stops with the agent's non-finite error, and run.json
  /// says `failed` with that error and the step instead of `running`.
  @Test func divergingCriticRecordsFailedWithTheErrorAndStep() throws {
    let yaml = """
      agent: td3
      environment: Pendulum-v1
      total_steps: 2000
      evaluation_interval: 0
      checkpoint_interval: 100
      td3:
        warmup_steps: 64
        batch_size: 16
        critic_learning_rate: 1.0e+30
        actor: {hidden_sizes: [16]}
        critic: {hidden_sizes: [16]}
        replay: {capacity: 2000, min_capacity: 1000}
      """
    let experiment = try Experiment.resolve(layers: [.init(yaml: yaml, source: "diverge.yaml")], overrides: [])
    let run = try RunDirectory.create(at: folder())
    let error = try #require(throws: AgentError.self) {
      try Trainer(experiment: experiment, run: run, progressStyle: .silent).start()
    }
    guard case .nonFiniteValue(_, let step) = error else {
      Issue.record("expected a non-finite value, got \(error)")
      return
    }
    let record = try RunRecord.read(from: run.record)
    #expect(record.status == "failed")
    #expect(record.error == "\(error)")
    #expect(record.failedAtStep == record.environmentSteps && record.environmentSteps > 64)
    #expect(step >= 0)
    #expect(!record.networks.isEmpty, "the accounting is kept")
  }

  /// A run whose every checkpoint is damaged: `resume` refuses, names each file and changes nothing; with
  /// `restart` it starts over from step 0 (keeping the damaged files as *.damaged) and ends with the files of an
  /// uninterrupted run.
  @Test func resumeRefusesWhenEveryCheckpointIsDamaged() throws {
    let yaml = """
      agent: dqn
      environment: CartPole-v1
      seed: 51
      total_steps: 2000
      evaluation_interval: 400
      evaluation_episodes: 2
      checkpoint_interval: 500
      """
    let experiment = try Experiment.resolve(
      TestAgentConfig.self, layers: [.init(yaml: yaml, source: "t.yaml")], overrides: [])
    let reference = try RunDirectory.create(at: folder())
    _ = try Trainer(experiment: experiment, run: reference, progressStyle: .silent).start()

    let run = try RunDirectory.create(at: folder())
    CrashSchedule.set(seed: 51, step: 1600)
    #expect(throws: SimulatedCrash.self) {
      try Trainer(experiment: experiment, run: run, progressStyle: .silent).start()
    }
    CrashSchedule.set(seed: 51, step: nil)
    let store = CheckpointStore(folder: run.checkpoints)
    #expect(store.steps() == [500, 1000, 1500])
    for step in store.steps() {
      let url = run.checkpoints.appendingPathComponent(CheckpointStore.fileName(step: step))
      var bytes = try [UInt8](Data(contentsOf: url))
      bytes[bytes.count - 3] ^= 0x01
      try Data(bytes).write(to: url)
    }
    let before = try files(run.url)
    let refusal = try #require(throws: DamagedCheckpoints.self) {
      try Trainer(experiment: experiment, run: run, progressStyle: .silent).resume()
    }
    #expect(refusal.files.count == 3)
    for step in [500, 1000, 1500] { #expect(refusal.description.contains(CheckpointStore.fileName(step: step))) }
    #expect(refusal.description.contains("--restart"))
    #expect(try files(run.url) == before, "a refused resume changes no file")

    let record = try Trainer(experiment: experiment, run: run, progressStyle: .silent).resume(restart: true)
    #expect(record.status == "finished" && record.environmentSteps == 2000)
    for name in ["train.csv", "episodes.csv", "eval.csv"] {
      #expect(
        try Data(contentsOf: run.url.appendingPathComponent(name))
          == Data(contentsOf: reference.url.appendingPathComponent(name)))
    }
    let kept = try FileManager.default.contentsOfDirectory(atPath: run.checkpoints.path).filter {
      $0.hasSuffix(".damaged")
    }
    #expect(kept.count == 3)
  }
}
