import SparseRLEnvironments
import SparseRLNumerics

@testable import SparseRLAgents

/// Mean undiscounted return of `episodes` episodes of `agent.evaluationAction` on a fresh registered
/// environment seeded with `seed` (a separate environment from the agent's training one).
func greedyMeanReturn(_ agent: any Agent, id: String, episodes: Int, seed: UInt64) throws -> Double {
  let environment = try EnvironmentRegistry.make(id)
  var total = 0.0
  for episode in 0..<episodes {
    var observation = try environment.reset(seed: episode == 0 ? seed : nil).observation
    while true {
      let step = try environment.step(agent.evaluationAction(for: observation))
      total += step.reward
      if step.isLast { break }
      observation = step.observation
    }
  }
  return total / Double(episodes)
}

/// A sink that keeps every record, in order (for comparing two runs).
final class RecordingMetricsSink: MetricsSink {
  struct Record: Equatable {
    var group: MetricGroup
    var step: Int
    var values: [String: Double]
  }
  private(set) var records: [Record] = []
  func record(group: MetricGroup, step: Int, values: [String: Double]) {
    records.append(Record(group: group, step: step, values: values))
  }
}

/// Trains `agent` for up to `maxSteps` steps, evaluating every `interval` steps; returns the first greedy mean
/// return that reached `threshold` and the step it was reached at, or the best evaluation if none did.
func trainUntil(
  _ agent: any Agent, id: String, threshold: Double, maxSteps: Int, interval: Int, episodes: Int = 10
) throws -> (best: Double, step: Int) {
  let sink = DiscardingMetricsSink()
  var best = -Double.infinity
  var evaluation = 0
  while agent.environmentSteps < maxSteps {
    try agent.trainStep(metrics: sink)
    if agent.environmentSteps % interval == 0 {
      evaluation += 1
      let score = try greedyMeanReturn(agent, id: id, episodes: episodes, seed: 10_000 + UInt64(evaluation))
      best = max(best, score)
      if score >= threshold { return (score, agent.environmentSteps) }
    }
  }
  return (best, agent.environmentSteps)
}

/// The dotted paths of the entries that differ between two archives (for failure messages).
func differences(_ a: BinaryArchive, _ b: BinaryArchive, prefix: String = "") -> [String] {
  var result: [String] = []
  for name in Set(a.names + b.names).sorted() {
    switch (a[name], b[name]) {
    case (.archive(let x)?, .archive(let y)?): result += differences(x, y, prefix: prefix + name + ".")
    case (let x, let y) where x != y: result.append(prefix + name)
    default: break
    }
  }
  return result
}
