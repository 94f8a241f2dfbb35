import SparseRLNetworks
import SparseRLNumerics

/// The deterministic actor TD3 and DDPG share: the policy network `pi(s) = tanh(actor(s))`, its Polyak target
/// and its optimizer; it acts with Gaussian exploration noise `clip(pi(s) + N(0, sigma^2), -1, 1)` and learns
/// along the deterministic policy gradient through one critic, `followedCritic` (`TD3ActorLoss`).
///
/// In an agent's archive it is the entries `actor`, `actor_target` and `actor_optimizer`.
final class DeterministicActor {
  /// The online actor network with its sparsity.
  let network: SparseNetwork
  /// The target actor (Polyak average of `network`).
  let target: any Layer
  /// The actor's optimizer.
  let optimizer: any Optimizer
  /// Standard deviation of the exploration noise, in units of the normalised action `[-1, 1]`.
  let explorationNoise: Float
  /// The index of the critic whose action gradient the actor ascends (TD3: `TD3ActorLoss.critic`; DDPG: its
  /// only critic, 0).
  let followedCritic: Int
  /// The actor loss with its buffers, reused by every update.
  private var actorLoss = TD3ActorLoss()
  /// The buffers of `targetActions` and of the acting column (`exploratoryAction`), reused by every call.
  private var targetActionStorage = Matrix(rows: 0, columns: 0)
  private var policyAction = Matrix(rows: 0, columns: 0)
  private var exploratory: [Float] = []

  /// An actor for `observationWidth` inputs and `actionCount` actions, its initial weights and topology drawn
  /// from the stream `"actor"` of `random`; `totalUpdates` actor updates over the run (the topology schedule).
  init(
    settings: OffPolicySettings, observationWidth: Int, actionCount: Int, totalUpdates: Int,
    explorationNoise: Double, followedCritic: Int, random: inout RandomGenerator
  ) throws {
    var stream = random.stream("actor")
    network = try SparseNetwork(
      model: settings.actor.build(inputShape: [observationWidth], outputs: actionCount, random: &stream),
      sparsity: settings.actorSparsity, totalUpdates: totalUpdates, random: stream.stream("topology"))
    target = network.model.copy()
    optimizer = makeAdam(
      for: network, learningRate: Float(settings.actorLearningRate), weightDecay: Float(settings.weightDecay),
      kind: settings.weightDecayKind)
    self.explorationNoise = Float(explorationNoise)
    self.followedCritic = followedCritic
  }

  /// The policy's normalised actions `tanh(actor(s))` for observations `[width x batch]`.
  func noiseFreeActions(_ observations: Matrix) -> Matrix { tanhActions(network.model.forward(observations)) }

  /// The target policy's normalised actions `tanh(actor'(s))` (in storage the next call rewrites).
  func targetActions(_ observations: Matrix) -> Matrix {
    tanhActions(target.forward(observations), into: &targetActionStorage)
  }

  /// The exploratory action `clip(pi(s) + N(0, sigma^2), -1, 1)` for one observation, and `pi(s)` (both in
  /// storage the next call rewrites).
  func exploratoryAction(_ observation: Matrix, using random: inout RandomGenerator) -> (
    action: [Float], noiseFree: [Float]
  ) {
    tanhActions(network.model.forward(observation), into: &policyAction)
    let sigma = explorationNoise
    exploratory.prepare(count: policyAction.count)
    for k in 0..<policyAction.count {
      exploratory[k] = min(max(policyAction.scalars[k] + random.normal(mean: 0, standardDeviation: sigma), -1), 1)
    }
    return (exploratory, policyAction.scalars)
  }

  /// The loss `-mean_b Q(s_b, pi(s_b))` of the followed critic and its gradient with respect to the actor's raw
  /// output (the actor's forward pass is left cached for its backward pass; the gradient is in the loss's
  /// storage, rewritten by the next call).
  func loss(_ observations: Matrix, critics: TwinCritics) -> (loss: Float, outputGradient: Matrix) {
    actorLoss.evaluate(
      actorOutput: network.model.forward(observations), observations: observations, critics: critics,
      critic: followedCritic)
  }

  /// One actor update on `observations`: the loss's gradient, the topology step and the optimizer step. Returns
  /// the loss; throws if it is not finite (`what` names it), before any weight changes.
  func update(_ observations: Matrix, critics: TwinCritics, what: String, step: Int) throws -> Float {
    network.model.zeroGradients()
    let result = loss(observations, critics: critics)
    try requireFinite(result.loss, what, step: step)
    _ = network.model.backward(result.outputGradient, accumulateParameterGradients: true)
    if network.afterBackward() { optimizer.step() }
    return result.loss
  }

  /// Polyak averaging of the target towards the actor.
  func updateTarget(tau: Float) {
    TargetUpdate.polyak(target: target, online: network.model, tau: tau)
  }

  /// The actor for the diagnostics and ReDo: inputs the observations, loss `TD3ActorLoss` on the chosen samples.
  func diagnosed(observations: Matrix, critics: TwinCritics) -> DiagnosedNetwork {
    DiagnosedNetwork(role: "actor", model: network.model, inputs: observations) { [network, followedCritic] samples in
      let inputs = observations.selectingColumns(samples)
      network.model.zeroGradients()
      let result = TD3ActorLoss.evaluate(
        actorOutput: network.model.forward(inputs), observations: inputs, critics: critics, critic: followedCritic)
      _ = network.model.backward(result.outputGradient, accumulateParameterGradients: true)
    }
  }

  /// Writes the actor's entries into an agent's archive.
  func archive(into archive: inout BinaryArchive) throws {
    archive["actor"] = .archive(try network.archive())
    archive["actor_target"] = .archive(NetworkArchive.archive(of: target))
    archive["actor_optimizer"] = .archive(optimizer.archive())
  }

  /// Restores the actor from an agent's archive.
  func load(from archive: BinaryArchive) throws {
    try network.load(archive.archive("actor"))
    try NetworkArchive.load(archive.archive("actor_target"), into: target)
    try optimizer.load(from: archive.archive("actor_optimizer"))
  }
}
