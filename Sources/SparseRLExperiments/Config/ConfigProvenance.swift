/// What a run's configuration was made from, kept as comment lines at the top of its `config.yaml`:
///
/// ```yaml
/// # The resolved configuration of this run (every key, defaults included), made from:
/// # - preset rlx2/td3-hopper
/// # - --set td3.batch_size=128
/// agent: td3
/// ...
/// ```
///
/// YAML ignores comments, so resuming reads the file as before; `sparserl show` reads the lines back to compare
/// the run's configuration with its presets.
public enum ConfigProvenance {
  /// The name of the configuration `sparserl train` uses without arguments.
  public static let builtinDefault = "built-in default"

  /// The entry for a preset layer.
  public static func preset(_ name: String) -> String {
    name == builtinDefault ? builtinDefault : "preset \(name)"
  }

  private static let title = "# The resolved configuration of this run (every key, defaults included), made from:"
  private static let item = "# - "

  /// The comment lines for `madeFrom` (empty when there is nothing to say).
  public static func header(_ madeFrom: [String]) -> String {
    guard !madeFrom.isEmpty else { return "" }
    return ([title] + madeFrom.map { item + $0 }).map { $0 + "\n" }.joined()
  }

  /// The entries written by `header` at the top of `text` (empty for a file without them).
  public static func madeFrom(configText text: String) -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.first.map(String.init) == title else { return [] }
    return lines.dropFirst().prefix { $0.hasPrefix(item) }.map { String($0.dropFirst(item.count)) }
  }

  /// `text` without the lines `header` wrote at its top: the resolved configuration itself.
  public static func resolvedYAML(configText text: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.first.map(String.init) == title else { return text }
    return lines.dropFirst().drop { $0.hasPrefix(item) }.joined(separator: "\n")
  }

  /// The preset names (and the built-in default) among `madeFrom`, in order.
  public static func presets(in madeFrom: [String]) -> [String] {
    madeFrom.compactMap { entry in
      entry == builtinDefault ? builtinDefault : entry.hasPrefix("preset ") ? String(entry.dropFirst(7)) : nil
    }
  }
}
