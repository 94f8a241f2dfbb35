import SparseRLEnvironments
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// Mean undiscounted return of `episodes` episodes of `agent.evaluationAction` on a fresh registered
/// environment seeded with `seed` (a separate environment from the agent's training one).
func greedyMeanReturn(_ agent: any Agent, id: String, episodes: Int, seed: UInt64) throws -> Double {
  try greedyMeanReturn(agent, id: id, resetSeeds: [seed] + [UInt64?](repeating: nil, count: episodes - 1))
}

/// The same, resetting episode `k` with `resetSeeds[k]` (nil: continue the environment's generator).
func greedyMeanReturn(_ agent: any Agent, id: String, resetSeeds: [UInt64?]) throws -> Double {
  let environment = try EnvironmentRegistry.make(id)
  var total = 0.0
  for seed in resetSeeds {
    var observation = try environment.reset(seed: seed).observation
    while true {
      let step = try environment.step(agent.evaluationAction(for: observation))
      total += step.reward
      if step.isLast { break }
      observation = step.observation
    }
  }
  return total / Double(resetSeeds.count)
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
  /// The `train` values recorded under `key`, with their steps.
  func train(_ key: String) -> [(step: Int, value: Double)] {
    records.filter { $0.group == .train }.compactMap { r in r.values[key].map { (r.step, $0) } }
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
    // Bit patterns, so that a saved NaN ("none yet", e.g. the capacity rule's last distance) equals itself.
    case (.doubles(let x)?, .doubles(let y)?) where x.map(\.bitPattern) == y.map(\.bitPattern): break
    case (.floats(let x)?, .floats(let y)?) where x.map(\.bitPattern) == y.map(\.bitPattern): break
    case (let x, let y) where x != y: result.append(prefix + name)
    default: break
    }
  }
  return result
}

/// Mean return of `episodes` deterministic-policy episodes on a separate Pendulum-v1 (reset seeds 10,000 + k).
func evaluatePendulum(_ agent: any Agent, episodes: Int = 5) throws -> Double {
  try greedyMeanReturn(agent, id: "Pendulum-v1", resetSeeds: (0..<episodes).map { UInt64(10_000 + $0) })
}

/// Trains `agent` for `steps` environment steps.
func trainAgent(_ agent: any Agent, steps: Int) throws {
  let sink = DiscardingMetricsSink()
  while agent.environmentSteps < steps { try agent.trainStep(metrics: sink) }
}

/// The Pendulum learning-test settings TD3 and SAC share: learning rates 1e-3, batch 128, 1,000 warm-up steps, a
/// 10,000-slot buffer (min 2,000). Dense: 2x64 networks. RLx2: actor 90% / critic 85% on the published 2x256
/// networks, with schedules shortened for the budget (ΔT 1,000 updates, 3-step targets after 2,000 updates, buffer
/// checks every 1,000 steps).
func pendulumLearningConfig<Algorithm>(_ base: OffPolicyConfig<Algorithm>, rlx2: Bool) -> OffPolicyConfig<Algorithm> {
  var config = base
  if !rlx2 {
    config.actor = NetworkArchitecture(hiddenSizes: [64, 64])
    config.critic = NetworkArchitecture(hiddenSizes: [64, 64])
  }
  config.actorLearningRate = 1e-3
  config.criticLearningRate = 1e-3
  config.batchSize = 128
  config.warmupSteps = 1000
  config.replay = ReplaySettings(capacity: 10_000, minCapacity: 2000)
  guard rlx2 else { return config }
  config = config.variant(.rlx2, actorSparsity: 0.9, criticSparsity: 0.85, observationWidth: 3, actionWidth: 1)
  config.actorSparsity.updateInterval = 1000
  config.criticSparsity.updateInterval = 1000
  config.nStepDelay = 2000
  config.replay.checkInterval = 1000
  return config
}

/// Two agents of one configuration after an exact-continuation run (see `continueFromSavedState`).
struct Continuation<A: Agent> {
  let original: A
  let restored: A
  /// The checkpoint bytes, decoded, that `restored` was restored from.
  let saved: BinaryArchive
  let originalMetrics: RecordingMetricsSink
  let restoredMetrics: RecordingMetricsSink
}

/// Trains the agent `make(3)` for `before` steps, calls `atSave` on it, saves its state through the bytes of a
/// checkpoint and restores it into `make(97)` (another seed, so nothing carries over through construction); then
/// runs both for `after` steps. Expects the complete saved states to agree right after the restore and at the end,
/// and both to report the same metrics.
func continueFromSavedState<A: Agent>(
  before: Int, after: Int, atSave: (A) -> Void = { _ in }, make: (UInt64) throws -> A
) throws -> Continuation<A> {
  let original = try make(3)
  let discard = DiscardingMetricsSink()
  for _ in 0..<before { try original.trainStep(metrics: discard) }
  atSave(original)
  let saved = try BinaryArchive(decoding: original.saveState().encoded())
  let restored = try make(97)
  try restored.restoreState(saved)
  #expect(try differences(restored.saveState(), original.saveState()) == [])
  let (first, second) = (RecordingMetricsSink(), RecordingMetricsSink())
  for _ in 0..<after {
    try original.trainStep(metrics: first)
    try restored.trainStep(metrics: second)
  }
  #expect(first.records == second.records)
  #expect(try differences(restored.saveState(), original.saveState()) == [])
  return Continuation(
    original: original, restored: restored, saved: saved, originalMetrics: first, restoredMetrics: second)
}
