import Foundation
import SparseRLAgents
import SparseRLEnvironments

/// Where configurations come from: files, preset names, and the built-in default run.
public enum Presets {
  /// The run `sparserl train` performs without arguments: RLx2-TD3 on Pendulum-v1 with a 90%-sparse actor and
  /// 85%-sparse critics, small enough to finish in a few minutes on one core.
  public static let builtinDefault = """
    # Built-in default: RLx2 (RigL topology evolution, delayed 3-step TD target, dynamic-capacity buffer) on TD3,
    # actor 90% / critics 85% sparse, on Pendulum-v1.
    agent: td3
    environment: Pendulum-v1
    seed: 0
    total_steps: 15000
    evaluation_interval: 1000
    evaluation_episodes: 5
    checkpoint_interval: 5000
    td3:
      warmup_steps: 1000
      actor_sparsity: {method: rigl, sparsity: 0.9, distribution: er, update_interval: 1000, initial_mask: largest_magnitude}
      critic_sparsity: {method: rigl, sparsity: 0.85, distribution: er, update_interval: 1000, initial_mask: largest_magnitude}
      n_step: 3
      n_step_delay: 2000
      replay: {capacity: 100000, dynamic_capacity: true, min_capacity: 5000, check_interval: 2000}
    """

  /// Folders searched for preset names: `configs/` of the working directory and of the package.
  static var searchFolders: [URL] {
    var folders = [URL(fileURLWithPath: "configs")]
    let packageConfigs = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("configs")
    if packageConfigs.path != folders[0].standardizedFileURL.path { folders.append(packageConfigs) }
    return folders
  }

  /// The configuration layer named by `reference`: a YAML file path, or a preset name such as
  /// `rlx2/td3-halfcheetah` (looked up as `configs/<name>.yaml`).
  public static func layer(_ reference: String) throws -> Experiment.Layer {
    let candidates =
      [URL(fileURLWithPath: reference)]
      + searchFolders.map { $0.appendingPathComponent(reference.hasSuffix(".yaml") ? reference : reference + ".yaml") }
    for url in candidates where FileManager.default.fileExists(atPath: url.path) {
      return Experiment.Layer(yaml: try String(contentsOf: url, encoding: .utf8), source: url.path)
    }
    let known = names().sorted()
    let close = known.map { (editDistance($0, reference), $0) }.filter { $0.0 <= max(3, reference.count / 3) }
      .sorted { $0 < $1 }.prefix(3).map(\.1)
    throw ConfigError(issues: [
      ConfigIssue(
        source: reference, key: "",
        message: "no such configuration file or preset"
          + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: ", "))?")
          + " (`sparserl presets` lists them)")
    ])
  }

  /// Names of the presets found in the search folders (`rlx2/td3-halfcheetah`, ...); study files
  /// (`configs/studies/`) are not presets.
  public static func names() -> [String] {
    var result = Set<String>()
    for folder in searchFolders {
      guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { continue }
      for case let path as String in enumerator where path.hasSuffix(".yaml") && !path.hasPrefix("studies/") {
        result.insert(String(path.dropLast(".yaml".count)))
      }
    }
    return result.sorted()
  }
}
