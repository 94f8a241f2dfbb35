import Foundation
import SparseRLAgents
import Testing

@testable import SparseRLExperiments

private let mujocoDimensions: [String: (observations: Int, actions: Int)] = [
  "halfcheetah": (17, 6), "hopper": (11, 3), "walker2d": (17, 6), "ant": (105, 8),
]
private let publishedSparsities: [String: [String: (actor: Double, critic: Double)]] = [
  "td3": ["halfcheetah": (0.90, 0.85), "hopper": (0.98, 0.95), "walker2d": (0.97, 0.95), "ant": (0.96, 0.88)],
  "sac": ["halfcheetah": (0.90, 0.80), "hopper": (0.98, 0.95), "walker2d": (0.90, 0.90), "ant": (0.90, 0.75)],
]

private func decode<Settings: AgentConfiguration>(_ type: Settings.Type, _ names: [String]) throws -> ExperimentConfig<
  Settings
> {
  var tree = try ConfigTree(defaults: ExperimentConfig<Settings>())
  for name in names {
    let layer = try Presets.layer(name)
    tree.apply(yaml: layer.yaml, source: layer.source)
  }
  return try tree.decode(ExperimentConfig<Settings>.self)
}

/// The configuration with the drop/grow settings of dense networks reset: they have no effect, and an overlay that
/// turns a sparse preset dense keeps them from the preset.
private func withInertSettingsCleared<A>(_ config: OffPolicyConfig<A>) -> OffPolicyConfig<A> {
  var result = config
  if result.actorSparsity.method == .dense { result.actorSparsity = NetworkSparsity() }
  if result.criticSparsity.method == .dense { result.criticSparsity = NetworkSparsity() }
  return result
}

@Suite struct PresetTests {
  /// Every preset resolves: task presets alone, overlays on a task preset of their agent.
  @Test func everyPresetResolves() throws {
    let names = Presets.names()
    #expect(names.count >= 50)
    for name in names {
      var layers = [name]
      if name.hasPrefix("rlx2/baselines/") {
        let algorithm = name.contains("/td3-") ? "td3" : "sac"
        let task = mujocoDimensions.keys.first { name.contains("-\($0)-") } ?? "halfcheetah"
        layers = ["rlx2/\(algorithm)-\(task)", name]
      } else if name.hasPrefix("sparse-training/methods/") {
        let agent = String(name.dropFirst("sparse-training/methods/".count).prefix(3))
        layers = ["sparse-training/\(agent)-\(agent == "dqn" ? "cartpole" : "hopper")", name]
      } else if name.hasPrefix("atari/methods/") || name.hasPrefix("atari/noise/") {
        layers = ["atari/dqn-pong", name]
      }
      #expect(throws: Never.self, "\(layers)") {
        try Experiment.resolve(layers: layers.map(Presets.layer), overrides: [])
      }
    }
  }

  /// The RLx2 presets and the paper's baselines equal the recipe in code (`OffPolicyConfig.variant`) at the
  /// published sparsities, so the files cannot drift from it.
  @Test func rlx2PresetsMatchTheRecipeInCode() throws {
    for (task, dimensions) in mujocoDimensions {
      let td3 = publishedSparsities["td3"]![task]!
      let sac = publishedSparsities["sac"]![task]!
      func expectVariant<A>(
        _ type: OffPolicyConfig<A>.Type, _ algorithm: String, _ level: (actor: Double, critic: Double)
      ) throws {
        let base = "rlx2/\(algorithm)-\(task)"
        let cases: [(SparseTrainingVariant, [String])] = [
          (.rlx2, [base]), (.tiny, [base, "rlx2/baselines/\(algorithm)-\(task)-tiny"]),
          (.static, [base, "rlx2/baselines/\(algorithm)-static"]), (.set, [base, "rlx2/baselines/\(algorithm)-set"]),
          (.rigl, [base, "rlx2/baselines/\(algorithm)-rigl"]), (.dense, [base, "rlx2/baselines/\(algorithm)-dense"]),
        ]
        for (variant, layers) in cases {
          let expected = OffPolicyConfig<A>().variant(
            variant, actorSparsity: level.actor, criticSparsity: level.critic,
            observationWidth: dimensions.observations, actionWidth: dimensions.actions)
          #expect(
            withInertSettingsCleared(try decode(OffPolicyConfig<A>.self, layers).settings)
              == withInertSettingsCleared(expected),
            "\(layers)")
        }
      }
      try expectVariant(TD3Config.self, "td3", td3)
      try expectVariant(SACConfig.self, "sac", sac)
    }
  }

  /// The State of Sparse Training method overlays carry the paper's best sweep settings for SAC.
  @Test func sparseTrainingSACOverlaysCarryTheSweepSettings() throws {
    let expected: [String: (weightDecay: Double, interval: Int, dropFraction: Double, aware: Bool)] = [
      "rigl": (1e-6, 1000, 0.5, true), "set": (1e-4, 250, 0.3, true), "static": (1e-4, 1000, 0.5, false),
    ]
    for (method, settings) in expected {
      let config = try decode(SACConfig.self, ["sparse-training/sac-hopper", "sparse-training/methods/sac-\(method)"])
      #expect(config.settings.weightDecay == settings.weightDecay)
      for network in [config.settings.actorSparsity, config.settings.criticSparsity] {
        #expect(network.method.rawValue == method && network.sparsity == 0.9)
        #expect(network.sparsityAwareInit == settings.aware)
        if method != "static" {
          #expect(network.updateInterval == settings.interval && network.dropFraction == settings.dropFraction)
        }
      }
    }
  }

  @Test func aMistakeInARealConfigurationNamesTheKeyAndWhereItCameFrom() throws {
    let layer = try Presets.layer("rlx2/td3-hopper")
    let error = try #require(throws: ConfigError.self) {
      try Experiment.resolve(
        layers: [layer],
        overrides: ["td3.actor_sparsity.sparsity=1.5", "td3.actor_sparsity.method=rigll", "td3.batchsize=64"])
    }
    let text = error.description
    #expect(text.contains("td3.batchsize: unknown key; did you mean 'td3.batch_size'?"))
    #expect(text.contains("--set td3.actor_sparsity.method=rigll: td3.actor_sparsity.method: expected one of"))
    #expect(
      text.contains("--set td3.actor_sparsity.sparsity=1.5: td3.actor_sparsity.sparsity: must be in [0, 1), got 1.5"))
    let missing = try #require(throws: ConfigError.self) { try Presets.layer("rlx2/td3-hoper") }
    #expect(missing.description.contains("did you mean rlx2/td3-hopper"))
  }
}
