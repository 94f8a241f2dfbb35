import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// Stream Q(lambda) (Elsayed, Vasan & Mahmood 2024): Watkins-style Q(lambda) learning from each transition as
/// it happens, with batch size 1, no replay, an eligibility trace and the ObGD optimizer.
///
/// Per environment step: epsilon-greedy action (a random action that differs from the greedy one is
/// non-greedy); `delta = r + gamma (1 - terminated) max_a' Q(s', a') - Q(s, a)`; the trace accumulates
/// `grad Q(s, a)`; one ObGD step with `delta`, resetting the trace at the end of an episode or after a
/// non-greedy action. A time-limit truncation bootstraps (it is not a terminal state).
///
/// Random streams (all saved): `q.init`, `q.topology`, `exploration`, `redo`.
public final class StreamQAgent: Agent {
  /// The settings.
  public let config: StreamQConfig
  /// The Q-network.
  public let q: SparseNetwork
  /// Its ObGD.
  public let optimizer: ObGD
  public private(set) var environmentSteps = 0
  /// Updates so far (one per environment step).
  public private(set) var updates = 0

  private let totalSteps: Int
  private let training: StreamingEnvironment
  private let observationWidth: Int
  private let actionCount: Int
  private let actionStart: Int
  private var exploration: RandomGenerator
  private var recycling: RandomGenerator
  private var recent: RecentTransitions
  private var sums = [Double](repeating: 0, count: 3)  // |delta|, step size, non-greedy actions
  private var stepsSinceReport = 0

  /// A Stream Q agent for `environment` (box observations, discrete actions), reset with `seed`, for
  /// `totalSteps` environment steps (the horizon of the epsilon schedule).
  public init(config: StreamQConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    guard issues.isEmpty else { throw ConfigError(issues: issues) }
    guard case .discrete(let actions) = environment.actionSpace else {
      throw AgentError.incompatibleEnvironment(
        "Stream Q needs a discrete action space; \(environment.id) has \(environment.actionSpace)")
    }
    guard case .box(let observations) = environment.observationSpace else {
      throw AgentError.incompatibleEnvironment(
        "Stream Q needs a box observation space; \(environment.id) has \(environment.observationSpace)")
    }
    self.config = config
    self.totalSteps = totalSteps
    observationWidth = observations.count
    actionCount = actions.count
    actionStart = actions.start
    let root = RandomGenerator(seed: seed)
    var initialization = root.stream("q.init")
    q = try SparseNetwork(
      model: config.network.build(inputs: observationWidth, outputs: actionCount, random: &initialization),
      sparsity: config.sparsity, totalUpdates: max(totalSteps, 1), random: root.stream("q.topology"))
    optimizer = ObGD(
      parameters: q.model.parameters, learningRate: Float(config.learningRate), gamma: Float(config.gamma),
      lambda: Float(config.lambda), kappa: Float(config.kappa))
    training = try StreamingEnvironment(
      environment, normalizeObservations: config.normalizeObservations, scaleRewards: config.scaleRewards,
      gamma: config.gamma, seed: seed)
    exploration = root.stream("exploration")
    recycling = root.stream("redo")
    let window = config.diagnostics.interval > 0 || config.redo.interval > 0 ? config.diagnosticsWindow : 0
    recent = RecentTransitions(capacity: window, observationWidth: observationWidth, actionWidth: 1)
  }

  public var networks: [(role: String, network: SparseNetwork)] { [("q", q)] }

  public var metricNames: [MetricGroup: [String]] {
    [
      .train: ["td_error", "step_size", "non_greedy_fraction", "epsilon", "sparsity", "updates"]
        + TrainingDiagnostics.metricNames(settings: config.diagnostics, roles: ["q"]),
      .episode: ["return", "length"],
    ]
  }

  private func values(_ observation: [Float]) -> Matrix {
    q.model.forward(Matrix(rows: observationWidth, columns: 1, scalars: observation))
  }

  public func evaluationAction(for observation: [Float]) -> Action {
    .discrete(actionStart + DQNTarget.greedyAction(values(training.normalize(observation)), column: 0))
  }

  public func trainStep(metrics: any MetricsSink) throws {
    let state = training.observation
    let epsilon = config.epsilon(atStep: environmentSteps + 1, totalSteps: totalSteps)
    let greedy = DQNTarget.greedyAction(values(state), column: 0)
    var action = greedy
    if exploration.nextDouble() < epsilon { action = exploration.integer(below: actionCount) }
    let nonGreedy = action != greedy
    let step = try training.step(
      .discrete(actionStart + action), metrics: metrics, environmentSteps: environmentSteps + 1)
    environmentSteps += 1

    // The pass on s' comes first: the backward pass needs the intermediate values of s.
    var nextValue: Float = 0
    if !step.terminated {
      let next = values(step.observation)
      nextValue = (0..<actionCount).map { next[$0, 0] }.max()!
    }
    let current = values(state)
    let delta = Float(step.reward) + Float(config.gamma) * nextValue - current[action, 0]
    guard delta.isFinite else { throw AgentError.nonFiniteValue(what: "Stream Q TD error", step: environmentSteps) }
    var outputGradient = Matrix(rows: actionCount, columns: 1)
    outputGradient[action, 0] = 1
    q.model.zeroGradients()
    _ = q.model.backward(outputGradient, accumulateParameterGradients: true)
    q.afterBackward()
    let stepSize = optimizer.step(delta: delta, resetTraces: step.isLast || nonGreedy)
    updates += 1

    recent.add(
      observation: state, action: [Float(action)], reward: Float(step.reward), nextObservation: step.observation,
      terminal: step.terminated)
    try recycleAndDiagnose(metrics: metrics)

    sums[0] += Double(abs(delta))
    sums[1] += Double(stepSize)
    sums[2] += nonGreedy ? 1 : 0
    stepsSinceReport += 1
    if environmentSteps % config.logInterval == 0 {
      let n = Double(stepsSinceReport)
      metrics.record(
        group: .train, step: environmentSteps,
        values: [
          "td_error": sums[0] / n, "step_size": sums[1] / n, "non_greedy_fraction": sums[2] / n, "epsilon": epsilon,
          "sparsity": q.currentSparsity, "updates": Double(updates),
        ])
      sums = sums.map { _ in 0 }
      stepsSinceReport = 0
    }
  }

  /// ReDo and the diagnostics on the recent transitions, when due.
  private func recycleAndDiagnose(metrics: any MetricsSink) throws {
    let redoDue = config.redo.isDue(afterUpdates: updates)
    let diagnosticsDue = config.diagnostics.isDue(afterUpdates: updates)
    guard (redoDue || diagnosticsDue) && recent.count >= 2 else { return }
    let batch = recent.batch()
    if redoDue {
      ReDo.recycle(q.model, inputs: batch.observations, threshold: config.redo.threshold, random: &recycling)
    }
    try TrainingDiagnostics.recordIfDue(
      settings: config.diagnostics, updates: updates, step: environmentSteps, metrics: metrics
    ) {
      let model = q.model
      let next = model.forward(batch.nextObservations)
      let targets = (0..<batch.rewards.count).map { b in
        batch.rewards[b]
          + (batch.terminated[b] ? 0 : Float(config.gamma) * (0..<actionCount).map { next[$0, b] }.max()!)
      }
      let actions = (0..<batch.rewards.count).map { Int(batch.actions[0, $0]) }
      return [
        DiagnosedNetwork(role: "q", model: model, inputs: batch.observations) { samples in
          let output = model.forward(batch.observations.selectingColumns(samples))
          let (_, gradient, _) = DQNLoss.evaluate(
            values: output, actions: samples.map { actions[$0] }, targets: samples.map { targets[$0] }, loss: .mse)
          model.zeroGradients()
          _ = model.backward(gradient, accumulateParameterGradients: true)
        }
      ]
    }
  }

  public func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["agent"] = .string("stream_q")
    archive["q"] = .archive(try q.archive())
    archive["optimizer"] = .archive(optimizer.archive())
    archive["environment"] = .archive(try training.archive())
    archive["recent"] = .archive(recent.archive())
    archive["exploration"] = .generator(exploration)
    archive["recycling"] = .generator(recycling)
    archive["environmentSteps"] = .int(environmentSteps)
    archive["updates"] = .int(updates)
    archive["sums"] = .doubles(sums)
    archive["stepsSinceReport"] = .int(stepsSinceReport)
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let kind = try archive.string("agent")
    guard kind == "stream_q" else { throw AgentError.invalidState("saved by a \(kind) agent, restoring into stream_q") }
    let restoredExploration = try archive.generator("exploration")
    let restoredRecycling = try archive.generator("recycling")
    let restoredSums = try archive.doubles("sums", count: sums.count)
    try q.load(archive.archive("q"))
    try optimizer.load(from: archive.archive("optimizer"))
    try training.load(archive.archive("environment"))
    try recent.load(archive.archive("recent"))
    (exploration, recycling, sums) = (restoredExploration, restoredRecycling, restoredSums)
    environmentSteps = try archive.int("environmentSteps")
    updates = try archive.int("updates")
    stepsSinceReport = try archive.int("stepsSinceReport")
  }
}
