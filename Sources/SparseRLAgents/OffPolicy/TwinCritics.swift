import SparseRLNetworks
import SparseRLNumerics

/// The twin Q-networks of TD3 and SAC (DDPG: one) with their target networks and optimizers.
///
/// Each critic maps `concat(s, a)` (observation rows, then normalised action rows, feature-major) to one
/// Q-value, has its own `SparseNetwork` (masks and topology schedule, one update per critic update), its own
/// Adam, and a target network that follows the online mask (`TargetUpdate.polyak` adopts the online layout).
final class TwinCritics {
  /// The online critics, `critic1` and `critic2` (DDPG: `critic1` only).
  let online: [SparseNetwork]
  /// Their target networks.
  let targets: [any Layer]
  /// One Adam per critic (with the configured weight decay).
  let optimizers: [any Optimizer]
  let observationWidth: Int
  let actionWidth: Int
  /// The storage of the critic input of `concatenated(_:_:)`, reused by every call.
  private var inputStorage = Matrix(rows: 0, columns: 0)
  /// The MSE's gradient with respect to the Q-values in `update`, reused by every update.
  private var lossGradient: [Float] = []
  /// The storage of each critic's `actionGradient`, reused by every call.
  private var actionGradients: [Matrix]

  /// `count` critics of `settings` (architecture, sparsity, learning rate, weight decay) for `totalUpdates`
  /// updates; critic i draws its weights and topology from `random`'s stream `critic<i>`.
  init(
    settings: OffPolicySettings, observationWidth: Int, actionWidth: Int, totalUpdates: Int,
    random: inout RandomGenerator, count: Int = 2
  ) throws {
    precondition(count >= 1, "at least one critic")
    var online: [SparseNetwork] = []
    for index in 1...count {
      var stream = random.stream("critic\(index)")
      let model = try settings.critic.build(
        inputShape: [observationWidth + actionWidth], outputs: 1, random: &stream)
      online.append(
        try SparseNetwork(
          model: model, sparsity: settings.criticSparsity, totalUpdates: totalUpdates,
          random: stream.stream("topology")))
    }
    self.online = online
    actionGradients = Array(repeating: Matrix(rows: 0, columns: 0), count: count)
    targets = online.map { $0.model.copy() }
    optimizers = online.map {
      makeAdam(
        for: $0, learningRate: Float(settings.criticLearningRate), weightDecay: Float(settings.weightDecay),
        kind: settings.weightDecayKind)
    }
    self.observationWidth = observationWidth
    self.actionWidth = actionWidth
  }

  /// The critic input `concat(observations, actions)` (`[obs + actions x batch]`).
  static func inputs(observations: Matrix, actions: Matrix) -> Matrix {
    precondition(observations.columns == actions.columns, "observation and action batches differ")
    return Matrix(
      rows: observations.rows + actions.rows, columns: observations.columns,
      scalars: observations.scalars + actions.scalars)
  }

  /// `inputs(observations:actions:)` in storage reused between calls (no allocation once it has the batch's
  /// size; a caller still holding the previous result gets it unchanged, copy-on-write).
  func concatenated(_ observations: Matrix, _ actions: Matrix) -> Matrix {
    precondition(observations.columns == actions.columns, "observation and action batches differ")
    inputStorage.reshape(rows: observations.rows + actions.rows, columns: observations.columns)
    inputStorage.scalars.withUnsafeMutableBufferPointer { x in
      for k in 0..<observations.count { x[k] = observations.scalars[k] }
      for k in 0..<actions.count { x[observations.count + k] = actions.scalars[k] }
    }
    return inputStorage
  }

  /// `Q1'(s, a)` and `Q2'(s, a)` of the target critics, per sample.
  func targetValues(observations: Matrix, actions: Matrix) -> (q1: [Float], q2: [Float]) {
    let x = concatenated(observations, actions)
    return (targets[0].forward(x).scalars, targets[1].forward(x).scalars)
  }

  /// `Q'(s, a)` of target critic `index`, per sample.
  func targetValue(_ index: Int, observations: Matrix, actions: Matrix) -> [Float] {
    targets[index].forward(concatenated(observations, actions)).scalars
  }

  /// One MSE regression step of every critic towards `targets` (topology update included). Returns the summed
  /// loss of the critics and the mean Q of critic 1 before the step.
  func update(observations: Matrix, actions: Matrix, targets y: [Float]) -> (loss: Float, qMean: Float) {
    let x = concatenated(observations, actions)
    var totalLoss: Float = 0
    var qMean: Float = 0
    for (network, optimizer) in zip(online, optimizers) {
      network.model.zeroGradients()
      let q = network.model.forward(x)
      if network === online[0] { qMean = q.scalars.reduce(0, +) / Float(max(q.count, 1)) }
      totalLoss += ValueLoss.mse.evaluate(predictions: q.scalars, targets: y, gradient: &lossGradient)
      network.model.accumulateParameterGradients(from: Matrix(rows: 1, columns: q.columns, scalars: lossGradient))
      if network.afterBackward() { optimizer.step() }
    }
    return (totalLoss, qMean)
  }

  /// Q-values of online critic `index` (0 or 1) at `inputs` (remembered for `actionGradient`).
  func q(_ index: Int, inputs: Matrix) -> [Float] { online[index].model.forward(inputs).scalars }

  /// The gradient with respect to the action rows of the last `q(index, ...)` inputs, for the output gradient
  /// `outputGradient` (per sample). The critic's parameter gradients are not touched. The result is kept in
  /// storage of critic `index` that the next call for that critic rewrites (no allocation per call once it has
  /// the batch's size): read it before then.
  func actionGradient(_ index: Int, outputGradient: [Float]) -> Matrix {
    let dx = online[index].model.backward(
      Matrix(rows: 1, columns: outputGradient.count, scalars: outputGradient), accumulateParameterGradients: false)
    let offset = observationWidth * dx.columns
    actionGradients[index].prepare(rows: actionWidth, columns: dx.columns)
    actionGradients[index].scalars.withUnsafeMutableBufferPointer { actionRows in
      dx.scalars.withUnsafeBufferPointer { inputRows in
        for k in 0..<actionRows.count { actionRows[k] = inputRows[offset + k] }
      }
    }
    return actionGradients[index]
  }

  /// The online critics for the diagnostics and ReDo: inputs `concat(observations, actions)`, loss the update's
  /// MSE towards `targets` on the chosen samples.
  func diagnosed(observations: Matrix, actions: Matrix, targets y: [Float]) -> [DiagnosedNetwork] {
    let x = TwinCritics.inputs(observations: observations, actions: actions)
    return online.enumerated().map { index, network in
      DiagnosedNetwork(role: "critic\(index + 1)", model: network.model, inputs: x) { samples in
        network.model.zeroGradients()
        let q = network.model.forward(x.selectingColumns(samples))
        let (_, gradient) = ValueLoss.mse.evaluate(predictions: q.scalars, targets: samples.map { y[$0] })
        _ = network.model.backward(
          Matrix(rows: 1, columns: q.columns, scalars: gradient), accumulateParameterGradients: true)
      }
    }
  }

  /// Polyak-averages every target towards its online critic (masks follow the online ones).
  func updateTargets(tau: Float) {
    for (target, network) in zip(targets, online) {
      TargetUpdate.polyak(target: target, online: network.model, tau: tau)
    }
  }

  /// Networks, targets and optimizers.
  func archive() throws -> BinaryArchive {
    var archive = BinaryArchive()
    for index in 0..<online.count {
      archive["critic\(index + 1)"] = .archive(try online[index].archive())
      archive["critic\(index + 1)_target"] = .archive(NetworkArchive.archive(of: targets[index]))
      archive["critic\(index + 1)_optimizer"] = .archive(optimizers[index].archive())
    }
    return archive
  }

  /// Restores what `archive()` saved.
  func load(_ archive: BinaryArchive) throws {
    for index in 0..<online.count {
      try online[index].load(archive.archive("critic\(index + 1)"))
      try NetworkArchive.load(archive.archive("critic\(index + 1)_target"), into: targets[index])
      try optimizers[index].load(from: archive.archive("critic\(index + 1)_optimizer"))
    }
  }
}
