import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

@Suite struct StreamingTests {
  @Test func sparseInitZeroesTheStatedFractionOfEachUnitsIncomingWeights() {
    var random = RandomGenerator(seed: 4)
    let network = StreamingNetworkSettings().build(inputs: 17, outputs: 6, random: &random)
    let linears = network.layers.compactMap { $0 as? Linear }
    #expect(linears.map(\.outFeatures) == [128, 128, 6])
    #expect(network.layers[1] is LayerNorm && (network.layers[1] as! LayerNorm).isAffine == false)
    #expect(network.layers[2] is LeakyReLU)
    for linear in linears {
      let fanIn = linear.inFeatures
      let zeros = Int((0.9 * Double(fanIn)).rounded(.up))
      let bound = 1 / Float(fanIn).squareRoot()
      #expect(!linear.weight.isSparse)  // trainable zeros, not a mask
      for row in 0..<linear.outFeatures {
        let values = linear.weight.value[(row * fanIn)..<((row + 1) * fanIn)]
        #expect(values.filter { $0 == 0 }.count == zeros)
        #expect(values.allSatisfy { abs($0) <= bound })
      }
      #expect(linear.bias!.value.allSatisfy { $0 == 0 })
    }
  }

  /// The policy-objective gradient against float64 central differences of
  /// `log N(a; mu, softplus(rho)) + c * sign * H`.
  @Test func policyGradientMatchesFiniteDifferences() {
    let output = Matrix(rows: 4, columns: 2, scalars: [0.3, -0.5, 1.2, 0.1, -0.7, 0.4, 2.0, -1.5])
    let actions = Matrix(rows: 2, columns: 2, scalars: [0.1, 0.9, 1.5, -2.0])
    let signs: [Float] = [1, -1]
    let c = 0.05
    let gradient = StreamACAgent.policyObjectiveGradient(
      output: output, actions: actions, signs: signs, entropyCoefficient: Float(c), weight: 1)
    func objective(_ o: [Double], column b: Int) -> Double {
      var total = 0.0
      for j in 0..<2 {
        let mu = o[j * 2 + b]
        let rho = o[(2 + j) * 2 + b]
        let sigma = log(1 + exp(rho))
        let a = Double(actions[j, b])
        total += -(a - mu) * (a - mu) / (2 * sigma * sigma) - log(sigma) - 0.5 * log(2 * Double.pi)
        total += c * Double(signs[b]) * (0.5 + 0.5 * log(2 * Double.pi) + log(sigma))
      }
      return total
    }
    let base = output.scalars.map(Double.init)
    for k in 0..<base.count {
      var plus = base
      var minus = base
      plus[k] += 1e-6
      minus[k] -= 1e-6
      let b = k % 2
      let numeric = (objective(plus, column: b) - objective(minus, column: b)) / 2e-6
      #expect(abs(Double(gradient.scalars[k]) - numeric) < 1e-4 * max(1, abs(numeric)))
    }
  }

  @Test func staticMaskStaysZeroWhileStreaming() throws {
    var config = StreamQConfig()
    config.sparsity = NetworkSparsity(method: .static, sparsity: 0.8)
    config.sparsity.distribution = .uniform
    let agent = try StreamQAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 2, totalSteps: 2000)
    let patterns = agent.q.model.parameters.map(\.pattern)
    let sparsity = agent.q.currentSparsity
    #expect(abs(sparsity - 0.8) < 0.01)
    try trainAgent(agent, steps: 2000)
    #expect(agent.q.model.parameters.map(\.pattern) == patterns)
    #expect(agent.q.currentSparsity == sparsity)
    // The dense view has exactly zero at every inactive position.
    for parameter in agent.q.model.parameters where parameter.isSparse {
      let dense = parameter.denseValue()
      for (k, active) in parameter.mask.enumerated() where !active { #expect(dense.scalars[k] == 0) }
    }
  }

  @Test func topologyMethodsThatNeedABatchAreRejected() {
    var config = StreamACConfig()
    config.criticSparsity = NetworkSparsity(method: .rigl, sparsity: 0.9)
    var issues: [ConfigIssue] = []
    config.validate(path: "stream_ac", issues: &issues)
    #expect(issues.map(\.key) == ["stream_ac.critic_sparsity.method"])
    #expect(issues.first?.message.contains("rigl") == true)
  }

  @Test func streamQContinuesExactlyWithDiagnosticsAndReDo() throws {
    var config = StreamQConfig()
    config.network.hiddenSizes = [32, 32]
    config.diagnostics.interval = 150
    config.diagnostics.perSampleGradients = 4
    config.diagnosticsWindow = 64
    config.redo.interval = 100
    config.logInterval = 50
    let run = try continueFromSavedState(before: 230, after: 400) { seed in
      try StreamQAgent(
        config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: seed, totalSteps: 5000)
    }
    let diagnostics = run.originalMetrics.train("q/srank")
    #expect(diagnostics.map(\.step) == [300, 450, 600])
    #expect(diagnostics.allSatisfy { $0.value >= 1 && $0.value <= 32 })
    #expect(run.originalMetrics.train("q/grad_norm").allSatisfy { $0.value > 0 && $0.value.isFinite })
  }

  @Test func streamACContinuesExactlyWithDiagnosticsAndReDo() throws {
    var config = StreamACConfig()
    config.actorNetwork.hiddenSizes = [32, 32]
    config.criticNetwork.hiddenSizes = [32, 32]
    config.criticSparsity = NetworkSparsity(method: .static, sparsity: 0.5)
    config.diagnostics.interval = 150
    config.diagnostics.perSampleGradients = 4
    config.diagnosticsWindow = 64
    config.redo.interval = 100
    config.logInterval = 50
    let run = try continueFromSavedState(before: 230, after: 400) { seed in
      try StreamACAgent(
        config: config, environment: EnvironmentRegistry.make("Pendulum-v1"), seed: seed, totalSteps: 5000)
    }
    #expect(run.originalMetrics.train("actor/dormant_0.1").map(\.step) == [300, 450, 600])
    #expect(run.originalMetrics.train("critic/interference").count == 3)
    #expect(run.originalMetrics.train("td_error").count == 8)
  }
}

/// Streaming agents learn within a fixed-seed budget (release learning tests).
@Suite(.serialized) struct StreamingLearningTests {
  @Test func streamQLearnsCartPole() throws {
    var config = StreamQConfig()
    config.network.hiddenSizes = [32, 32]
    config.diagnostics.interval = 0
    let budget = 100_000
    let agent = try StreamQAgent(
      config: config, environment: EnvironmentRegistry.make("CartPole-v1"), seed: 1, totalSteps: budget)
    let start = Date()
    let result = try trainUntil(
      agent, id: "CartPole-v1", threshold: 475, maxSteps: budget, interval: 5000, episodes: 10)
    print("Stream Q CartPole: \(result) in \(Date().timeIntervalSince(start)) s")
    #expect(result.best >= 475)
  }

  @Test func streamACLearnsPendulum() throws {
    var config = StreamACConfig()
    config.diagnostics.interval = 0
    let budget = 100_000
    let agent = try StreamACAgent(
      config: config, environment: EnvironmentRegistry.make("Pendulum-v1"), seed: 1, totalSteps: budget)
    let start = Date()
    let result = try trainUntil(
      agent, id: "Pendulum-v1", threshold: -300, maxSteps: budget, interval: 5000, episodes: 5)
    print("Stream AC Pendulum: \(result) in \(Date().timeIntervalSince(start)) s")
    #expect(result.best >= -300)
  }
}
