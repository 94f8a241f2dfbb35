import Foundation

/// One problem found in a configuration: where it is (source file or `--set`, line, dotted key) and what was
/// expected. All problems of a configuration are collected and reported together, before anything runs.
public struct ConfigIssue: Equatable, Sendable, CustomStringConvertible {
  /// The file the value came from, or `--set` for a command-line override, or `defaults`.
  public var source: String
  /// 1-based line in `source`, when known.
  public var line: Int?
  /// Dotted key path in YAML spelling, e.g. `agent.learning_rate`.
  public var key: String
  /// What is wrong and what was expected.
  public var message: String

  /// An issue with `message` about `key`, set in `source` (at `line`, when known).
  public init(source: String, line: Int? = nil, key: String, message: String) {
    self.source = source
    self.line = line
    self.key = key
    self.message = message
  }

  public var description: String {
    "\(source)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "(top level)" : key): \(message)"
  }
}

/// A configuration that cannot be used, with every problem found.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
  /// Every problem found, in the order the layers were applied.
  public var issues: [ConfigIssue]
  /// An error reporting `issues`.
  public init(issues: [ConfigIssue]) { self.issues = issues }
  public var description: String {
    "invalid configuration (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n"
      + issues.map { "  - \($0)" }.joined(separator: "\n")
  }
}

/// Range and consistency checks of a configuration section, run after the types are known to be right.
public protocol ConfigValidatable {
  /// Appends a `ConfigIssue` for every invalid value; `path` is this section's dotted YAML key path.
  func validate(path: String, issues: inout [ConfigIssue])
}

extension ConfigValidatable {
  /// Records an issue unless `condition` holds.
  public func check(
    _ condition: Bool, _ path: String, _ key: String, _ expected: String, _ issues: inout [ConfigIssue]
  ) {
    if !condition {
      // The source is filled in by `ConfigTree.decode` from where the value was set.
      issues.append(ConfigIssue(source: "", key: path.isEmpty ? key : "\(path).\(key)", message: expected))
    }
  }
}

/// Collects problems found while decoding a configuration, so that a bad choice is reported together with
/// every other mistake instead of stopping at the first.
public final class ConfigIssueCollector: @unchecked Sendable {
  /// The `Decoder.userInfo` key under which decoders find the collector.
  public static let userInfoKey = CodingUserInfoKey(rawValue: "sparserl.configIssues")!
  private(set) var found: [(path: [String], message: String)] = []
  /// An empty collector.
  public init() {}
  func add(path: [any CodingKey], message: String) { found.append((path.map(\.stringValue), message)) }
  /// The problems, with their Swift (camelCase) key paths.
  public var issues: [(path: [String], message: String)] { found }
}

/// A configuration value chosen from a fixed set of names (`method: rigl`). Decoding an unknown name reports
/// "expected one of ..." through the decoder's `ConfigIssueCollector` (and falls back to the first case so that
/// decoding can go on), or throws when no collector is present.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
  /// Decodes a choice from its name; an unknown name is reported (see the protocol).
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    if let value = Self(rawValue: text) {
      self = value
      return
    }
    let message = "expected one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'"
    guard let collector = decoder.userInfo[ConfigIssueCollector.userInfoKey] as? ConfigIssueCollector,
      let fallback = Self.allCases.first
    else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: message))
    }
    collector.add(path: decoder.codingPath, message: message)
    self = fallback
  }

  /// Encodes the choice as its name.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
