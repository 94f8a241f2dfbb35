// Trains SAC with 90%-sparse actor and critics (RigL) on Pendulum-v1, then loads the saved policy with
// SparseRLPolicy and checks that it plays exactly as the trained agent did. Usage: TrainSparseSAC [STEPS] (default 20000).
import Foundation
import SparseRLEnvironments
import SparseRLExperiments
import SparseRLPolicy

let steps = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 20_000
let configuration = """
  agent: sac
  environment: Pendulum-v1
  total_steps: \(steps)
  evaluation_interval: 0        # evaluate once, at the end
  evaluation_episodes: 3
  sac:
    warmup_steps: \(min(1000, steps / 2))
    actor_sparsity: {method: rigl, sparsity: 0.9, update_interval: 1000}
    critic_sparsity: {method: rigl, sparsity: 0.9, update_interval: 1000}
    replay: {capacity: 100000, min_capacity: 10000}
  """
let experiment = try Experiment.resolve(layers: [.init(yaml: configuration, source: "example")], overrides: [])
let run = try RunDirectory.create(at: FileManager.default.temporaryDirectory.appendingPathComponent("sac-\(UUID())"))
let record = try Trainer(experiment: experiment, run: run).start()
print(RunSummary.text(record, run: run))

// policy.srl is the deterministic policy alone (SparseRLPolicy); replay the run's final evaluation (evaluation 0,
// seeded by the run's seed) with it.
let policy = try Policy(contentsOf: run.policy)
let evaluator = Evaluator(environment: experiment.run.environment, seed: UInt64(experiment.run.seed))
let replayed = try evaluator.evaluate(episodes: experiment.run.evaluationEpisodes, index: 0) { observation in
  guard case .continuous(let action) = policy.action(for: observation) else { fatalError("SAC acts continuously") }
  return .continuous(action)
}
print(
  "loaded policy: mean return \(String(format: "%.2f", replayed.meanReturn)) over \(replayed.returns.count) episodes")
guard let score = record.finalScore, abs(replayed.meanReturn - score) <= 1e-6 * max(1, abs(score)) else {
  fatalError("the loaded policy plays differently")
}
