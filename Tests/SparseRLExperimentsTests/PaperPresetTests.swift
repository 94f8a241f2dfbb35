import Foundation
import SparseRLAgents
import SparseRLEnvironments
import Testing

@testable import SparseRLExperiments

/// The agent settings of the presets `names` (applied in order over the defaults).
private func settings<Settings: AgentConfiguration>(_ type: Settings.Type, _ names: [String]) throws -> Settings {
  var tree = try ConfigTree(defaults: ExperimentConfig<Settings>())
  for name in names {
    let layer = try Presets.layer(name)
    tree.apply(yaml: layer.yaml, source: layer.source)
  }
  return try tree.decode(ExperimentConfig<Settings>.self).settings
}

/// Each paper's presets against that paper's code, with the published values written out here (not read from
/// the code under test): The State of Sparse Training's from google-research/rigl (`rigl/rl`), RLx2's from
/// tyq1024/RLx2.
@Suite struct PaperPresetTests {
  /// Classic-control DQN: MLP 2x512, Adam 1e-3, batch 128, replay 1e5, 1,000 random steps then a constant
  /// epsilon 0.01, hard target update every 100 steps, MSE, Dopamine's Keras initialisation, L2 on the kernels;
  /// RigL/SET updates end at 75% of training, and so does pruning.
  @Test func stateOfSparseTrainingDQN() throws {
    for task in ["cartpole", "acrobot", "mountaincar"] {
      let dqn = try settings(DQNConfig.self, ["sparse-training/dqn-\(task)"])
      #expect(dqn.network.hiddenSizes == [512, 512] && dqn.network.initialization == .dopamine)
      #expect(dqn.learningRate == 1e-3 && dqn.batchSize == 128 && dqn.bufferSize == 100_000)
      #expect(dqn.learningStarts == 1000 && dqn.epsilonStart == 0.01 && dqn.epsilonEnd == 0.01)
      #expect(dqn.targetUpdateInterval == 100 && dqn.tau == 1 && dqn.gamma == 0.99 && dqn.loss == .mse)
      #expect(dqn.weightDecayKind == .kernelL2)
      for method in ["rigl", "set"] {
        let sparse = try settings(
          DQNConfig.self, ["sparse-training/dqn-\(task)", "sparse-training/methods/dqn-\(method)"])
        #expect(sparse.sparsity.updateEndFraction == 0.75 && sparse.weightDecay == 1e-6, "\(method)")
        #expect(sparse.sparsity.updateInterval == 1000 && sparse.sparsity.dropFraction == 0.5)
      }
      let pruning = try settings(
        DQNConfig.self, ["sparse-training/dqn-\(task)", "sparse-training/methods/dqn-pruning"])
      #expect(pruning.sparsity.pruningEndFraction == 0.75 && pruning.sparsity.pruningFrequency == 1000)
    }
    // The constant epsilon in action: 1 during the random steps, 0.01 from then on.
    let agent = try DQNAgent(
      config: try settings(DQNConfig.self, ["sparse-training/dqn-cartpole"]),
      environment: EnvironmentRegistry.make("CartPole-v1"), seed: 0, totalSteps: 100_000)
    #expect(agent.epsilon(atStep: 999) == 1)
    #expect([1000, 5000, 99_999].allSatisfy { abs(agent.epsilon(atStep: $0) - 0.01) < 1e-12 })
  }

  /// MuJoCo SAC: rewards scaled by 0.1, target entropy -|A|/2, dense L2 1e-4 on the kernels, 1,000 (Hopper,
  /// Walker2d, Humanoid) or 10,000 (HalfCheetah, Ant) random steps, replay 1e6; RigL/SET updates end at 80%.
  @Test func stateOfSparseTrainingSAC() throws {
    let warmup = ["hopper": 1000, "walker2d": 1000, "humanoid": 1000, "halfcheetah": 10_000, "ant": 10_000]
    for (task, steps) in warmup {
      let sac = try settings(SACConfig.self, ["sparse-training/sac-\(task)"])
      #expect(sac.rewardScale == 0.1 && sac.targetEntropyScale == 0.5, "\(task)")
      #expect(sac.weightDecay == 1e-4 && sac.weightDecayKind == .kernelL2)
      #expect(sac.warmupSteps == steps && sac.replay.capacity == 1_000_000 && !sac.replay.dynamicCapacity)
      #expect(sac.batchSize == 256 && sac.actorLearningRate == 3e-4 && sac.tau == 0.005 && sac.gamma == 0.99)
    }
    for method in ["rigl", "set"] {
      let sparse = try settings(
        SACConfig.self, ["sparse-training/sac-hopper", "sparse-training/methods/sac-\(method)"])
      #expect(sparse.actorSparsity.updateEndFraction == 0.8 && sparse.criticSparsity.updateEndFraction == 0.8)
      #expect(sparse.weightDecayKind == .kernelL2)
    }
    let pruning = try settings(SACConfig.self, ["sparse-training/sac-hopper", "sparse-training/methods/sac-pruning"])
    #expect(pruning.criticSparsity.pruningEndFraction == 0.8)
  }

  /// MuJoCo PPO: no value-loss clipping, L2 on the kernels, RigL/SET updates and pruning end at about 77%.
  @Test func stateOfSparseTrainingPPO() throws {
    for task in ["hopper", "walker2d", "halfcheetah", "ant", "humanoid"] {
      let ppo = try settings(PPOConfig.self, ["sparse-training/ppo-\(task)"])
      #expect(!ppo.clipValueLoss && ppo.weightDecayKind == .kernelL2, "\(task)")
      #expect(ppo.numSteps == 2048 && ppo.updateEpochs == 10 && ppo.minibatchSize == 64 && ppo.clipCoefficient == 0.2)
    }
    for method in ["rigl", "set"] {
      let sparse = try settings(
        PPOConfig.self, ["sparse-training/ppo-hopper", "sparse-training/methods/ppo-\(method)"])
      #expect(sparse.actorSparsity.updateEndFraction == 0.77 && sparse.criticSparsity.updateEndFraction == 0.77)
    }
    let pruning = try settings(PPOConfig.self, ["sparse-training/ppo-hopper", "sparse-training/methods/ppo-pruning"])
    #expect(pruning.actorSparsity.pruningEndFraction == 0.77 && pruning.criticSparsity.pruningEndFraction == 0.77)
  }

  /// RLx2: warm-up transitions store the random action taken; RLx2 and every sparse baseline start from the
  /// largest-magnitude mask; the baselines drop RLx2's value-learning parts.
  @Test func rlx2PresetsFollowTheAuthorsCode() throws {
    for algorithm in ["td3", "sac"] {
      for task in ["hopper", "walker2d", "halfcheetah", "ant"] {
        let base = "rlx2/\(algorithm)-\(task)"
        func check<A>(_ type: OffPolicyConfig<A>.Type) throws {
          let rlx2 = try settings(type, [base])
          #expect(rlx2.replay.dynamicCapacity && rlx2.replay.warmupStoredAction == .taken, "\(base)")
          #expect(rlx2.nStep == 3 && rlx2.nStepDelay == 300_000 && rlx2.warmupSteps == 25_000)
          #expect(rlx2.actorSparsity.initialMask == .largestMagnitude && rlx2.actorSparsity.updateInterval == 10_000)
          for baseline in ["static", "set", "rigl"] {
            let config = try settings(type, [base, "rlx2/baselines/\(algorithm)-\(baseline)"])
            #expect(config.actorSparsity.method.rawValue == baseline, "\(base) \(baseline)")
            #expect(config.actorSparsity.initialMask == .largestMagnitude)
            #expect(config.criticSparsity.initialMask == .largestMagnitude)
            #expect(config.nStep == 1 && !config.replay.dynamicCapacity)
          }
        }
        if algorithm == "td3" { try check(TD3Config.self) } else { try check(SACConfig.self) }
      }
    }
  }
}
