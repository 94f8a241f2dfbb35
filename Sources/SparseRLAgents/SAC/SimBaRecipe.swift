extension OffPolicyConfig where Algorithm == SACSettings {
  /// SAC on SimBa networks as "Network Sparsity Unlocks the Scaling Potential of Deep RL" trains it (Ma et al.
  /// 2025; `configs/dmc/sac-*` and `configs/simba/sac-*` hold it, tested against this): SimBa actor
  /// `actorWidth` x `actorBlocks` and twin SimBa critics `criticWidth` x `criticBlocks` (orthogonal heads, gain
  /// 1), AdamW (decoupled weight decay 1e-2, masked weights stay 0) at learning rate 1e-4 for actor, critics and
  /// temperature, alpha0 = 0.01 tuned towards -|A|/2, log sigma = -10 + 12 (1 + tanh(raw)) / 2, tau 0.005,
  /// gamma 0.99, batch 256, 2 updates per environment step after 5,000 random steps, running observation
  /// normalisation, a 1e6 replay ring. Dense: the paper's sparsity is `actor_sparsity`/`critic_sparsity`
  /// (static, ERK).
  public static func simba(
    actorWidth: Int = 128, actorBlocks: Int = 1, criticWidth: Int = 512, criticBlocks: Int = 2
  ) -> SACConfig {
    var config = SACConfig()
    func network(width: Int, blocks: Int) -> NetworkArchitecture {
      var architecture = NetworkArchitecture()
      architecture.kind = .simba
      architecture.simbaWidth = width
      architecture.simbaBlocks = blocks
      architecture.initialization = .orthogonal
      architecture.outputGain = 1
      return architecture
    }
    config.actor = network(width: actorWidth, blocks: actorBlocks)
    config.critic = network(width: criticWidth, blocks: criticBlocks)
    config.actorLearningRate = 1e-4
    config.criticLearningRate = 1e-4
    config.temperatureLearningRate = 1e-4
    config.weightDecay = 1e-2
    config.weightDecayKind = .decoupled
    config.initialTemperature = 0.01
    config.targetEntropyScale = 0.5
    config.minLogStd = -10
    config.maxLogStd = 2
    config.updatesPerStep = 2
    config.warmupSteps = 5000
    config.normalizeObservations = true
    config.replay.capacity = 1_000_000
    return config
  }
}
