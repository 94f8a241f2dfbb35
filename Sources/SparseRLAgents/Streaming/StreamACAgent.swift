import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Stream AC(lambda) (Elsayed, Vasan & Mahmood 2024): an actor-critic that learns from each transition as it
/// happens, with batch size 1, no replay buffer, eligibility traces and the ObGD optimizer.
///
/// Per environment step, with `V` the value network and `pi = Normal(mu, softplus(rho))` the policy:
/// `delta = r + gamma (1 - terminated) V(s') - V(s)`; the value trace accumulates `grad V(s)` and the policy
/// trace `grad [log pi(a|s) + c sign(delta) H(pi(.|s))]`; both ObGD steps use `delta` and reset their traces at
/// the end of an episode. The action sent to the environment is the sample clipped to the action box (the
/// log-probability is of the unclipped sample, as the paper's `ClipAction` wrapper). Unlike the paper's code, a
/// time-limit truncation bootstraps from `V(s')` (it is not a terminal state); the traces still reset.
///
/// Random streams (all saved): `actor.init`, `critic.init`, `actor.topology`, `critic.topology`, `policy`
/// (action noise), `redo` (ReDo's re-initialisation).
public final class StreamACAgent: Agent {
  /// The settings.
  public let config: StreamACConfig
  /// The policy network: outputs `mu` (rows `0..<A`) and `rho` (rows `A..<2A`), `sigma = softplus(rho)`.
  public let actor: SparseNetwork
  /// The value network.
  public let critic: SparseNetwork
  /// ObGD of the policy (kappa_policy).
  public let actorOptimizer: ObGD
  /// ObGD of the value (kappa_value).
  public let criticOptimizer: ObGD
  public private(set) var environmentSteps = 0
  /// Updates so far (one per environment step).
  public private(set) var updates = 0

  private let training: StreamingEnvironment
  private let observationWidth: Int
  private let actionWidth: Int
  private let actionLow: [Float]
  private let actionHigh: [Float]
  private var policyRandom: RandomGenerator
  private var recycling: RandomGenerator
  private var recent: RecentTransitions
  private var sums = [Double](repeating: 0, count: 4)  // |delta|, value step, policy step, mean sigma
  private var stepsSinceReport = 0

  /// A Stream AC agent for `environment` (box observations and actions), reset with `seed`; `totalSteps` is
  /// the horizon of the sparsity schedules (static masks do not use it).
  public init(config: StreamACConfig, environment: any Environment, seed: UInt64, totalSteps: Int) throws {
    var issues: [ConfigIssue] = []
    config.validate(path: "agent", issues: &issues)
    guard issues.isEmpty else { throw ConfigError(issues: issues) }
    guard case .box(let actions) = environment.actionSpace else {
      throw AgentError.incompatibleEnvironment(
        "Stream AC needs a continuous (box) action space; \(environment.id) has \(environment.actionSpace)")
    }
    guard case .box(let observations) = environment.observationSpace else {
      throw AgentError.incompatibleEnvironment(
        "Stream AC needs a box observation space; \(environment.id) has \(environment.observationSpace)")
    }
    self.config = config
    observationWidth = observations.count
    actionWidth = actions.count
    actionLow = actions.low
    actionHigh = actions.high
    let root = RandomGenerator(seed: seed)
    var actorInit = root.stream("actor.init")
    var criticInit = root.stream("critic.init")
    actor = try SparseNetwork(
      model: config.actorNetwork.build(inputs: observationWidth, outputs: 2 * actionWidth, random: &actorInit),
      sparsity: config.actorSparsity, totalUpdates: max(totalSteps, 1), random: root.stream("actor.topology"))
    critic = try SparseNetwork(
      model: config.criticNetwork.build(inputs: observationWidth, outputs: 1, random: &criticInit),
      sparsity: config.criticSparsity, totalUpdates: max(totalSteps, 1), random: root.stream("critic.topology"))
    let (alpha, gamma, lambda) = (Float(config.learningRate), Float(config.gamma), Float(config.lambda))
    actorOptimizer = ObGD(
      parameters: actor.model.parameters, learningRate: alpha, gamma: gamma, lambda: lambda,
      kappa: Float(config.kappaPolicy))
    criticOptimizer = ObGD(
      parameters: critic.model.parameters, learningRate: alpha, gamma: gamma, lambda: lambda,
      kappa: Float(config.kappaValue))
    training = try StreamingEnvironment(
      environment, normalizeObservations: config.normalizeObservations, scaleRewards: config.scaleRewards,
      gamma: config.gamma, seed: seed)
    policyRandom = root.stream("policy")
    recycling = root.stream("redo")
    let window = config.diagnostics.interval > 0 || config.redo.interval > 0 ? config.diagnosticsWindow : 0
    recent = RecentTransitions(capacity: window, observationWidth: observationWidth, actionWidth: actionWidth)
  }

  public var networks: [(role: String, network: SparseNetwork)] { [("actor", actor), ("critic", critic)] }

  public var metricNames: [MetricGroup: [String]] {
    [
      .train: [
        "td_error", "value_step_size", "policy_step_size", "policy_std", "actor_sparsity", "critic_sparsity",
        "updates",
      ] + TrainingDiagnostics.metricNames(settings: config.diagnostics, roles: ["actor", "critic"]),
      .episode: ["return", "length"],
    ]
  }

  private func column(_ values: [Float]) -> Matrix { Matrix(rows: values.count, columns: 1, scalars: values) }

  public func evaluationAction(for observation: [Float]) -> Action {
    let output = actor.model.forward(column(training.normalize(observation)))
    return .continuous((0..<actionWidth).map { min(max(output[$0, 0], actionLow[$0]), actionHigh[$0]) })
  }

  /// `softplus(x) = log(1 + e^x)`, computed without overflow.
  static func softplus(_ x: Float) -> Float { x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x)) }

  /// The gradient of `weight * [log pi(a|s) + c * sign * H(pi(.|s))]` with respect to the policy outputs
  /// (`mu` rows, then `rho` rows), for every column of `output` with its action column of `actions`.
  static func policyObjectiveGradient(
    output: Matrix, actions: Matrix, signs: [Float], entropyCoefficient: Float, weight: Float
  ) -> Matrix {
    let width = output.rows / 2
    var gradient = Matrix(rows: output.rows, columns: output.columns)
    for b in 0..<output.columns {
      for j in 0..<width {
        let rho = output[width + j, b]
        let sigma = softplus(rho)
        let z = actions[j, b] - output[j, b]
        // d log N(a; mu, sigma) / d mu = z / sigma^2; d / d sigma = z^2 / sigma^3 - 1 / sigma; dH / d sigma = 1 / sigma.
        let dSigma = z * z / (sigma * sigma * sigma) - 1 / sigma + entropyCoefficient * signs[b] / sigma
        gradient[j, b] = weight * z / (sigma * sigma)
        gradient[width + j, b] = weight * dSigma / (1 + expf(-rho))  // d softplus / d rho = sigmoid(rho)
      }
    }
    return gradient
  }

  public func trainStep(metrics: any MetricsSink) throws {
    let state = training.observation
    let output = actor.model.forward(column(state))
    var action = [Float](repeating: 0, count: actionWidth)
    var sigmaSum = 0.0
    for j in 0..<actionWidth {
      let sigma = Self.softplus(output[actionWidth + j, 0])
      action[j] = output[j, 0] + sigma * Float(policyRandom.normal())
      sigmaSum += Double(sigma)
    }
    let clipped = (0..<actionWidth).map { min(max(action[$0], actionLow[$0]), actionHigh[$0]) }
    let step = try training.step(.continuous(clipped), metrics: metrics, environmentSteps: environmentSteps + 1)
    environmentSteps += 1

    // The value network's pass on s' comes first: the backward pass needs the intermediate values of s.
    let nextValue = step.terminated ? 0 : critic.model.forward(column(step.observation))[0, 0]
    let value = critic.model.forward(column(state))[0, 0]
    let delta = Float(step.reward) + Float(config.gamma) * nextValue - value
    guard delta.isFinite else { throw AgentError.nonFiniteValue(what: "Stream AC TD error", step: environmentSteps) }
    critic.model.zeroGradients()
    _ = critic.model.backward(Matrix(rows: 1, columns: 1, scalars: [1]), accumulateParameterGradients: true)
    let sign: Float = delta > 0 ? 1 : (delta < 0 ? -1 : 0)
    let policyGradient = Self.policyObjectiveGradient(
      output: output, actions: column(action), signs: [sign], entropyCoefficient: Float(config.entropyCoefficient),
      weight: 1)
    actor.model.zeroGradients()
    _ = actor.model.backward(policyGradient, accumulateParameterGradients: true)
    actor.afterBackward()
    critic.afterBackward()
    let policyStep = actorOptimizer.step(delta: delta, resetTraces: step.isLast)
    let valueStep = criticOptimizer.step(delta: delta, resetTraces: step.isLast)
    updates += 1

    recent.add(
      observation: state, action: action, reward: Float(step.reward), nextObservation: step.observation,
      terminal: step.terminated)
    try recycleAndDiagnose(metrics: metrics)

    for (k, x) in [Double(abs(delta)), Double(valueStep), Double(policyStep), sigmaSum / Double(actionWidth)]
      .enumerated()
    { sums[k] += x }
    stepsSinceReport += 1
    if environmentSteps % config.logInterval == 0 {
      let n = Double(stepsSinceReport)
      metrics.record(
        group: .train, step: environmentSteps,
        values: [
          "td_error": sums[0] / n, "value_step_size": sums[1] / n, "policy_step_size": sums[2] / n,
          "policy_std": sums[3] / n, "actor_sparsity": actor.currentSparsity, "critic_sparsity": critic.currentSparsity,
          "updates": Double(updates),
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
      ReDo.recycle(actor.model, inputs: batch.observations, threshold: config.redo.threshold, random: &recycling)
      ReDo.recycle(critic.model, inputs: batch.observations, threshold: config.redo.threshold, random: &recycling)
    }
    try TrainingDiagnostics.recordIfDue(
      settings: config.diagnostics, updates: updates, step: environmentSteps, metrics: metrics
    ) {
      let gamma = Float(config.gamma)
      let nextValues = critic.model.forward(batch.nextObservations)
      let targets = (0..<batch.rewards.count).map { b in
        batch.rewards[b] + (batch.terminated[b] ? 0 : gamma * nextValues[0, b])
      }
      let values = critic.model.forward(batch.observations)
      let signs: [Float] = (0..<targets.count).map { b in
        let delta = targets[b] - values[0, b]
        return delta > 0 ? 1 : (delta < 0 ? -1 : 0)
      }
      let criticModel = critic.model
      let actorModel = actor.model
      let coefficient = Float(config.entropyCoefficient)
      return [
        DiagnosedNetwork(role: "actor", model: actorModel, inputs: batch.observations) { samples in
          // Loss: -mean [log pi(a|s) + c sign(delta) H].
          let output = actorModel.forward(batch.observations.selectingColumns(samples))
          let gradient = Self.policyObjectiveGradient(
            output: output, actions: batch.actions.selectingColumns(samples), signs: samples.map { signs[$0] },
            entropyCoefficient: coefficient, weight: -1 / Float(samples.count))
          actorModel.zeroGradients()
          _ = actorModel.backward(gradient, accumulateParameterGradients: true)
        },
        DiagnosedNetwork(role: "critic", model: criticModel, inputs: batch.observations) { samples in
          // Loss: mean 0.5 (V(s) - y)^2 with the targets fixed.
          let output = criticModel.forward(batch.observations.selectingColumns(samples))
          var gradient = Matrix(rows: 1, columns: samples.count)
          for (c, b) in samples.enumerated() { gradient[0, c] = (output[0, c] - targets[b]) / Float(samples.count) }
          criticModel.zeroGradients()
          _ = criticModel.backward(gradient, accumulateParameterGradients: true)
        },
      ]
    }
  }

  public func saveState() throws -> BinaryArchive {
    var archive = BinaryArchive()
    archive["agent"] = .string("stream_ac")
    archive["actor"] = .archive(try actor.archive())
    archive["critic"] = .archive(try critic.archive())
    archive["actorOptimizer"] = .archive(actorOptimizer.archive())
    archive["criticOptimizer"] = .archive(criticOptimizer.archive())
    archive["environment"] = .archive(try training.archive())
    archive["recent"] = .archive(recent.archive())
    archive["policyRandom"] = .generator(policyRandom)
    archive["recycling"] = .generator(recycling)
    archive["environmentSteps"] = .int(environmentSteps)
    archive["updates"] = .int(updates)
    archive["sums"] = .doubles(sums)
    archive["stepsSinceReport"] = .int(stepsSinceReport)
    return archive
  }

  public func restoreState(_ archive: BinaryArchive) throws {
    let kind = try archive.string("agent")
    guard kind == "stream_ac" else {
      throw AgentError.invalidState("saved by a \(kind) agent, restoring into stream_ac")
    }
    let restoredPolicy = try archive.generator("policyRandom")
    let restoredRecycling = try archive.generator("recycling")
    let restoredSums = try archive.doubles("sums", count: sums.count)
    try actor.load(archive.archive("actor"))
    try critic.load(archive.archive("critic"))
    try actorOptimizer.load(from: archive.archive("actorOptimizer"))
    try criticOptimizer.load(from: archive.archive("criticOptimizer"))
    try training.load(archive.archive("environment"))
    try recent.load(archive.archive("recent"))
    (policyRandom, recycling, sums) = (restoredPolicy, restoredRecycling, restoredSums)
    environmentSteps = try archive.int("environmentSteps")
    updates = try archive.int("updates")
    stepsSinceReport = try archive.int("stepsSinceReport")
  }
}
