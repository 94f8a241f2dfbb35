import Foundation
import SparseRLAgents
import SparseRLEnvironments
import Yams

/// A resolved, validated experiment: the run settings, the agent's kind, the resolved configuration text (saved
/// with the run) and a way to build the agent.
public struct Experiment {
  /// Settings that do not depend on the agent.
  public let run: RunSettings
  /// The kind of agent.
  public let kind: AgentKind
  /// The configuration after every layer and override, as YAML: loading it alone gives this experiment again.
  public let resolvedYAML: String
  /// What the configuration was made from, in order: `preset <name>`, `built-in default`, `file <path>` and
  /// `--set <key=value>` (written at the top of a run's `config.yaml`, read by `sparserl show`).
  public let madeFrom: [String]
  private let build: (@escaping () throws -> any Environment, UInt64, Int) throws -> any Agent

  /// Builds the agent, training on environments made by `makeEnvironment`.
  public func makeAgent(makeEnvironment: @escaping () throws -> any Environment) throws -> any Agent {
    try build(makeEnvironment, UInt64(run.seed), run.totalSteps)
  }

  /// A training environment factory for this experiment's environment id.
  public func makeTrainingEnvironment() throws -> any Environment {
    try EnvironmentRegistry.make(run.environment)
  }

  /// `config.yaml` of a run: `madeFrom` as comment lines (`ConfigProvenance`), then `resolvedYAML`.
  public var configFileText: String { ConfigProvenance.header(madeFrom) + resolvedYAML }

  /// One layer of configuration text and where it came from (a file path, `built-in default`, ...).
  public struct Layer {
    /// The YAML text.
    public var yaml: String
    /// Where it came from, for messages: a file path, `built-in default`, ...
    public var source: String
    /// The preset name it was found under (`rlx2/td3-hopper`), or `built-in default`; nil for a file given by
    /// its path.
    public var preset: String?
    /// A layer of `yaml` from `source`, found as `preset` when it is one.
    public init(yaml: String, source: String, preset: String? = nil) {
      self.yaml = yaml
      self.source = source
      self.preset = preset
    }
  }

  /// Resolves `layers` (applied in order) and `overrides` (`key=value`, applied last) into an experiment.
  /// All mistakes are reported together as a `ConfigError`.
  public static func resolve(layers: [Layer], overrides: [String]) throws -> Experiment {
    let kind = try agentKind(layers: layers, overrides: overrides)
    guard let settingsType = AgentCatalog.configurations[kind] else {
      throw ConfigError(issues: [
        ConfigIssue(source: "config", key: "agent", message: "agent '\(kind.rawValue)' is not available in this build")
      ])
    }
    return try resolve(settingsType, layers: layers, overrides: overrides)
  }

  /// Resolves the layers for a known agent configuration type.
  public static func resolve<Settings: AgentConfiguration>(
    _ type: Settings.Type, layers: [Layer], overrides: [String]
  ) throws -> Experiment {
    var tree = try ConfigTree(defaults: ExperimentConfig<Settings>())
    for layer in layers { tree.apply(yaml: layer.yaml, source: layer.source) }
    for override in overrides { tree.apply(override: override) }
    let config = try tree.decode(ExperimentConfig<Settings>.self)
    let settings = config.settings
    return Experiment(
      run: config.run, kind: Settings.kind, resolvedYAML: try tree.yaml(),
      madeFrom: layers.map { layer in layer.preset.map { ConfigProvenance.preset($0) } ?? "file \(layer.source)" }
        + overrides.map { "--set \($0)" },
      build: { makeEnvironment, seed, totalSteps in
        try settings.makeAgent(makeEnvironment: makeEnvironment, seed: seed, totalSteps: totalSteps)
      })
  }

  /// The `agent` named by the last layer or override that names one (`td3` when none does).
  static func agentKind(layers: [Layer], overrides: [String]) throws -> AgentKind {
    var name: (value: String, source: String)? = nil
    for layer in layers {
      if let mapping = (try? Yams.compose(yaml: layer.yaml))??.mapping, let value = mapping["agent"]?.string {
        name = (value, layer.source)
      }
    }
    for override in overrides where override.hasPrefix("agent=") {
      name = (String(override.dropFirst("agent=".count)), "--set \(override)")
    }
    guard let name else { return .td3 }
    guard let kind = AgentKind(rawValue: name.value) else {
      let allowed = AgentKind.allCases.map(\.rawValue).joined(separator: ", ")
      throw ConfigError(issues: [
        ConfigIssue(source: name.source, key: "agent", message: "expected one of \(allowed), got '\(name.value)'")
      ])
    }
    return kind
  }
}

/// The configuration types of the agents compiled into this build, by kind.
public enum AgentCatalog {
  /// The configuration type of each agent kind.
  public static let configurations: [AgentKind: any AgentConfiguration.Type] = [
    .dqn: DQNConfig.self, .ppo: PPOConfig.self, .sac: SACConfig.self, .td3: TD3Config.self, .ddpg: DDPGConfig.self,
    .streamAC: StreamACConfig.self, .streamQ: StreamQConfig.self,
  ]
}
