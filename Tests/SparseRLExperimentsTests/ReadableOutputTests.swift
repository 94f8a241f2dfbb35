import Foundation
import SparseRLAgents
import SparseRLTestSupport
import Testing
import Yams

@testable import SparseRLExperiments

/// The number of significant digits of a decimal text (`0.0050` -> 1, `1.25e-5` -> 3, `100.0` -> 1).
private func significantDigits(_ text: String) -> Int {
  let mantissa = text.split(separator: "e").first.map(String.init) ?? text
  let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }
  return max(String(digits.reversed()).drop { $0 == "0" }.count, 1)
}

/// Checks `text` reads back as `value` and that no decimal with fewer significant digits does (C's correctly
/// rounded `%.*e` is the independent reference), and that it is written the way people write numbers.
private func expectShortAndExact(_ text: String, _ value: Double, _ context: String) {
  #expect(Node(text).float == value, "\(context): '\(text)' reads back as \(String(describing: Node(text).float))")
  let digits = significantDigits(text)
  if digits > 1 {
    let shorter = String(format: "%.*e", digits - 2, value)
    #expect(Double(shorter) != value, "\(context): '\(text)' is not the shortest form ('\(shorter)' also reads back)")
  }
  // Plain decimals from 1e-4 up; otherwise YAML 1.1's float form (PyYAML reads `1e-5` as a string): a dot in
  // the mantissa and a signed exponent without leading zeros (`1.0e-5`, `2.5e-8`, `1.0e+20`).
  #expect(!text.contains("E"), "\(context): '\(text)'")
  if abs(value) >= 1e-4 && abs(value) < 1e15 { #expect(!text.contains("e"), "\(context): '\(text)'") }
  if let marker = text.firstIndex(of: "e") {
    let exponent = text[text.index(after: marker)...]
    #expect(text[..<marker].contains("."), "\(context): '\(text)' has no dot in its mantissa")
    #expect(
      (exponent.first == "-" || exponent.first == "+") && exponent.dropFirst().first != "0",
      "\(context): '\(text)' has an unsigned exponent or one with a leading zero")
  }
}

/// A number of a written configuration: its path (mapping keys and sequence indices joined by "/"), its text
/// and its value as Yams reads it.
private struct WrittenNumber {
  var path: String
  var text: String
  var value: Double
}

/// Every number of a resolved configuration is written short and exact; the text resolves to the same
/// configuration and is a fixed point (resolving it again writes the same text, as resuming needs).
@discardableResult
private func expectNumbersRoundTrip<Settings: AgentConfiguration>(
  _ type: Settings.Type, layers: [Experiment.Layer], overrides: [String], _ context: String
) throws -> (yaml: String, numbers: [WrittenNumber]) {
  var tree = try ConfigTree(defaults: ExperimentConfig<Settings>())
  for layer in layers { tree.apply(yaml: layer.yaml, source: layer.source) }
  for override in overrides { tree.apply(override: override) }
  let config = try tree.decode(ExperimentConfig<Settings>.self)
  let yaml = try tree.yaml()
  let kinds = try ValueKindRecorder.kinds(of: ExperimentConfig<Settings>())
  var numbers: [WrittenNumber] = []
  // `path` names a value's kind (sequence elements as "[]"), `place` the value itself (with their indices).
  func visit(_ node: Node, _ path: [String], _ place: [String]) {
    switch node {
    case .mapping(let mapping):
      for (key, value) in mapping { visit(value, path + [key.string ?? ""], place + [key.string ?? ""]) }
    case .sequence(let sequence):
      for (index, element) in sequence.enumerated() { visit(element, path + ["[]"], place + [String(index)]) }
    default:
      guard kinds[path.joined(separator: ".")] == .number, let text = node.string else { return }
      guard let value = node.float else {
        Issue.record("\(context): \(path.joined(separator: ".")) = '\(text)' is not a number")
        return
      }
      expectShortAndExact(text, value, "\(context) \(path.joined(separator: "."))")
      numbers.append(WrittenNumber(path: place.joined(separator: "/"), text: text, value: value))
    }
  }
  visit(try #require(try Yams.compose(yaml: yaml)), [], [])
  #expect(numbers.count >= 5, "\(context): only \(numbers.count) numbers")
  var again = try ConfigTree(defaults: ExperimentConfig<Settings>())
  again.apply(yaml: yaml, source: "resolved")
  #expect(try again.decode(ExperimentConfig<Settings>.self) == config, "\(context)")
  #expect(try again.yaml() == yaml, "\(context)")
  return (yaml, numbers)
}

/// The written configurations of every agent's defaults, every preset (overlays on a task preset of their agent)
/// and awkward overrides, each checked by `expectNumbersRoundTrip`.
private func everyWrittenConfiguration() throws -> [(context: String, yaml: String, numbers: [WrittenNumber])] {
  var written: [(context: String, yaml: String, numbers: [WrittenNumber])] = []
  for kind in AgentKind.allCases {
    let type = try #require(AgentCatalog.configurations[kind])
    let (yaml, numbers) = try expectNumbersRoundTrip(
      type, layers: [.init(yaml: "agent: \(kind.rawValue)", source: "test")], overrides: [], kind.rawValue)
    written.append((kind.rawValue, yaml, numbers))
  }
  let presets = try Presets.names().sorted().map { ($0, try Presets.layer($0).yaml) }
  for (name, yaml) in presets {
    // An overlay (a preset without `agent:`, such as a method or a noise regime) goes on top of a preset of its
    // family ("rlx2", "atari", ...) that selects the agent of its section.
    var names = [name]
    if !yaml.split(separator: "\n").contains(where: { $0.hasPrefix("agent:") }) {
      let section = try #require(
        AgentKind.allCases.map(\.rawValue).first { kind in
          yaml.split(separator: "\n").contains { $0.hasPrefix("\(kind):") }
        }, "\(name): an overlay without an agent section")
      let family = name.prefix { $0 != "/" }
      let base = try #require(
        presets.first { other in
          other.0.hasPrefix(family + "/") && other.1.split(separator: "\n").contains("agent: \(section)")
        }, "\(name): no \(family)/ preset with agent: \(section) to put it on")
      names = [base.0, name]
    }
    let layers = try names.map(Presets.layer)
    let kind = try Experiment.agentKind(layers: layers, overrides: [])
    let type = try #require(AgentCatalog.configurations[kind])
    let context = names.joined(separator: " + ")
    let (yaml, numbers) = try expectNumbersRoundTrip(type, layers: layers, overrides: [], context)
    written.append((context, yaml, numbers))
  }
  let (yaml, numbers) = try expectNumbersRoundTrip(
    SACConfig.self, layers: [try Presets.layer("sparse-training/sac-hopper")],
    overrides: [
      "sac.tau=0.30000000000000004", "sac.gamma=0.999999999", "sac.actor_learning_rate=1e-05",
      "sac.weight_decay=0.0000001", "sac.critic_learning_rate=3", "final_score_fraction=1e-2",
    ], "awkward overrides")
  written.append(("awkward overrides", yaml, numbers))
  return written
}

/// The values of `numbersAreWrittenAsPeopleWriteThem`: the issue's examples with their expected texts, then
/// awkward values (shortest forms of many digits, extremes, subnormals).
private let exampleNumbers: [(Double, String)] = [
  (0.99, "0.99"), (0.005, "0.005"), (0.5, "0.5"), (1, "1.0"), (1e-5, "1.0e-5"), (3e-4, "0.0003"),
  (1e-6, "1.0e-6"), (2.5e-8, "2.5e-8"), (0, "0.0"), (-3.75, "-3.75"), (1e20, "1.0e+20"), (100, "100.0"),
  (.infinity, ".inf"), (-.infinity, "-.inf"),
]
private let awkwardNumbers: [Double] = [
  0.1 + 0.2, 1.0 / 3, 2.0 / 3e7, 123_456.789, 9_007_199_254_740_992, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
  -.leastNormalMagnitude, 0.000_099_999_999_999_999_99, 1e15, 123_456_789_012_345_680, -1e-300,
]

@Suite struct ReadableOutputTests {
  @Test func numbersAreWrittenAsPeopleWriteThem() {
    for (value, text) in exampleNumbers { #expect(YAMLNumber.text(value) == text, "\(value)") }
    #expect(YAMLNumber.text(.nan) == ".nan" && Node(".nan").float?.isNaN == true)
    for value in awkwardNumbers + exampleNumbers.map(\.0).filter(\.isFinite) {
      expectShortAndExact(YAMLNumber.text(value), value, "\(value)")
    }
  }

  /// PyYAML (YAML 1.1, what Python users load a run's config.yaml with) reads every number as written: the
  /// example and awkward values, and every number of every written configuration, come back as floats (or ints,
  /// where the text is an integer) with exactly the same value.
  @Test(.enabled(if: PythonReference.isAvailable))
  func pyYAMLReadsEveryWrittenNumberAsTheSameValue() throws {
    struct Request: Encodable { var documents: [String] }
    struct Leaf: Decodable {
      var type: String
      var value: String
    }
    let examples = (exampleNumbers.map(\.0) + awkwardNumbers + [.nan]).map { (value: $0, text: YAMLNumber.text($0)) }
    var documents = [examples.map { "- \($0.text)\n" }.joined()]
    var expected: [[WrittenNumber]] = [
      examples.enumerated().map {
        WrittenNumber(path: String($0.offset), text: $0.element.text, value: $0.element.value)
      }
    ]
    var contexts = ["example values"]
    for configuration in try everyWrittenConfiguration() {
      documents.append(configuration.yaml)
      expected.append(configuration.numbers)
      contexts.append(configuration.context)
    }
    let read = try PythonReference.call(
      script: "yaml_numbers.py", request: Request(documents: documents), as: [[String: Leaf]].self)
    try #require(read.count == documents.count)
    var checked = 0
    for (context, (numbers, leaves)) in zip(contexts, zip(expected, read)) {
      for number in numbers {
        guard let leaf = leaves[number.path] else {
          Issue.record("\(context): PyYAML has no value at \(number.path)")
          continue
        }
        let integral =
          !number.text.contains(".") && !number.text.contains("e") && !number.text.contains("inf")
          && !number.text.contains("nan")
        #expect(
          leaf.type == (integral ? "int" : "float"), "\(context) \(number.path): '\(number.text)' read as \(leaf.type)")
        let value = try #require(Double(leaf.value), "\(context) \(number.path): \(leaf.value)")
        #expect(
          value == number.value || (value.isNaN && number.value.isNaN),
          "\(context) \(number.path): '\(number.text)' read as \(value), written from \(number.value)")
        checked += 1
      }
    }
    #expect(checked >= 1000, "only \(checked) numbers")
  }

  /// The defaults of every agent, every preset (overlays on a task preset of their agent), and awkward
  /// overrides: every number in the written configuration is short, exact, and the text resolves to the same
  /// configuration.
  @Test func everyConfigNumberRoundTripsInShortForm() throws {
    let written = try everyWrittenConfiguration()
    #expect(written.count > AgentKind.allCases.count + 50)
  }

  /// The issue's examples, in a real resolved configuration.
  @Test func resolvedConfigurationReadsNaturally() throws {
    let yaml = try Experiment.resolve(
      layers: [try Presets.layer("rlx2/sac-hopper")], overrides: ["sac.weight_decay=0.00001"]
    ).resolvedYAML
    for line in ["gamma: 0.99", "tau: 0.005", "drop_fraction: 0.5", "width_multiplier: 1.0", "weight_decay: 1.0e-5"] {
      #expect(yaml.contains(line), "\(line)")
    }
    #expect(!yaml.contains("e-1") && !yaml.contains("e+0"))
  }

  /// run.json of a real run: keys are snake_case words (`inference_flops`, not `inference_flo_ps`), each is
  /// documented in docs/run-files.md, and the file reads back as the record the trainer returned.
  @Test func runJSONKeysAreWordsAndDocumented() throws {
    let folder = try temporaryFolder("runjson")
    let record = try trainTinyRun(
      at: folder.appendingPathComponent("run"), presets: ["sparse-training/dqn-cartpole"],
      overrides: tinyDQNOverrides)
    let url = folder.appendingPathComponent("run/run.json")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let network = try #require((object["networks"] as? [[String: Any]])?.first)
    let documentation = try String(contentsOf: packageRoot.appendingPathComponent("docs/run-files.md"), encoding: .utf8)
    let documented = Set(documentedNames(in: documentation, section: "run.json"))
    let word = try Regex("^[a-z]+(_[a-z]+)*$")
    for key in Array(object.keys) + Array(network.keys) {
      #expect(key.wholeMatch(of: word) != nil, "\(key)")
      #expect(documented.contains(key), "run.json key \(key) is not in docs/run-files.md")
    }
    for key in [
      "inference_flops", "dense_inference_flops", "training_flops_per_sample", "dense_training_flops_per_sample",
    ] {
      #expect(network[key] is NSNumber, "\(key)")
    }
    #expect(network["inference_flops"] as? Int == record.networks[0].inferenceFLOPs)
    #expect(object["wall_time_seconds"] is NSNumber && object["final_score"] is NSNumber)
    #expect(try RunRecord.read(from: url) == record)
  }

  /// Every column the agents, the evaluations and `sparserl evaluate` write is documented in docs/run-files.md;
  /// the diagnostics columns are among them (they are on for every agent that has them).
  @Test func everyCSVColumnIsDocumented() throws {
    let documentation = try String(contentsOf: packageRoot.appendingPathComponent("docs/run-files.md"), encoding: .utf8)
    let builds: [(String, [String])] = [
      ("dqn", ["environment=CartPole-v1", "dqn.buffer_size=1000"]),
      ("ppo", ["environment=Pendulum-v1"]),
      ("sac", ["environment=Pendulum-v1", "sac.replay.capacity=1000", "sac.replay.min_capacity=100"]),
      ("td3", ["environment=Pendulum-v1", "td3.replay.capacity=1000", "td3.replay.min_capacity=100"]),
      ("ddpg", ["environment=Pendulum-v1", "ddpg.replay.capacity=1000", "ddpg.replay.min_capacity=100"]),
      ("stream_ac", ["environment=Pendulum-v1"]), ("stream_q", ["environment=CartPole-v1"]),
    ]
    // A diagnostics column `critic1/dormant_0.1` is documented as `<role>/dormant_<tau>`.
    func documentedName(_ column: String) -> String {
      guard let slash = column.firstIndex(of: "/") else { return column }
      let measure = String(column[column.index(after: slash)...])
      return "<role>/" + (measure.hasPrefix("dormant_") ? "dormant_<tau>" : measure)
    }
    #expect(Set(builds.map(\.0)) == Set(AgentKind.allCases.map(\.rawValue)))
    for (kind, overrides) in builds {
      let experiment = try Experiment.resolve(
        layers: [.init(yaml: "agent: \(kind)", source: "test")], overrides: overrides)
      let agent = try experiment.makeAgent(makeEnvironment: experiment.makeTrainingEnvironment)
      let train = Set(documentedNames(in: documentation, section: "train.csv"))
      for column in ["step"] + (agent.metricNames[.train] ?? []) {
        #expect(train.contains(documentedName(column)), "train.csv column \(column) of \(kind) is not documented")
      }
      #expect(
        Set(["step"] + (agent.metricNames[.episode] ?? []))
          == Set(documentedNames(in: documentation, section: "episodes.csv")))
    }
    #expect(["step"] + MetricsRecorder.evaluationColumns == documentedNames(in: documentation, section: "eval.csv"))
    #expect(
      ["noise"] + MetricsRecorder.evaluationColumns + ["episodes"]
        == documentedNames(in: documentation, section: "evaluation.csv"))
  }
}
