import Foundation
import SparseRLAgents
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// Environment steps per second of an agent WITH learning, on one core, dense against 90% sparse (RigL) in the
/// same run, with the published settings: SAC and TD3 2x256 at batch 256 (one update per step); DQN 2x512 at
/// batch 128 on vector observations, the MinAtar CNN at batch 128 on frames (one update per step); PPO 2x64 tanh
/// with 2048-step rollouts and 10 epochs of minibatch 64 (timed over whole rollouts).
///
/// Each measurement builds a fresh agent, takes `warmupSteps` steps (not timed; random actions for the
/// off-policy agents), then times `steps` training steps. Topology updates (every 10,000 updates for SAC/TD3,
/// 1000 for DQN, 250 for PPO) may fall inside the timed window; their cost is one dense gradient per layer.
public struct AgentBenchmark {
  /// The agents measured.
  public enum AgentKind: String, CaseIterable, Sendable {
    /// SAC on Pendulum-v1.
    case sac = "SAC"
    /// TD3 on Pendulum-v1.
    case td3 = "TD3"
    /// RLx2 on TD3 (actor 90%, critics 85% RigL by default, 3-step target from the first update, dynamic buffer);
    /// measured sparse only, against TD3's dense row.
    case rlx2 = "RLx2-TD3"
    /// PPO on Pendulum-v1.
    case ppo = "PPO"
    /// DQN on CartPole-v1.
    case dqn = "DQN"

    /// Whether the agent acts in discrete action spaces (DQN) or continuous ones (the others).
    public var isDiscrete: Bool { self == .dqn }
  }

  /// One measurement.
  public struct Result: Sendable {
    /// The agent measured.
    public let agent: AgentKind
    /// The environment id it trained on.
    public let environment: String
    /// Sparsity of every network (0 = dense).
    public let sparsity: Double
    /// The networks, e.g. `2x256`.
    public let networks: String
    /// Training steps timed.
    public let steps: Int
    /// Training steps per second.
    public let stepsPerSecond: Double
    /// Kernel threads (`KernelThreads`).
    public let threads: Int
    /// The replay buffer's storage after the timed steps, in bytes (`ReplayBuffer.byteCount`; `nil` for PPO).
    public let replayBytes: Int?
    /// The raw bytes of the transitions it holds then (`ReplayBuffer.rawTransitionByteCount`).
    public let replayRawBytes: Int?
    /// With several rounds (`combiningRounds`), every round's steps per second; `stepsPerSecond` is their median.
    public var roundRates: [Double] = []
  }

  /// One row per agent, environment, sparsity and thread count of `results` (rows measured in several rounds,
  /// in the order of their first round): the median steps per second of its rounds (the mean of the two middle
  /// ones for an even count), with every round's rate in `roundRates`. Rounds interleave the rows (dense and
  /// sparse, each thread count, round after round), so a slow spell of the machine lands on several rows
  /// instead of one.
  public static func combiningRounds(_ results: [Result]) -> [Result] {
    func key(_ result: Result) -> String {
      "\(result.agent.rawValue)|\(result.environment)|\(result.sparsity)|\(result.threads)"
    }
    var order: [String] = []
    var rows: [String: [Result]] = [:]
    for result in results {
      if rows[key(result)] == nil { order.append(key(result)) }
      rows[key(result), default: []].append(result)
    }
    return order.map { name in
      let rounds = rows[name]!
      let rates = rounds.map(\.stepsPerSecond)
      let sorted = rates.sorted()
      let median =
        sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
      let row = rounds[0]
      return Result(
        agent: row.agent, environment: row.environment, sparsity: row.sparsity, networks: row.networks,
        steps: row.steps, stepsPerSecond: median, threads: row.threads, replayBytes: row.replayBytes,
        replayRawBytes: row.replayRawBytes, roundRates: rates.count > 1 ? rates : [])
    }
  }

  /// Training steps timed per measurement.
  public let steps: Int
  /// Untimed steps before the timed ones.
  public let warmupSteps: Int
  /// Sparsity of every network of the sparse runs.
  public let sparsity: Double

  /// A benchmark timing `steps` steps after `warmupSteps`, dense and at `sparsity`.
  public init(steps: Int = 1000, warmupSteps: Int = 1000, sparsity: Double = 0.9) {
    precondition(steps > 0 && warmupSteps >= 256, "the benchmark needs steps > 0 and at least one batch of warm-up")
    self.steps = steps
    self.warmupSteps = warmupSteps
    self.sparsity = sparsity
  }

  /// The agent of `kind` on `environment`, dense or RigL at `sparsity` (actor and critics), published sizes.
  func makeAgent(_ kind: AgentKind, environment: any Environment, sparsity: Double) throws -> any Agent {
    let observationWidth = environment.observationSpace.flatCount
    let actionWidth = environment.actionSpace.flatCount
    let variant: SparseTrainingVariant = sparsity > 0 ? .rigl : .dense
    switch kind {
    case .sac:
      var config = SACConfig()
      config.warmupSteps = warmupSteps
      config.replay.minCapacity = 0
      config = config.variant(
        variant, actorSparsity: sparsity, criticSparsity: sparsity, observationWidth: observationWidth,
        actionWidth: actionWidth)
      return try SACAgent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    case .td3, .rlx2:
      var config = TD3Config()
      config.warmupSteps = warmupSteps
      config.replay.minCapacity = 0
      if kind == .rlx2 {
        config = config.variant(
          .rlx2, actorSparsity: sparsity, criticSparsity: AgentBenchmark.rlx2CriticSparsity(sparsity),
          observationWidth: observationWidth, actionWidth: actionWidth)
        config.nStepDelay = 0
        config.replay.minCapacity = 0
      } else {
        config = config.variant(
          variant, actorSparsity: sparsity, criticSparsity: sparsity, observationWidth: observationWidth,
          actionWidth: actionWidth)
      }
      return try TD3Agent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    case .ppo:
      var config = PPOConfig()
      config.actorSparsity.method = sparsity > 0 ? .rigl : .dense
      config.actorSparsity.sparsity = sparsity
      config.criticSparsity = config.actorSparsity
      return try PPOAgent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    case .dqn:
      var config = DQNConfig()
      config.learningStarts = warmupSteps
      if case .box(let box) = environment.observationSpace, box.shape.count == 3 { config.network.kind = .minatarCNN }
      config.sparsity.method = sparsity > 0 ? .rigl : .dense
      config.sparsity.sparsity = sparsity
      return try DQNAgent(config: config, environment: environment, seed: 0, totalSteps: 1_000_000)
    }
  }

  /// The replay capacities of the TD3 and SAC rows (the published defaults, 1e6 and 3e6 slots; the buffers grow
  /// with the stored transitions), also given to the reference agents.
  public static let replayCapacities = (td3: TD3Config().replay.capacity, sac: SACConfig().replay.capacity)

  /// The networks of `kind` as published, for the table.
  func networks(_ kind: AgentKind, environment: any Environment) -> String {
    switch kind {
    case .sac, .td3, .rlx2: return "2x256"
    case .ppo: return "2x64 tanh"
    case .dqn:
      if case .box(let box) = environment.observationSpace, box.shape.count == 3 { return "MinAtar CNN" }
      return "2x512"
    }
  }

  /// Timed steps for `kind`: PPO is timed over whole rollouts (2048 steps each, at least two).
  func timedSteps(_ kind: AgentKind) -> Int { kind == .ppo ? max(steps, 2 * PPOConfig().rolloutSize) : steps }

  /// RLx2's critic sparsity for an actor sparsity: 85% beside the published 90% actor, else the actor's.
  static func rlx2CriticSparsity(_ actorSparsity: Double) -> Double { actorSparsity == 0.9 ? 0.85 : actorSparsity }

  /// The sparsity levels measured for `kind`: dense and `sparsity` (RLx2 sparse only).
  func levels(_ kind: AgentKind) -> [Double] { kind == .rlx2 ? [sparsity] : [0, sparsity] }

  /// Measures `kind` on the environment `id`, dense and sparse, at each kernel thread count of `threads`
  /// (one fresh agent per row, the thread counts of one sparsity back to back); leaves the count at 1.
  public func run(_ kind: AgentKind, environment id: String, threads: [Int] = [1]) throws -> [Result] {
    defer { KernelThreads.setCount(1) }
    var results: [Result] = []
    for level in levels(kind) {
      for count in threads {
        KernelThreads.setCount(count)
        results.append(try measure(kind, environment: id, sparsity: level))
      }
    }
    return results
  }

  /// One row: a fresh agent at `level`, warmed up, then timed, at the current kernel thread count.
  func measure(_ kind: AgentKind, environment id: String, sparsity level: Double) throws -> Result {
    let environment = try EnvironmentRegistry.make(id)
    let agent = try makeAgent(kind, environment: environment, sparsity: level)
    let sink = DiscardingMetricsSink()
    let steps = timedSteps(kind)
    while agent.environmentSteps < warmupSteps { try agent.trainStep(metrics: sink) }
    let start = ContinuousClock.now
    let first = agent.environmentSteps
    while agent.environmentSteps - first < steps { try agent.trainStep(metrics: sink) }
    let elapsed = ContinuousClock.now - start
    let parts = elapsed.components
    let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    let replay = (agent as? any ReplayingAgent)?.replayBuffer
    return Result(
      agent: kind, environment: id, sparsity: level, networks: networks(kind, environment: environment),
      steps: steps, stepsPerSecond: Double(steps) / seconds, threads: KernelThreads.count,
      replayBytes: replay?.byteCount, replayRawBytes: replay?.rawTransitionByteCount)
  }

  /// A markdown table of `results`, with the speed-up over the dense row at the same thread count (RLx2 over
  /// TD3's) and over the same row with one thread; with `references`, their rows too and, for each of ours, the
  /// ratio to the fastest thread count of SB3's and SBX's agent of the same algorithm (TD3 for RLx2-TD3).
  public static func markdown(_ results: [Result], references: [ReferenceAgents.Result] = []) -> String {
    let compared = !references.isEmpty
    var lines = [
      "| agent | environment | networks | sparsity | threads | steps/s (with learning) | speed-up over dense "
        + "| over 1 thread | replay MB: storage / raw transitions |" + (compared ? " over SB3 | over SBX |" : ""),
      "|---|---|---|---|---|---|---|---|---|" + (compared ? "---|---|" : ""),
    ]
    func ratio(_ value: Double, _ base: Double?) -> String { base.map { String(format: "%.2fx", value / $0) } ?? "-" }
    for result in results {
      let denseAgent = result.agent == .rlx2 ? AgentKind.td3 : result.agent
      let dense = results.first {
        $0.agent == denseAgent && $0.environment == result.environment && $0.sparsity == 0
          && $0.threads == result.threads
      }
      let oneThread = results.first {
        $0.agent == result.agent && $0.environment == result.environment && $0.sparsity == result.sparsity
          && $0.threads == 1
      }
      var line =
        "| \(result.agent.rawValue) | \(result.environment) | \(result.networks) | "
        + "\(sparsityLabel(result.agent, result.sparsity)) | \(result.threads) | "
        + "\(rateLabel(result)) | \(ratio(result.stepsPerSecond, dense?.stepsPerSecond)) | "
        + "\(ratio(result.stepsPerSecond, oneThread?.stepsPerSecond)) | \(replayLabel(result)) |"
      if compared {
        let algorithm = denseAgent == .sac ? "SAC" : denseAgent == .td3 ? "TD3" : ""
        for library in ["SB3", "SBX"] {
          let fastest = references.filter {
            $0.library == library && $0.algorithm == algorithm && $0.environment == result.environment
          }.map(\.stepsPerSecond).max()
          line += " \(ratio(result.stepsPerSecond, fastest)) |"
        }
      }
      lines.append(line)
    }
    for reference in references {
      let oneThread = references.first {
        $0.agent == reference.agent && $0.environment == reference.environment
          && $0.threads == 1
      }
      lines.append(
        "| \(reference.label) | \(reference.environment) | 2x256 | dense | \(reference.threads) | "
          + "\(String(format: "%.0f", reference.stepsPerSecond)) | - | "
          + "\(ratio(reference.stepsPerSecond, oneThread?.stepsPerSecond)) | - | - | - |")
    }
    return lines.joined(separator: "\n")
  }

  /// Steps per second: `473`, or over several rounds the median and the range, `473 (443-612)`.
  static func rateLabel(_ result: Result) -> String {
    let median = String(format: "%.0f", result.stepsPerSecond)
    guard let low = result.roundRates.min(), let high = result.roundRates.max() else { return median }
    return median + String(format: " (%.0f-%.0f)", low, high)
  }

  /// `storage / raw (ratio)` in MB for a row with a replay buffer, else `-`.
  static func replayLabel(_ result: Result) -> String {
    guard let bytes = result.replayBytes, let raw = result.replayRawBytes, raw > 0 else { return "-" }
    return String(
      format: "%.2f / %.2f (%.2fx)", Double(bytes) / 1_048_576, Double(raw) / 1_048_576, Double(bytes) / Double(raw))
  }

  /// Where the time of one training step goes, and how many heap allocations a step makes.
  public struct Profile: Sendable {
    /// The agent profiled.
    public let agent: AgentKind
    /// The environment id.
    public let environment: String
    /// Sparsity of the actor (and of the critics, except RLx2's 85%).
    public let sparsity: Double
    /// Training steps profiled.
    public let steps: Int
    /// Wall-clock seconds per step with the profiler recording (its own overhead included).
    public let secondsPerStep: Double
    /// The phases (see `Profiler`), totals over `steps`.
    public let phases: [Profiler.Entry]
    /// Heap allocations per step over a second, unprofiled pass of `steps` steps; `nil` when the process does
    /// not count allocations.
    public let allocationsPerStep: Double?
    /// The part of `allocationsPerStep` made inside the environment's `step` and `reset` (its observation
    /// arrays and info dictionaries, which the `Environment` API returns), `nil` like it.
    public let environmentAllocationsPerStep: Double?
  }

  /// An environment that counts the allocations made inside the one it wraps, with the process's counter.
  final class AllocationCountingEnvironment: Environment {
    let inner: any Environment
    let allocationCount: () -> Int
    /// Allocations inside `inner` so far.
    private(set) var allocations = 0

    init(_ inner: any Environment, allocationCount: @escaping () -> Int) {
      self.inner = inner
      self.allocationCount = allocationCount
    }

    var id: String { inner.id }
    var observationSpace: Space { inner.observationSpace }
    var actionSpace: Space { inner.actionSpace }

    func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
      let before = allocationCount()
      defer { allocations += allocationCount() - before }
      return try inner.reset(seed: seed)
    }

    func step(_ action: Action) throws -> Step {
      let before = allocationCount()
      defer { allocations += allocationCount() - before }
      return try inner.step(action)
    }

    func saveState() -> EnvironmentState { inner.saveState() }
    func restoreState(_ state: EnvironmentState) throws { try inner.restoreState(state) }
  }

  /// Profiles `kind` on `id` at each sparsity level: after the warm-up, `steps` steps with the profiler
  /// recording, then `steps` more with it off, counting heap allocations with `allocationCount` (the process's
  /// allocation counter, or `nil`), those inside the environment apart.
  public func profile(_ kind: AgentKind, environment id: String, allocationCount: (() -> Int)?) throws -> [Profile] {
    var profiles: [Profile] = []
    for level in levels(kind) {
      let registered = try EnvironmentRegistry.make(id)
      let counted = allocationCount.map { AllocationCountingEnvironment(registered, allocationCount: $0) }
      let environment: any Environment = counted ?? registered
      let agent = try makeAgent(kind, environment: environment, sparsity: level)
      let sink = DiscardingMetricsSink()
      let steps = timedSteps(kind)
      while agent.environmentSteps < warmupSteps { try agent.trainStep(metrics: sink) }
      Profiler.reset()
      AgentBenchmark.labelNetworks(of: agent)
      Profiler.isEnabled = true
      let start = ContinuousClock.now
      var first = agent.environmentSteps
      while agent.environmentSteps - first < steps { try agent.trainStep(metrics: sink) }
      let elapsed = ContinuousClock.now - start
      Profiler.isEnabled = false
      let phases = Profiler.entries()
      Profiler.reset()
      var allocations: Double? = nil
      var environmentAllocations: Double? = nil
      if let allocationCount, let counted {
        first = agent.environmentSteps
        let (before, environmentBefore) = (allocationCount(), counted.allocations)
        while agent.environmentSteps - first < steps { try agent.trainStep(metrics: sink) }
        let taken = Double(agent.environmentSteps - first)
        allocations = Double(allocationCount() - before) / taken
        environmentAllocations = Double(counted.allocations - environmentBefore) / taken
      }
      let parts = elapsed.components
      let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
      profiles.append(
        Profile(
          agent: kind, environment: id, sparsity: level, steps: steps, secondsPerStep: seconds / Double(steps),
          phases: phases, allocationsPerStep: allocations, environmentAllocationsPerStep: environmentAllocations))
    }
    return profiles
  }

  /// Names the agent's networks for the profile: the roles of `Agent.networks`, and target networks found by
  /// reflection (stored properties named `...target`/`targets`, also inside a `critics` or `policy` property).
  static func labelNetworks(of agent: any Agent) {
    for (role, network) in agent.networks { Profiler.setLabel(role, for: network.model) }
    func visit(_ subject: Any, prefix: String, depth: Int) {
      for child in Mirror(reflecting: subject).children {
        guard let name = child.label else { continue }
        if let layer = child.value as? any Layer, name.lowercased().hasSuffix("target") {
          let base = String(name.dropLast("target".count))
          Profiler.setLabel((base.isEmpty ? (prefix.isEmpty ? "q" : prefix) : base) + " target", for: layer)
        } else if let layers = child.value as? [any Layer], name == "targets" {
          for (index, layer) in layers.enumerated() { Profiler.setLabel("\(prefix)\(index + 1) target", for: layer) }
        } else if depth == 0, name == "critics" {
          visit(child.value, prefix: "critic", depth: 1)
        } else if depth == 0, name == "policy" {
          visit(child.value, prefix: "actor", depth: 1)
        }
      }
    }
    visit(agent, prefix: "", depth: 0)
  }

  /// Phases that run less often than this many times per step (the diagnostics, topology updates) are one row
  /// each in the profile's table, their sub-phases folded into it.
  static let foldedCallsPerStep = 0.1

  /// A markdown table of one profile: milliseconds per step of every phase (sub-phases indented with `›`),
  /// the share of the step, and calls per step; a phase with sub-phases gets an `(other)` row for the time
  /// outside them. The sub-phases of a phase run less than `foldedCallsPerStep` times per step are not listed.
  public static func markdown(_ profile: Profile) -> String {
    let steps = Double(profile.steps)
    let total = profile.secondsPerStep
    var title =
      "\(profile.agent.rawValue) on \(profile.environment), \(sparsityLabel(profile.agent, profile.sparsity)): "
      + String(format: "%.3f ms per step", total * 1000) + " (\(profile.steps) profiled steps)"
    if let allocations = profile.allocationsPerStep {
      title += String(format: ", %.1f heap allocations per step (unprofiled", allocations)
      if let inside = profile.environmentAllocationsPerStep {
        title += String(format: "; %.1f of them inside the environment, %.1f outside", inside, allocations - inside)
      }
      title += ")"
    }
    var lines = [title, "", "| phase | ms/step | % of step | calls/step |", "|---|---|---|---|"]
    func row(_ depth: Int, _ label: String, _ seconds: Double, _ calls: Double?) {
      let indent = String(repeating: "› ", count: depth)
      let callText = calls.map { String(format: "%.2f", $0 / steps) } ?? ""
      lines.append(
        "| \(indent)\(label) | " + String(format: "%.3f", seconds / steps * 1000) + " | "
          + String(format: "%.1f%%", 100 * seconds / steps / total) + " | \(callText) |")
    }
    let rare = profile.phases.filter { Double($0.calls) / steps < foldedCallsPerStep }
    let phases = profile.phases.filter { entry in
      !rare.contains { $0.path.count < entry.path.count && entry.path.starts(with: $0.path) }
    }
    for (index, entry) in phases.enumerated() {
      row(entry.path.count - 1, entry.path.last ?? "", entry.seconds, Double(entry.calls))
      // After the last descendant of a phase, its time outside its children.
      let isLastDescendant = { (ancestor: Profiler.Entry) -> Bool in
        let next = index + 1 < phases.count ? phases[index + 1] : nil
        return next.map { !$0.path.starts(with: ancestor.path) } ?? true
      }
      for ancestor in phases[...index].reversed()
      where ancestor.path.count < entry.path.count && entry.path.starts(with: ancestor.path)
        && isLastDescendant(ancestor)
      {
        let children = phases.filter { $0.path.count == ancestor.path.count + 1 && $0.path.starts(with: ancestor.path) }
        let other = ancestor.seconds - children.reduce(0) { $0 + $1.seconds }
        row(ancestor.path.count, "(other)", other, nil)
      }
    }
    let top = phases.filter { $0.path.count == 1 }.reduce(0) { $0 + $1.seconds }
    row(0, "(outside the phases)", total * steps - top, nil)
    return lines.joined(separator: "\n")
  }

  /// `dense`, `90% RigL`, or RLx2's `90/85% RigL`.
  static func sparsityLabel(_ kind: AgentKind, _ sparsity: Double) -> String {
    guard sparsity > 0 else { return "dense" }
    let percent = Int((sparsity * 100).rounded())
    guard kind == .rlx2 else { return "\(percent)% RigL" }
    return "\(percent)/\(Int((rlx2CriticSparsity(sparsity) * 100).rounded()))% RigL"
  }
}
