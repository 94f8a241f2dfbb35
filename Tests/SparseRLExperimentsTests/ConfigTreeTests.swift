import SparseRLAgents
import Testing

@testable import SparseRLExperiments

private struct OptimizerSection: Codable, Equatable, ConfigValidatable {
  var learningRate: Double = 3e-4
  var betas: [Double] = [0.9, 0.999]
  func validate(path: String, issues: inout [ConfigIssue]) {
    check(learningRate > 0, path, "learning_rate", "must be positive, got \(learningRate)", &issues)
  }
}

private enum Method: String, ConfigChoice { case dense, rigl }

private struct SampleConfig: Codable, Equatable, ConfigValidatable {
  var environment = "CartPole-v1"
  var method = Method.dense
  var totalSteps = 100_000
  var useDoubleQ = true
  var hiddenSizes = [256, 256]
  var optimizer = OptimizerSection()
  func validate(path: String, issues: inout [ConfigIssue]) {
    check(totalSteps > 0, path, "total_steps", "must be positive, got \(totalSteps)", &issues)
    optimizer.validate(path: "optimizer", issues: &issues)
  }
}

@Suite struct ConfigTreeTests {
  @Test func defaultsRoundTripAndOverridesApply() throws {
    var tree = try ConfigTree(defaults: SampleConfig())
    tree.apply(
      yaml: """
        total_steps: 5000
        optimizer:
          learning_rate: 0.001
        hidden_sizes: [64, 32, 16]
        """, source: "run.yaml")
    tree.apply(override: "environment=Acrobot-v1")
    tree.apply(override: "optimizer.betas=[0.5, 0.9]")
    let config = try tree.decode(SampleConfig.self)
    var expected = SampleConfig()
    expected.environment = "Acrobot-v1"
    expected.totalSteps = 5000
    expected.hiddenSizes = [64, 32, 16]
    expected.optimizer.learningRate = 0.001
    expected.optimizer.betas = [0.5, 0.9]
    #expect(config == expected)
    // The resolved YAML decodes to the same value.
    var again = try ConfigTree(defaults: SampleConfig())
    again.apply(yaml: try tree.yaml(), source: "resolved.yaml")
    #expect(try again.decode(SampleConfig.self) == expected)
  }

  @Test func unknownKeyNamesClosestValidKeys() throws {
    var tree = try ConfigTree(defaults: SampleConfig())
    tree.apply(yaml: "optimizer:\n  learning_rat: 0.1\nlearning_rate: 0.2\n", source: "exp.yaml")
    let error = try #require(throws: ConfigError.self) { try tree.decode(SampleConfig.self) }
    #expect(error.issues.count == 2)
    #expect(error.issues[0].source == "exp.yaml" && error.issues[0].line == 2)
    #expect(error.issues[0].key == "optimizer.learning_rat")
    #expect(error.issues[0].message.contains("'optimizer.learning_rate'"))
    #expect(error.issues[1].key == "learning_rate")
    #expect(error.issues[1].message.contains("did you mean 'optimizer.learning_rate'"))
  }

  @Test func wrongTypesAreAllReportedTogether() throws {
    var tree = try ConfigTree(defaults: SampleConfig())
    tree.apply(
      yaml: """
        total_steps: lots
        use_double_q: maybe
        hidden_sizes: [64, wide]
        optimizer: fast
        """, source: "bad.yaml")
    tree.apply(override: "total_steps=1.5")
    let error = try #require(throws: ConfigError.self) { try tree.decode(SampleConfig.self) }
    let messages = error.issues.map(\.description)
    #expect(error.issues.count == 5)
    #expect(messages[0] == "bad.yaml:1: total_steps: expected an integer, got 'lots'")
    #expect(messages[1] == "bad.yaml:2: use_double_q: expected true or false, got 'maybe'")
    #expect(messages[2].contains("hidden_sizes: list elements must be an integer, got 'wide'"))
    #expect(messages[3].contains("optimizer: expected a section with keys learning_rate, betas"))
    #expect(messages[4].hasPrefix("--set total_steps=1.5") && messages[4].contains("expected an integer"))
  }

  @Test func outOfRangeValuesAreReportedWithTheirKeys() throws {
    var tree = try ConfigTree(defaults: SampleConfig())
    tree.apply(yaml: "environment: Pong\ntotal_steps: -3\n", source: "exp.yaml")
    tree.apply(override: "optimizer.learning_rate=0")
    let error = try #require(throws: ConfigError.self) { try tree.decode(SampleConfig.self) }
    #expect(error.issues.map(\.key) == ["total_steps", "optimizer.learning_rate"])
    #expect(error.issues[0].description == "exp.yaml:2: total_steps: must be positive, got -3")
    #expect(error.issues[1].source == "--set optimizer.learning_rate=0")
  }

  @Test func unknownChoicesRangeErrorsAndUnknownKeysAreReportedTogether() throws {
    var tree = try ConfigTree(defaults: SampleConfig())
    tree.apply(yaml: "method: rgl\ntotal_steps: 0\nbogus: 1\n", source: "exp.yaml")
    let error = try #require(throws: ConfigError.self) { try tree.decode(SampleConfig.self) }
    #expect(
      error.issues.map(\.description) == [
        "exp.yaml:3: bogus: unknown key",
        "exp.yaml:1: method: expected one of dense, rigl, got 'rgl'",
        "exp.yaml:2: total_steps: must be positive, got 0",
      ])
    tree.apply(override: "method=rigl")
    tree.apply(override: "total_steps=5")
    #expect(throws: ConfigError.self) { try tree.decode(SampleConfig.self) }  // bogus is still there
  }

  @Test func malformedOverrideAndYamlAreReported() throws {
    var tree = try ConfigTree(defaults: SampleConfig())
    tree.apply(override: "total_steps")
    tree.apply(yaml: "a: [unclosed", source: "broken.yaml")
    let error = try #require(throws: ConfigError.self) { try tree.decode(SampleConfig.self) }
    #expect(error.issues.count == 2)
    #expect(error.issues[0].message == "expected key=value")
    #expect(error.issues[1].message.hasPrefix("not valid YAML"))
  }

  @Test func keySpellingConverts() {
    #expect(ConfigTree.snakeCase("learningRate") == "learning_rate")
    #expect(ConfigTree.camelCase("learning_rate") == "learningRate")
    #expect(ConfigTree.camelCase(ConfigTree.snakeCase("deltaTUpdates")) == "deltaTUpdates")
  }
}
