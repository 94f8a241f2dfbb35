import Foundation
import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// The options that reproduce the papers' code (see the presets in `configs/sparse-training` and `configs/rlx2`).
@Suite struct PaperOptionTests {
  /// A two-layer network with known weights, biases and gradients.
  func network() -> (model: Sequential, kernels: [Parameter], biases: [Parameter]) {
    var random = RandomGenerator(seed: 2)
    let first = Linear(inFeatures: 3, outFeatures: 4, random: &random)
    let second = Linear(inFeatures: 4, outFeatures: 1, random: &random)
    let model = Sequential([first, ReLU(), second])
    for parameter in model.parameters {
      for k in 0..<parameter.value.count { parameter.gradient[k] = Float(k % 3) * 0.1 - 0.1 }
    }
    return (model, [first.weight, second.weight], [first.bias!, second.bias!])
  }

  /// `kernel_l2` is Adam on the gradient plus `2 lambda w` of the kernels only (Keras `L2(lambda)`);
  /// `coupled` adds `lambda p` to every parameter; `decoupled` is AdamW.
  @Test func weightDecayKindsDecayWhatTheirCodeDecays() {
    let lambda: Float = 0.05
    let l2 = network()
    let reference = network()
    for kernel in reference.kernels {
      for k in 0..<kernel.value.count { kernel.gradient[k] += 2 * lambda * kernel.value[k] }
    }
    makeAdam(
      parameters: l2.model.parameters, kernels: l2.kernels, learningRate: 0.01, weightDecay: lambda, kind: .kernelL2
    ).step()
    Adam(parameters: reference.model.parameters, learningRate: 0.01).step()
    #expect(l2.model.parameters.map(\.value) == reference.model.parameters.map(\.value))

    let coupled = network()
    let coupledReference = network()
    for parameter in coupledReference.model.parameters {
      for k in 0..<parameter.value.count { parameter.gradient[k] += lambda * parameter.value[k] }
    }
    makeAdam(
      parameters: coupled.model.parameters, kernels: coupled.kernels, learningRate: 0.01, weightDecay: lambda,
      kind: .coupled
    ).step()
    Adam(parameters: coupledReference.model.parameters, learningRate: 0.01).step()
    #expect(coupled.model.parameters.map(\.value) == coupledReference.model.parameters.map(\.value))
    // The biases differ between the two: only `coupled` decays them.
    #expect(l2.biases.map(\.value) != coupled.biases.map(\.value))

    let decoupled = network()
    let optimizer = makeAdam(
      parameters: decoupled.model.parameters, kernels: decoupled.kernels, learningRate: 0.01, weightDecay: lambda,
      kind: .decoupled)
    #expect(optimizer is AdamW)
  }

  /// `reward_scale` multiplies the stored rewards (the State of Sparse Training's SAC: 0.1).
  @Test func rewardScaleScalesTheStoredRewards() throws {
    func rewards(scale: Double) throws -> [Float] {
      var config = smallSACConfig()
      config.rewardScale = scale
      let agent = try SACAgent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 4, totalSteps: 100)
      for _ in 0..<10 { try agent.trainStep(metrics: DiscardingMetricsSink()) }
      return Array(agent.core.buffer.rewards[0..<10])
    }
    let plain = try rewards(scale: 1)
    let scaled = try rewards(scale: 0.1)
    #expect(plain.allSatisfy { $0 < 0 })
    for (p, s) in zip(plain, scaled) { #expect(abs(s - Float(0.1 * Double(p))) <= 1e-6 * abs(p)) }
  }

  /// RLx2's stored action of a warm-up transition: the random action taken (the authors' code) or the untrained
  /// actor's noise-free action; after the warm-up both store the noise-free action.
  @Test func warmupStoredActionIsTheTakenOrTheNoiseFreeAction() throws {
    for choice in [WarmupStoredAction.taken, .noiseFree] {
      var config = smallTD3Config()
      config.replay.dynamicCapacity = true
      config.replay.warmupStoredAction = choice
      let agent = try TD3Agent(
        config: config, environment: try EnvironmentRegistry.make("Pendulum-v1"), seed: 6, totalSteps: 100)
      // The first update comes with the last warm-up step, so the warm-up is checked before it.
      let warmup = config.warmupSteps - 1
      for _ in 0..<warmup { try agent.trainStep(metrics: DiscardingMetricsSink()) }
      let stored = agent.core.buffer.oldestTransitions(warmup)
      let noiseFree = agent.noiseFreeActions(stored.observations)
      #expect(stored.actions.columns == warmup)
      let taken = (0..<warmup).allSatisfy { stored.policyActions[0, $0] == stored.actions[0, $0] }
      let policy = (0..<warmup).allSatisfy { abs(stored.policyActions[0, $0] - noiseFree[0, $0]) < 1e-6 }
      #expect(choice == .taken ? taken && !policy : policy && !taken, "\(choice)")
      // After the warm-up both store the noise-free action of the actor at the time of the step.
      try agent.trainStep(metrics: DiscardingMetricsSink())  // the last warm-up step
      for _ in 0..<5 {
        let expected = agent.noiseFreeActions(agent.core.column(agent.core.training.observation))
        try agent.trainStep(metrics: DiscardingMetricsSink())
        let newest = agent.core.buffer.oldestTransitions(agent.core.buffer.count)
        #expect(abs(newest.policyActions[0, newest.policyActions.columns - 1] - expected[0, 0]) < 1e-6)
      }
    }
  }

  /// The rigl code's classic-control DQN initialisation: He truncated-normal hidden kernels with zero biases,
  /// output kernel in U(-0.03, 0.03), output bias -0.2.
  @Test func dopamineInitialisation() throws {
    var architecture = NetworkArchitecture(hiddenSizes: [64, 64])
    architecture.initialization = .dopamine
    var random = RandomGenerator(seed: 1)
    let model = try architecture.build(inputShape: [4], outputs: 2, random: &random)
    let linears = model.maskableLayers.map { $0.layer as! Linear }
    #expect(linears.count == 3)
    let output = linears[2]
    #expect(output.bias!.value == [-0.2, -0.2])
    #expect(output.weight.value.allSatisfy { abs($0) <= 0.03 } && output.weight.value.contains { abs($0) > 0.01 })
    for hidden in linears[0..<2] {
      #expect(hidden.bias!.value.allSatisfy { $0 == 0 })
      // Keras' truncated normal: a normal of std sqrt(2 / fan_in) / 0.8796 cut at two of its standard
      // deviations, so that the values' standard deviation is sqrt(2 / fan_in).
      let target = (2 / Float(hidden.weight.columns)).squareRoot()
      #expect(hidden.weight.value.allSatisfy { abs($0) <= 2 * target / 0.8796 * 1.0001 })
      let std = (hidden.weight.value.reduce(0) { $0 + $1 * $1 } / Float(hidden.weight.value.count)).squareRoot()
      #expect(abs(std - target) < 0.15 * target)
    }
  }
}
