import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

@Suite struct DQNTests {
  @Test func doubleDQNTakesTheArgmaxFromTheOnlineNetworkAndTheValueFromTheTarget() {
    // Columns are samples, rows actions.
    let nextTargetQ = Matrix([[1, 5, 7], [3, 2, -1]])
    let nextOnlineQ = Matrix([[4, 0, 9], [0, 1, 8]])
    let rewards: [Float] = [1, 2, 0.5]
    let discounts: [Float] = [0.9, 0.5, 0]  // the third sample ended at a terminal
    let plain = DQNTarget.targets(
      rewards: rewards, bootstrapDiscounts: discounts, nextTargetQ: nextTargetQ, nextOnlineQ: nil)
    // Plain: max of the target network: 1 + 0.9 * 3, 2 + 0.5 * 5, 0.5 + 0.
    let expectedPlain: [Float] = [1 + 0.9 * 3, 2 + 0.5 * 5, 0.5]
    #expect(plain == expectedPlain)
    let double = DQNTarget.targets(
      rewards: rewards, bootstrapDiscounts: discounts, nextTargetQ: nextTargetQ, nextOnlineQ: nextOnlineQ)
    // Double: online argmax is action 0 for sample 0 (4 > 0) and action 1 for sample 1 (1 > 0), valued by the
    // target network: 1 + 0.9 * 1, 2 + 0.5 * 2; the terminal sample still bootstraps nothing.
    let expectedDouble: [Float] = [1 + 0.9 * 1, 2 + 0.5 * 2, 0.5]
    #expect(double == expectedDouble)
  }

  @Test func nStepTargetsStopAtATerminalAndBootstrapAtATruncation() {
    let buffer = ReplayBuffer(capacity: 16, observationWidth: 1, actionWidth: 1)
    // Episode A: observations 0, 1, 2 (final 3), rewards 1, 2, 4, terminated. Slots 0...3.
    for (t, reward) in [Float(1), 2, 4].enumerated() {
      buffer.add(
        observation: [Float(t)], action: 0, reward: reward, nextObservation: [Float(t + 1)], terminated: t == 2,
        truncated: false)
    }
    // Episode B: observations 100, 101, 102 (final 103), rewards 8, 16, 32, truncated. Slots 4...7.
    for (t, reward) in [Float(8), 16, 32].enumerated() {
      buffer.add(
        observation: [Float(100 + t)], action: 1, reward: reward, nextObservation: [Float(101 + t)],
        terminated: false, truncated: t == 2)
    }
    let gamma: Float = 0.5
    let batch = buffer.window(slots: [1, 5, 4], steps: 3, gamma: gamma, includeIntermediate: false)
    // A Q-function of the next observation o with values [o, 2 o]: its maximum is 2 o.
    let next = batch.nextObservations.row(0)
    let nextTargetQ = Matrix([next, next.map { 2 * $0 }])
    let targets = DQNTarget.targets(
      rewards: batch.rewards, bootstrapDiscounts: batch.bootstrapDiscounts, nextTargetQ: nextTargetQ,
      nextOnlineQ: nil)
    // From observation 1: 2 + 0.5 * 4, then the terminal: no bootstrap.
    #expect(targets[0] == 4)
    // From 101: 16 + 0.5 * 32, truncated after two steps: bootstrap 0.25 * max Q(103) = 0.25 * 206.
    #expect(next[1] == 103)
    let bootstrapped: [Float] = [32 + 0.25 * 206, 24 + 0.125 * 206]
    #expect(targets[1] == bootstrapped[0])
    // From 100: 8 + 0.5 * 16 + 0.25 * 32 = 24, three steps ending at the truncation: + 0.125 * 206.
    #expect(next[2] == 103)
    #expect(targets[2] == bootstrapped[1])
  }

  @Test func huberAndMSEGradientsFlowOnlyThroughTheTakenActions() {
    // Q-values [3 actions x 2 samples]; sample 0 took action 2 (error +0.5), sample 1 action 0 (error -3).
    let values = Matrix([[1, 2], [7, 7], [1.5, 9]])
    let actions = [2, 0]
    let targets: [Float] = [1, 5]
    let mse = DQNLoss.evaluate(values: values, actions: actions, targets: targets, loss: .mse)
    #expect(mse.loss == (0.25 + 9) / 2)
    #expect(mse.outputGradient == Matrix([[0, -3], [0, 0], [0.5, 0]]))  // 2 d / batch
    let huber = DQNLoss.evaluate(values: values, actions: actions, targets: targets, loss: .huber)
    #expect(huber.loss == (0.125 + 2.5) / 2)
    #expect(huber.outputGradient == Matrix([[0, -0.5], [0, 0], [0.25, 0]]))  // d / batch inside, sign / batch out
    #expect(mse.meanQ == (1.5 + 2) / 2)
    // Both gradients agree with central differences of their losses.
    for kind in [ValueLoss.mse, .huber] {
      let analytic = DQNLoss.evaluate(values: values, actions: actions, targets: targets, loss: kind).outputGradient
      for k in 0..<values.count {
        var plus = values
        plus.scalars[k] += 1e-2
        var minus = values
        minus.scalars[k] -= 1e-2
        let numeric =
          (DQNLoss.evaluate(values: plus, actions: actions, targets: targets, loss: kind).loss
            - DQNLoss.evaluate(values: minus, actions: actions, targets: targets, loss: kind).loss) / 2e-2
        #expect(abs(numeric - analytic.scalars[k]) < 1e-3, "\(kind) entry \(k)")
      }
    }
  }

  @Test func epsilonIsOneDuringWarmUpThenDecaysLinearly() throws {
    var config = DQNConfig()
    config.network = NetworkArchitecture(hiddenSizes: [8])
    config.learningStarts = 10
    config.epsilonStart = 1
    config.epsilonEnd = 0.1
    config.explorationFraction = 0.5  // half of the 100 post-warm-up steps
    let agent = try DQNAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 0, totalSteps: 110)
    #expect(agent.epsilon(atStep: 0) == 1)
    #expect(agent.epsilon(atStep: 9) == 1)
    #expect(agent.epsilon(atStep: 10) == 1)
    #expect(abs(agent.epsilon(atStep: 35) - 0.55) < 1e-12)
    #expect(abs(agent.epsilon(atStep: 60) - 0.1) < 1e-12)
    #expect(agent.epsilon(atStep: 109) == 0.1)
  }

  @Test func rejectsContinuousActionsAndInvalidSettings() throws {
    #expect(throws: AgentError.self) {
      try DQNAgent(config: DQNConfig(), environment: EnvironmentRegistry.make("Pendulum-v1"), seed: 0, totalSteps: 10)
    }
    var config = DQNConfig()
    config.batchSize = 0
    config.tau = 2
    #expect {
      try DQNAgent(config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 0, totalSteps: 10)
    } throws: { error in
      let issues = (error as? ConfigError)?.issues.map(\.key) ?? []
      return issues.contains("agent.batch_size") && issues.contains("agent.tau")
    }
  }

  /// Trains 250 steps (the replay ring wraps, RigL updates the mask, the target is updated), saves, restores
  /// into an agent built with another seed, and continues 250 steps in both: same metrics, same state.
  @Test func saveAndRestoreContinueExactly() throws {
    var config = DQNConfig()
    config.network = NetworkArchitecture(hiddenSizes: [32, 32])
    config.sparsity.method = .rigl
    config.sparsity.sparsity = 0.5
    config.sparsity.updateInterval = 20
    config.batchSize = 16
    config.bufferSize = 150
    config.learningStarts = 50
    config.targetUpdateInterval = 30
    config.nSteps = 3
    config.doubleDQN = true
    config.maxGradientNorm = 10
    config.logInterval = 25
    var topologyUpdatesAtSave = 0
    let run = try continueFromSavedState(
      before: 250, after: 250, atSave: { topologyUpdatesAtSave = $0.q.topologyUpdates }
    ) {
      seed in
      try DQNAgent(config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: seed, totalSteps: 500)
    }
    let (agent, restored, first) = (run.original, run.restored, run.originalMetrics)
    #expect(agent.q.topologyUpdates > topologyUpdatesAtSave)
    #expect(first.records.count > 10)
    #expect(first.records.contains { $0.group == .episode })
    #expect(NetworkArchive.archive(of: agent.q.model) == NetworkArchive.archive(of: restored.q.model))
    #expect(NetworkArchive.archive(of: agent.target) == NetworkArchive.archive(of: restored.target))
  }

  /// MinAtar frames (boolean observations) are stored as bits and feed the MinAtar CNN; a short sparse run
  /// trains with finite losses.
  @Test func minAtarCNNTrainsFromBitPackedReplay() throws {
    var config = DQNConfig()
    config.network.kind = .minatarCNN
    config.sparsity.method = .set
    config.sparsity.sparsity = 0.8
    config.sparsity.updateInterval = 10
    config.bufferSize = 1000
    config.batchSize = 8
    config.learningStarts = 20
    config.logInterval = 10
    let environment = try EnvironmentRegistry.make("MinAtar/Breakout-v1")
    guard case .box(let box) = environment.observationSpace else { throw AgentError.invalidState("not a box") }
    let agent = try DQNAgent(config: config, environment: environment, seed: 1, totalSteps: 60)
    #expect(agent.replay.byteCount < config.bufferSize * (box.count / 8 + 8 + 8))  // bits, not floats
    let sink = RecordingMetricsSink()
    for _ in 0..<60 { try agent.trainStep(metrics: sink) }
    let losses = sink.records.filter { $0.group == .train }.compactMap { $0.values["loss"] }
    #expect(losses.count == 4 && losses.allSatisfy(\.isFinite))
    #expect(agent.q.topologyUpdates == 4)
  }

  @Test func replayBufferArchiveRoundTripsAndRejectsAnotherLayout() throws {
    let buffer = ReplayBuffer(capacity: 5, observationWidth: 3, observationEncoding: .bit, actionWidth: 1)
    for t in 0..<7 {
      buffer.add(
        observation: [1, 0, Float(t % 2)], action: t, reward: Float(t), nextObservation: [0, 1, Float((t + 1) % 2)],
        terminated: t == 3, truncated: false)
    }
    let copy = ReplayBuffer(capacity: 5, observationWidth: 3, observationEncoding: .bit, actionWidth: 1)
    try copy.load(BinaryArchive(decoding: buffer.archive().encoded()))
    #expect(copy.count == buffer.count)
    var a = RandomGenerator(seed: 3)
    var b = RandomGenerator(seed: 3)
    let x = buffer.sample(batchSize: 8, steps: 2, gamma: 0.9, using: &a)
    let y = copy.sample(batchSize: 8, steps: 2, gamma: 0.9, using: &b)
    #expect(x.observations == y.observations && x.nextObservations == y.nextObservations)
    #expect(x.rewards == y.rewards && x.bootstrapDiscounts == y.bootstrapDiscounts && x.actions == y.actions)
    let other = ReplayBuffer(capacity: 6, observationWidth: 3, observationEncoding: .bit, actionWidth: 1)
    #expect(throws: ArchiveError.self) { try other.load(buffer.archive()) }
  }
}
