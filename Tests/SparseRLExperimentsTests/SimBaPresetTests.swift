import Foundation
import SparseRLAgents
import Testing

@testable import SparseRLExperiments

@Suite struct SimBaPresetTests {
  /// Every SimBa-SAC preset (`dmc/sac-*`, `simba/sac-*`) holds exactly the recipe in code (`SACConfig.simba()`),
  /// so the files cannot drift from it.
  @Test func simbaPresetsMatchTheRecipeInCode() throws {
    let names = Presets.names().filter { $0.hasPrefix("dmc/sac-") || $0.hasPrefix("simba/sac-") }
    #expect(names.count == 13)
    for name in names {
      var tree = try ConfigTree(defaults: ExperimentConfig<SACConfig>())
      let layer = try Presets.layer(name)
      tree.apply(yaml: layer.yaml, source: layer.source)
      let config = try tree.decode(ExperimentConfig<SACConfig>.self)
      #expect(config.settings == SACConfig.simba(), "\(name)")
    }
  }

  /// Every SimBa-DDPG preset (`simba/ddpg-*`) holds exactly the recipe in code (`DDPGConfig.simba()`).
  @Test func simbaDDPGPresetsMatchTheRecipeInCode() throws {
    let names = Presets.names().filter { $0.hasPrefix("simba/ddpg-") }
    #expect(names.count == 5)
    for name in names {
      var tree = try ConfigTree(defaults: ExperimentConfig<DDPGConfig>())
      let layer = try Presets.layer(name)
      tree.apply(yaml: layer.yaml, source: layer.source)
      let config = try tree.decode(ExperimentConfig<DDPGConfig>.self)
      #expect(config.settings == DDPGConfig.simba(), "\(name)")
    }
  }

  /// The shared recipe is the same in both agents (up to the agents' own default minimum for RLx2's dynamic
  /// replay capacity, which the recipe leaves alone).
  @Test func simbaRecipesShareTheirOffPolicySettings() {
    let ddpg = DDPGConfig.simba(criticWidth: 2048)
    var sac = SACConfig.simba(criticWidth: 2048).shared
    sac.replay.minCapacity = ddpg.replay.minCapacity
    #expect(ddpg.shared == sac)
    #expect(DDPGConfig.simba().critic.simbaWidth == 512 && DDPGConfig.simba().updatesPerStep == 2)
    #expect(DDPGConfig.simba().algorithm == DDPGSettings())
  }

  /// A DDPG experiment resolves from `agent: ddpg` and builds a DDPG agent.
  @Test func ddpgIsAnAgentOfExperiments() throws {
    let experiment = try Experiment.resolve(
      layers: [.init(yaml: "agent: ddpg\nenvironment: Pendulum-v1", source: "test")],
      overrides: ["ddpg.replay.capacity=1000", "ddpg.replay.min_capacity=100", "ddpg.updates_per_step=2"])
    let agent = try experiment.makeAgent(makeEnvironment: experiment.makeTrainingEnvironment)
    let ddpg = try #require(agent as? DDPGAgent)
    #expect(ddpg.config.updatesPerStep == 2)
  }
}
