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
  public var issues: [ConfigIssue]
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
