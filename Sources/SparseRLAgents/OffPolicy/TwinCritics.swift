import SparseRLNetworks
import SparseRLNumerics

/// The twin Q-networks of TD3 and SAC (DDPG: one) with their target networks and optimizers.
///
/// Each critic maps `concat(s, a)` (observation rows, then normalised action rows, feature-major) to one
/// Q-value, has its own `SparseNetwork` (masks and topology schedule, one update per critic update), its own
/// Adam, and a target network that follows the online mask (`TargetUpdate.polyak` adopts the online layout).
final class TwinCritics: ConcurrentTasks {
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
  /// Per critic: the loss and mean Q of an `update`.
  private let lossesAndMeans: CriticSlots<(loss: Float, qMean: Float)>
  /// Per critic: the Q-values of `targetValues` and `twinQ`.
  private let values: CriticSlots<[Float]>
  /// Per critic: the action gradient of `twinActionGradients`.
  private let actionGradients: CriticSlots<Matrix>
  /// Per critic: the storage its update and action gradient reuse (each critic's own, so that the two can run
  /// side by side).
  private let scratch: [CriticScratch]
  /// What the critics compute side by side during `runSideBySide` (`.none` otherwise).
  private var work = Work.none

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
    targets = online.map { $0.model.copy() }
    optimizers = online.map {
      makeAdam(
        for: $0, learningRate: Float(settings.criticLearningRate), weightDecay: Float(settings.weightDecay),
        kind: settings.weightDecayKind)
    }
    self.observationWidth = observationWidth
    self.actionWidth = actionWidth
    lossesAndMeans = CriticSlots(count: count)
    values = CriticSlots(count: count)
    actionGradients = CriticSlots(count: count)
    scratch = (0..<count).map { _ in CriticScratch() }
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

  /// `Q1'(s, a)` and `Q2'(s, a)` of the target critics, per sample (side by side on the kernel threads).
  func targetValues(observations: Matrix, actions: Matrix) -> (q1: [Float], q2: [Float]) {
    runSideBySide(.targetValues(inputs: concatenated(observations, actions)))
    return (values.take(0), values.take(1))
  }

  /// `Q'(s, a)` of target critic `index`, per sample.
  func targetValue(_ index: Int, observations: Matrix, actions: Matrix) -> [Float] {
    targets[index].forward(concatenated(observations, actions)).scalars
  }

  /// One MSE regression step of every critic towards `targets` (topology update included). Returns the summed
  /// loss of the critics and the mean Q of critic 1 before the step.
  ///
  /// The critics are independent, so they update side by side on the kernel threads (the same result for every
  /// thread count).
  func update(observations: Matrix, actions: Matrix, targets y: [Float]) -> (loss: Float, qMean: Float) {
    runSideBySide(.update(inputs: concatenated(observations, actions), targets: y))
    var totalLoss: Float = 0
    var qMean: Float = 0
    for index in 0..<online.count {
      let result = lossesAndMeans.take(index)
      totalLoss += result.loss
      if index == 0 { qMean = result.qMean }
    }
    return (totalLoss, qMean)
  }

  /// One MSE regression step of critic `index` towards `y` at `x`: its loss and its mean Q before the step.
  private func updateCritic(_ index: Int, inputs x: Matrix, targets y: [Float]) -> (loss: Float, qMean: Float) {
    let network = online[index]
    network.model.zeroGradients()
    let q = network.model.forward(x)
    let qMean = q.scalars.reduce(0, +) / Float(max(q.count, 1))
    let scratch = scratch[index]
    let loss = ValueLoss.mse.evaluate(predictions: q.scalars, targets: y, gradient: &scratch.lossGradient)
    network.model.accumulateParameterGradients(
      from: Matrix(rows: 1, columns: q.columns, scalars: scratch.lossGradient))
    if network.afterBackward() { optimizers[index].step() }
    return (loss, qMean)
  }

  /// Q-values of online critic `index` (0 or 1) at `inputs` (remembered for `actionGradient`).
  func q(_ index: Int, inputs: Matrix) -> [Float] { online[index].model.forward(inputs).scalars }

  /// `q` of both online critics (remembered for `twinActionGradients`), side by side on the kernel threads.
  func twinQ(inputs: Matrix) -> (q1: [Float], q2: [Float]) {
    runSideBySide(.values(inputs: inputs))
    return (values.take(0), values.take(1))
  }

  /// `actionGradient` of both online critics for their output gradients `q1` and `q2`, side by side on the
  /// kernel threads.
  func twinActionGradients(q1: [Float], q2: [Float]) -> (Matrix, Matrix) {
    runSideBySide(.actionGradients(q1: q1, q2: q2))
    return (actionGradients.take(0), actionGradients.take(1))
  }

  /// The gradient with respect to the action rows of the last `q(index, ...)` inputs, for the output gradient
  /// `outputGradient` (per sample). The critic's parameter gradients are not touched. The result is kept in
  /// storage of critic `index` that the next call for that critic rewrites (no allocation per call once it has
  /// the batch's size): read it before then.
  func actionGradient(_ index: Int, outputGradient: [Float]) -> Matrix {
    let dx = online[index].model.backward(
      Matrix(rows: 1, columns: outputGradient.count, scalars: outputGradient), accumulateParameterGradients: false)
    let offset = observationWidth * dx.columns
    let scratch = scratch[index]
    scratch.actionGradient.prepare(rows: actionWidth, columns: dx.columns)
    scratch.actionGradient.scalars.withUnsafeMutableBufferPointer { actionRows in
      dx.scalars.withUnsafeBufferPointer { inputRows in
        for k in 0..<actionRows.count { actionRows[k] = inputRows[offset + k] }
      }
    }
    return scratch.actionGradient
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

  /// Polyak-averages every target towards its online critic (masks follow the online ones), side by side on the
  /// kernel threads.
  func updateTargets(tau: Float) {
    runSideBySide(.polyak(tau: tau))
  }

  // MARK: Side by side

  /// What the critics compute side by side, one task per critic.
  private enum Work {
    case none
    /// Each target critic's values at the inputs, into `values`.
    case targetValues(inputs: Matrix)
    /// `updateCritic` of each critic, into `lossesAndMeans`.
    case update(inputs: Matrix, targets: [Float])
    /// `q` of each online critic, into `values`.
    case values(inputs: Matrix)
    /// `actionGradient` of each critic for its output gradient, into `actionGradients`.
    case actionGradients(q1: [Float], q2: [Float])
    /// Polyak averaging of each target.
    case polyak(tau: Float)
  }

  /// Runs `work` for every critic side by side on the kernel threads (`KernelThreads.concurrentForEach`), then
  /// forgets it, so that no buffer it names stays referenced.
  private func runSideBySide(_ work: Work) {
    self.work = work
    KernelThreads.concurrentForEach(online.count, self)
    self.work = .none
  }

  /// Critic `index`'s part of the current `work`: it writes only that critic's networks, optimizer, scratch
  /// and result slots.
  func runTask(_ index: Int) {
    switch work {
    case .none: preconditionFailure("TwinCritics: no side-by-side work")
    case .targetValues(let x): values.store(targets[index].forward(x).scalars, at: index)
    case .update(let x, let y): lossesAndMeans.store(updateCritic(index, inputs: x, targets: y), at: index)
    case .values(let x): values.store(q(index, inputs: x), at: index)
    case .actionGradients(let q1, let q2):
      actionGradients.store(actionGradient(index, outputGradient: index == 0 ? q1 : q2), at: index)
    case .polyak(let tau): TargetUpdate.polyak(target: targets[index], online: online[index].model, tau: tau)
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

/// The storage one critic's update and action gradient reuse between calls.
final class CriticScratch {
  /// The MSE's gradient with respect to the Q-values in `update`.
  var lossGradient: [Float] = []
  /// The result of `actionGradient`.
  var actionGradient = Matrix(rows: 0, columns: 0)
}

/// One value per critic, each written by the thread that computed it (`TwinCritics.runTask`), then read back on
/// the calling thread. Taking a value clears its slot, so no slot keeps a layer's output buffer alive (which
/// would make the layer's next write copy it).
final class CriticSlots<Value> {
  private let slots: UnsafeMutableBufferPointer<Value?>

  /// Slots for `count` critics.
  init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil)
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  /// Keeps `value` in slot `index`.
  func store(_ value: Value, at index: Int) { slots[index] = value }

  /// The value of slot `index`, which the slot then forgets.
  func take(_ index: Int) -> Value {
    guard let value = slots[index] else { preconditionFailure("critic slot \(index) holds no value") }
    slots[index] = nil
    return value
  }
}
