import Foundation
import SparseRLAgents
import SparseRLEnvironments
import Yams

/// Resolves a typed configuration from layers of YAML: the defaults (the Swift value encoded to YAML, so the
/// Swift type is the one schema), then each user file, then each `--set key=value` override.
///
/// Every layer is checked against the defaults' tree: a key that does not exist (reported with the closest
/// valid keys), a value of the wrong kind (a string where a number is expected, a scalar where a section is
/// expected) are recorded as `ConfigIssue`s and the layer's other keys are still applied, so that all problems
/// are reported together. YAML keys are snake_case; Swift properties are camelCase.
public struct ConfigTree {
  /// The merged tree, in YAML spelling (snake_case keys).
  public private(set) var root: Node
  /// Problems found so far.
  public private(set) var issues: [ConfigIssue] = []
  /// The kind of every scalar key of the defaults, from their Swift types.
  private let kinds: [String: ValueKind]
  /// Where each value that differs from the defaults came from (dotted key -> source, line).
  private var origins: [String: (source: String, line: Int?)] = [:]

  /// A tree holding the defaults `value`.
  public init<T: Encodable>(defaults value: T) throws {
    let yaml = try YAMLEncoder().encode(value)
    guard let node = try Yams.compose(yaml: yaml) else { throw ConfigError(issues: []) }
    root = ConfigTree.mapKeys(node, ConfigTree.snakeCase)
    kinds = try ValueKindRecorder.kinds(of: value)
  }

  /// Applies a YAML document (the contents of `source`).
  public mutating func apply(yaml: String, source: String) {
    do {
      guard let node = try Yams.compose(yaml: yaml) else { return }  // an empty file changes nothing
      root = overlay(node, onto: root, path: [], source: source)
    } catch {
      issues.append(ConfigIssue(source: source, key: "", message: "not valid YAML: \(error)"))
    }
  }

  /// Applies a `key.path=value` override, the value parsed as YAML (so `[64, 64]` is a list).
  public mutating func apply(override: String) {
    guard let equals = override.firstIndex(of: "=") else {
      issues.append(ConfigIssue(source: "--set", key: override, message: "expected key=value"))
      return
    }
    let key = String(override[..<equals]).trimmingCharacters(in: .whitespaces)
    let text = String(override[override.index(after: equals)...])
    let value: Node
    do {
      value = try Yams.compose(yaml: text) ?? Node("", Tag(.null))
    } catch {
      issues.append(ConfigIssue(source: "--set", key: key, message: "value '\(text)' is not valid YAML"))
      return
    }
    var node = value
    for component in key.split(separator: ".").reversed() { node = Node([(Node(String(component)), node)]) }
    root = overlay(node, onto: root, path: [], source: "--set \(override)", hasLines: false)
  }

  /// The value at a dotted path (YAML spelling), if present.
  public func value(at path: String) -> Node? {
    var node: Node? = root
    for component in path.split(separator: ".") { node = node?.mapping?[String(component)] }
    return node
  }

  /// Decodes the merged tree as `T`, then validates it. Throws `ConfigError` with every issue found: unknown
  /// keys and values of the wrong kind (from the layers), unknown choices (while decoding) and out-of-range
  /// values (from `validate`), each named with the file or override it came from.
  public func decode<T: Decodable & ConfigValidatable>(_ type: T.Type = T.self) throws -> T {
    var found = issues
    let collector = ConfigIssueCollector()
    let value: T
    do {
      value = try YAMLDecoder().decode(
        T.self, from: ConfigTree.mapKeys(root, ConfigTree.camelCase),
        userInfo: [ConfigIssueCollector.userInfoKey: collector])
    } catch {
      throw ConfigError(issues: found + [ConfigIssue(source: "config", key: "", message: "cannot decode: \(error)")])
    }
    var checked: [ConfigIssue] = collector.issues.map {
      ConfigIssue(source: "", key: $0.path.map(ConfigTree.snakeCase).joined(separator: "."), message: $0.message)
    }
    value.validate(path: "", issues: &checked)
    for var issue in checked {
      let origin = origins[issue.key] ?? ("defaults", nil)
      issue.source = origin.source
      issue.line = origin.line
      found.append(issue)
    }
    if !found.isEmpty { throw ConfigError(issues: found) }
    return value
  }

  /// The merged tree as YAML text (the resolved configuration saved with a run). Numbers are written in their
  /// shortest exact form (`YAMLNumber`), so the text reads back as the same configuration.
  public func yaml() throws -> String { try Yams.serialize(node: withNumbersWritten(root, path: [])) }

  /// `node` with every scalar of a number key rewritten by `YAMLNumber` (Yams writes `0.99` as `9.9e-1`).
  private func withNumbersWritten(_ node: Node, path: [String]) -> Node {
    switch node {
    case .mapping(let mapping):
      return .mapping(
        Node.Mapping(
          mapping.map { key, value in (key, withNumbersWritten(value, path: path + [key.string ?? ""])) },
          mapping.tag, mapping.style, mapping.mark))
    case .sequence(let sequence):
      return .sequence(
        Node.Sequence(
          sequence.map { withNumbersWritten($0, path: path + ["[]"]) }, sequence.tag, sequence.style, sequence.mark))
    case .scalar:
      guard kinds[path.joined(separator: ".")] == .number, let value = node.float else { return node }
      return Node(YAMLNumber.text(value), Tag(.float))
    case .alias:
      return node
    }
  }

  // MARK: - Overlay

  private mutating func overlay(
    _ user: Node, onto base: Node, path: [String], source: String, hasLines: Bool = true
  ) -> Node {
    let key = path.joined(separator: ".")
    let line = hasLines ? user.mark?.line : nil
    switch base {
    case .mapping(var baseMapping):
      guard case .mapping(let userMapping) = user else {
        let keys = baseMapping.keys.compactMap(\.string).joined(separator: ", ")
        issues.append(
          ConfigIssue(
            source: source, line: line, key: key,
            message: "expected a section with keys \(keys), got \(describe(user))"))
        return base
      }
      for (userKey, userValue) in userMapping {
        guard let name = userKey.string else { continue }
        if let existing = baseMapping[name] {
          baseMapping[name] = overlay(
            userValue, onto: existing, path: path + [name], source: source, hasLines: hasLines)
        } else {
          issues.append(
            ConfigIssue(
              source: source, line: hasLines ? userKey.mark?.line : nil, key: (path + [name]).joined(separator: "."),
              message: "unknown key" + suggestion(for: name, in: path)))
        }
      }
      return .mapping(baseMapping)
    case .sequence(let baseSequence):
      guard case .sequence(let userSequence) = user else {
        issues.append(
          ConfigIssue(source: source, line: line, key: key, message: "expected a list, got \(describe(user))"))
        return base
      }
      if let template = baseSequence.first {
        let elementPath = path + ["[]"]
        for element in userSequence where !kindMatches(element, template, path: elementPath) {
          issues.append(
            ConfigIssue(
              source: source, line: hasLines ? element.mark?.line : nil, key: key,
              message: "list elements must be \(kindName(template, path: elementPath)), got \(describe(element))"))
          return base
        }
      }
      origins[key] = (source, line)
      return user
    case .scalar, .alias:
      guard kindMatches(user, base, path: path) else {
        issues.append(
          ConfigIssue(
            source: source, line: line, key: key,
            message: "expected \(kindName(base, path: path)), got \(describe(user))"))
        return base
      }
      origins[key] = (source, line)
      // Keep the default's tag so that a quoted default stays a string.
      if case .scalar(let scalar) = user, base.tag == Tag(.str) {
        return Node(scalar.string, Tag(.str))
      }
      return user
    }
  }

  private func kindMatches(_ user: Node, _ base: Node, path: [String]) -> Bool {
    switch (base, user) {
    case (.mapping, .mapping), (.sequence, .sequence): return true
    case (.scalar, .scalar):
      switch kinds[path.joined(separator: ".")] {
      case .integer: return user.int != nil
      case .number: return user.float != nil || user.int != nil
      case .boolean: return user.bool != nil
      case .text, nil: return true  // strings (and choices, checked when decoding) accept any scalar
      }
    default: return false
    }
  }

  private func kindName(_ node: Node, path: [String]) -> String {
    switch node {
    case .mapping: return "a section"
    case .sequence: return "a list"
    default:
      switch kinds[path.joined(separator: ".")] {
      case .integer: return "an integer"
      case .number: return "a number"
      case .boolean: return "true or false"
      case .text, nil: return "a string"
      }
    }
  }

  private func describe(_ node: Node) -> String {
    switch node {
    case .mapping: return "a section"
    case .sequence: return "a list"
    default: return "'\(node.string ?? "")'"
    }
  }

  /// "; did you mean ...?" with the closest keys: siblings first, then anywhere in the tree.
  private func suggestion(for name: String, in path: [String]) -> String {
    var siblings: [String] = []
    var node: Node? = root
    for component in path { node = node?.mapping?[component] }
    if let mapping = node?.mapping { siblings = mapping.keys.compactMap(\.string) }
    var candidates = siblings.map { ($0, (path + [$0]).joined(separator: ".")) }
    ConfigTree.allPaths(root, prefix: []).forEach { full in
      if let last = full.split(separator: ".").last, !siblings.contains(full) {
        candidates.append((String(last), full))
      }
    }
    var scored: [(distance: Int, path: String)] = []
    let limit = max(2, name.count / 3)
    for (short, full) in candidates {
      let distance = editDistance(name, short)
      if distance <= limit { scored.append((distance, full)) }
    }
    scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.path < $1.path }
    var seen = Set<String>()
    var best: [String] = []
    for entry in scored where best.count < 3 && seen.insert(entry.path).inserted { best.append(entry.path) }
    return best.isEmpty ? "" : "; did you mean \(best.map { "'\($0)'" }.joined(separator: ", "))?"
  }

  private static func allPaths(_ node: Node, prefix: [String]) -> [String] {
    guard let mapping = node.mapping else { return [] }
    return mapping.flatMap { key, value -> [String] in
      guard let name = key.string else { return [] }
      return [(prefix + [name]).joined(separator: ".")] + allPaths(value, prefix: prefix + [name])
    }
  }

  // MARK: - Key spelling

  static func mapKeys(_ node: Node, _ transform: (String) -> String) -> Node {
    switch node {
    case .mapping(let mapping):
      var result = mapping
      result = Node.Mapping(
        mapping.map { (Node(transform($0.key.string ?? ""), $0.key.tag), mapKeys($0.value, transform)) },
        mapping.tag, mapping.style, mapping.mark)
      return .mapping(result)
    case .sequence(let sequence):
      return .sequence(
        Node.Sequence(sequence.map { mapKeys($0, transform) }, sequence.tag, sequence.style, sequence.mark))
    default:
      return node
    }
  }

  /// `learningRate` -> `learning_rate`.
  static func snakeCase(_ name: String) -> String {
    var result = ""
    for character in name {
      if character.isUppercase {
        result += "_" + character.lowercased()
      } else {
        result.append(character)
      }
    }
    return result
  }

  /// `learning_rate` -> `learningRate`.
  static func camelCase(_ name: String) -> String {
    let parts = name.split(separator: "_", omittingEmptySubsequences: false)
    guard let first = parts.first else { return name }
    return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }
}
