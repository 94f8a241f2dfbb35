import CAllocationCounter
import SparseRLEnvironments
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// An environment that counts the heap allocations made inside the environment it wraps (its `reset` and `step`,
/// on the calling thread), so that a test can tell the agent's allocations from the environment's: a step returns
/// a fresh observation array (and MuJoCo's an info dictionary), which the `Environment` API asks for.
final class AllocationCountingEnvironment: Environment {
  let inner: any Environment
  /// Allocations made inside `inner` so far.
  private(set) var allocations = 0
  /// Whether the last step ended an episode.
  private(set) var lastStepEndedEpisode = false

  init(_ inner: any Environment) { self.inner = inner }

  var id: String { inner.id }
  var observationSpace: Space { inner.observationSpace }
  var actionSpace: Space { inner.actionSpace }

  func reset(seed: UInt64?) throws -> (observation: [Float], info: Info) {
    let before = srl_thread_allocation_count()
    defer { allocations += srl_thread_allocation_count() - before }
    return try inner.reset(seed: seed)
  }

  func step(_ action: Action) throws -> Step {
    let before = srl_thread_allocation_count()
    defer { allocations += srl_thread_allocation_count() - before }
    let step = try inner.step(action)
    lastStepEndedEpisode = step.isLast
    return step
  }

  func saveState() -> EnvironmentState { inner.saveState() }
  func restoreState(_ state: EnvironmentState) throws { try inner.restoreState(state) }
}

/// The heap allocations of an agent's training steps on the test's thread, outside the environment.
struct StepAllocations {
  /// Allocations of the steps that did not end an episode, summed.
  var withinEpisodes = 0
  /// The steps counted there.
  var stepsWithinEpisodes = 0
  /// Allocations of each step that ended an episode.
  var episodeEnds: [Int] = []
}

/// Builds an agent on `id` (wrapped to count the environment's own allocations), trains it to
/// `environmentSteps == start`, then counts the allocations of each of the next `steps` steps. Everything runs
/// on the calling thread, which a synchronous test keeps; the count is per thread, so tests running in parallel
/// on other threads do not add to it.
func allocationsPerStep(
  id: String, start: Int, steps: Int, makeAgent: (any Environment) throws -> any Agent
) throws -> StepAllocations {
  let environment = AllocationCountingEnvironment(try EnvironmentRegistry.make(id))
  let agent = try makeAgent(environment)
  let sink = DiscardingMetricsSink()
  while agent.environmentSteps < start { try agent.trainStep(metrics: sink) }
  var result = StepAllocations()
  for _ in 0..<steps {
    let (before, environmentBefore) = (srl_thread_allocation_count(), environment.allocations)
    try agent.trainStep(metrics: sink)
    let agentAllocations = srl_thread_allocation_count() - before - (environment.allocations - environmentBefore)
    if environment.lastStepEndedEpisode {
      result.episodeEnds.append(agentAllocations)
    } else {
      result.withinEpisodes += agentAllocations
      result.stepsWithinEpisodes += 1
    }
  }
  return result
}

/// Small off-policy settings for the allocation tests: updates from step 100, a replay buffer of 150 slots (full,
/// so no longer growing, from step 150 on), no `train` report and no topology update in the counted steps.
func allocationTestSettings<Algorithm: OffPolicyAlgorithmSettings>(_ config: inout OffPolicyConfig<Algorithm>) {
  config.shared.actor = NetworkArchitecture(hiddenSizes: [32, 32])
  config.shared.critic = NetworkArchitecture(hiddenSizes: [32, 32])
  config.shared.batchSize = 16
  config.shared.warmupSteps = 100
  config.shared.replay.capacity = 150
  config.shared.replay.minCapacity = 50
  config.shared.logInterval = 100_000
}

/// No heap allocation per training step in steady state (issue 11): after the warm-up and the first updates have
/// sized every buffer, a step of TD3, RLx2's TD3 (sparse, 3-step target, dynamic buffer), SAC (sparse, 3-step soft
/// target with the intermediate entropy terms), DDPG and DQN allocates nothing outside the environment. A step
/// that ends an episode allocates the `episode` metrics dictionary the `MetricsSink` API takes (one allocation, once
/// per episode); the `train` reports (every `log_interval` steps), topology updates, the dynamic buffer's checks
/// and the replay storage's growth (until it reaches its capacity) are not per step and fall outside the counted
/// window.
@Suite(.enabled(if: srl_allocation_counting_available(), "allocations are counted on Linux with glibc only"))
struct AllocationTests {
  /// The counted steps on Pendulum, whose episodes end every 200 steps: the first end falls in the warm-up (the
  /// Swift runtime's one-time work at the first episode end of the process, such as instantiating the metrics
  /// dictionary's type, may land in any test), the second one in the counted steps.
  static let start = 210
  static let steps = 200

  static func expectNoAllocationPerStep(_ counts: StepAllocations, _ agent: String) {
    #expect(counts.stepsWithinEpisodes > 150)
    #expect(
      counts.withinEpisodes == 0,
      "\(agent): \(counts.withinEpisodes) allocations in \(counts.stepsWithinEpisodes) steps")
    #expect(counts.episodeEnds.count == 1)
    #expect(counts.episodeEnds.allSatisfy { $0 <= 1 }, "\(agent): episode ends allocated \(counts.episodeEnds)")
  }

  @Test func td3StepAllocatesNothing() throws {
    let counts = try allocationsPerStep(id: "Pendulum-v1", start: Self.start, steps: Self.steps) { environment in
      var config = TD3Config()
      allocationTestSettings(&config)
      return try TD3Agent(config: config, environment: environment, seed: 3, totalSteps: 100_000)
    }
    Self.expectNoAllocationPerStep(counts, "TD3")
  }

  @Test func sparseMultiStepTD3StepAllocatesNothing() throws {
    let counts = try allocationsPerStep(id: "Pendulum-v1", start: Self.start, steps: Self.steps) { environment in
      var config = TD3Config().variant(
        .rlx2, actorSparsity: 0.9, criticSparsity: 0.85, observationWidth: 3, actionWidth: 1)
      allocationTestSettings(&config)
      config.nStepDelay = 0
      #expect(config.nStep == 3 && config.replay.dynamicCapacity && config.actorSparsity.method == .rigl)
      return try TD3Agent(config: config, environment: environment, seed: 4, totalSteps: 100_000)
    }
    Self.expectNoAllocationPerStep(counts, "RLx2-TD3")
  }

  /// With two kernel threads SAC's twin critics run side by side (`TwinCritics` through
  /// `KernelThreads.concurrentForEach`), which must not allocate either (on the calling thread, which is the one
  /// counted; the thread count is process-wide, so another test may set it back meanwhile, which only weakens this
  /// one).
  @Test func sacStepWithTwoKernelThreadsAllocatesNothing() throws {
    KernelThreads.setCount(2)
    defer { KernelThreads.setCount(1) }
    let counts = try allocationsPerStep(id: "Pendulum-v1", start: Self.start, steps: Self.steps) { environment in
      var config = SACConfig()
      allocationTestSettings(&config)
      return try SACAgent(config: config, environment: environment, seed: 5, totalSteps: 100_000)
    }
    Self.expectNoAllocationPerStep(counts, "SAC, 2 threads")
  }

  @Test func sacStepAllocatesNothing() throws {
    let counts = try allocationsPerStep(id: "Pendulum-v1", start: Self.start, steps: Self.steps) { environment in
      var config = SACConfig()
      allocationTestSettings(&config)
      return try SACAgent(config: config, environment: environment, seed: 5, totalSteps: 100_000)
    }
    Self.expectNoAllocationPerStep(counts, "SAC")
  }

  @Test func sparseMultiStepSACStepAllocatesNothing() throws {
    let counts = try allocationsPerStep(id: "Pendulum-v1", start: Self.start, steps: Self.steps) { environment in
      var config = SACConfig().variant(
        .rlx2, actorSparsity: 0.9, criticSparsity: 0.85, observationWidth: 3, actionWidth: 1)
      allocationTestSettings(&config)
      config.nStepDelay = 0
      return try SACAgent(config: config, environment: environment, seed: 6, totalSteps: 100_000)
    }
    Self.expectNoAllocationPerStep(counts, "RLx2-SAC")
  }

  @Test func ddpgStepAllocatesNothing() throws {
    let counts = try allocationsPerStep(id: "Pendulum-v1", start: Self.start, steps: Self.steps) { environment in
      var config = DDPGConfig()
      allocationTestSettings(&config)
      return try DDPGAgent(config: config, environment: environment, seed: 7, totalSteps: 100_000)
    }
    Self.expectNoAllocationPerStep(counts, "DDPG")
  }

  /// DQN on CartPole, whose episodes end often early on: those steps are counted apart. Double DQN, 3-step
  /// targets, RigL and an observation scale cover its other per-update paths.
  @Test(arguments: [false, true]) func dqnStepAllocatesNothing(options: Bool) throws {
    let counts = try allocationsPerStep(id: "CartPole-v1", start: 150, steps: 200) { environment in
      var config = DQNConfig()
      config.network = NetworkArchitecture(hiddenSizes: [32, 32])
      config.batchSize = 16
      config.learningStarts = 100
      config.bufferSize = 150
      config.targetUpdateInterval = 10
      config.logInterval = 100_000
      config.epsilonStart = 0.5
      config.epsilonEnd = 0.5
      if options {
        config.doubleDQN = true
        config.nSteps = 3
        config.observationScale = 0.5
        config.maxGradientNorm = 10
        config.sparsity.method = .rigl
        config.sparsity.sparsity = 0.8
        config.sparsity.updateInterval = 10_000
      }
      return try DQNAgent(config: config, environment: environment, seed: 8, totalSteps: 100_000)
    }
    #expect(counts.stepsWithinEpisodes > 100)
    #expect(
      counts.withinEpisodes == 0, "DQN: \(counts.withinEpisodes) allocations in \(counts.stepsWithinEpisodes) steps")
    #expect(!counts.episodeEnds.isEmpty)
    #expect(counts.episodeEnds.allSatisfy { $0 <= 1 }, "DQN: episode ends allocated \(counts.episodeEnds)")
  }
}
