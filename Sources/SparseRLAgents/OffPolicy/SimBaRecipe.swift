extension OffPolicySettings {
  /// What SimBa-SAC and SimBa-DDPG of "Network Sparsity Unlocks the Scaling Potential of Deep RL" (Ma et al.
  /// 2025) share: SimBa actor `actorWidth` x `actorBlocks` and SimBa critics `criticWidth` x `criticBlocks`
  /// (orthogonal heads, gain 1), AdamW (decoupled weight decay 1e-2, masked weights stay 0) at learning rate
  /// 1e-4 for actor and critics, tau 0.005, gamma 0.99, batch 256, 2 updates per environment step after 5,000
  /// random steps, running observation normalisation, a 1e6 replay ring. Dense: the paper's sparsity is
  /// `actor_sparsity`/`critic_sparsity` (static, ERK).
  mutating func applySimBaRecipe(actorWidth: Int, actorBlocks: Int, criticWidth: Int, criticBlocks: Int) {
    func network(width: Int, blocks: Int) -> NetworkArchitecture {
      var architecture = NetworkArchitecture()
      architecture.kind = .simba
      architecture.simbaWidth = width
      architecture.simbaBlocks = blocks
      architecture.initialization = .orthogonal
      architecture.outputGain = 1
      return architecture
    }
    actor = network(width: actorWidth, blocks: actorBlocks)
    critic = network(width: criticWidth, blocks: criticBlocks)
    actorLearningRate = 1e-4
    criticLearningRate = 1e-4
    weightDecay = 1e-2
    weightDecayKind = .decoupled
    updatesPerStep = 2
    warmupSteps = 5000
    normalizeObservations = true
    replay.capacity = 1_000_000
  }
}

extension OffPolicyConfig where Algorithm == SACSettings {
  /// SAC on SimBa networks as "Network Sparsity Unlocks the Scaling Potential of Deep RL" trains it (Ma et al.
  /// 2025; `configs/dmc/sac-*` and `configs/simba/sac-*` hold it, tested against this): the shared SimBa recipe
  /// (`OffPolicySettings.applySimBaRecipe`: SimBa actor `actorWidth` x `actorBlocks`, twin SimBa critics
  /// `criticWidth` x `criticBlocks`, AdamW 1e-4 with decay 1e-2, batch 256, 2 updates per environment step after
  /// 5,000 random steps, running observation normalisation, a 1e6 replay ring), temperature learning rate 1e-4,
  /// alpha0 = 0.01 tuned towards -|A|/2, log sigma = -10 + 12 (1 + tanh(raw)) / 2.
  public static func simba(
    actorWidth: Int = 128, actorBlocks: Int = 1, criticWidth: Int = 512, criticBlocks: Int = 2
  ) -> SACConfig {
    var config = SACConfig()
    config.shared.applySimBaRecipe(
      actorWidth: actorWidth, actorBlocks: actorBlocks, criticWidth: criticWidth, criticBlocks: criticBlocks)
    config.temperatureLearningRate = 1e-4
    config.initialTemperature = 0.01
    config.targetEntropyScale = 0.5
    config.minLogStd = -10
    config.maxLogStd = 2
    return config
  }
}

extension OffPolicyConfig where Algorithm == DDPGSettings {
  /// DDPG on SimBa networks, the scaling paper's other agent (`configs/simba/ddpg-*` hold it, tested against
  /// this): the shared SimBa recipe of `SACConfig.simba` (`OffPolicySettings.applySimBaRecipe`) with DDPG's one
  /// critic and Gaussian exploration noise 0.1 (`DDPGSettings`' default).
  public static func simba(
    actorWidth: Int = 128, actorBlocks: Int = 1, criticWidth: Int = 512, criticBlocks: Int = 2
  ) -> DDPGConfig {
    var config = DDPGConfig()
    config.shared.applySimBaRecipe(
      actorWidth: actorWidth, actorBlocks: actorBlocks, criticWidth: criticWidth, criticBlocks: criticBlocks)
    return config
  }
}
