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

  /// The built-in default as a configuration layer.
  public static var builtinDefaultLayer: Experiment.Layer {
    Experiment.Layer(
      yaml: builtinDefault, source: ConfigProvenance.builtinDefault, preset: ConfigProvenance.builtinDefault)
  }

  /// Folders searched for preset names, in order: `configs/` of the working directory (your own presets, which
  /// win over shipped ones of the same name), then the presets shipped with the executable (`shippedFolders`).
  public static var searchFolders: [URL] {
    let local = URL(fileURLWithPath: "configs").standardizedFileURL
    return [local] + shippedFolders.filter { $0.standardizedFileURL.path != local.path }
  }

  /// Where the presets that ship with the program are, relative to the running executable (symbolic links
  /// resolved), so that a build or an installation finds them wherever it is:
  /// - `<name>_SparseRLExperiments.resources/configs` next to the executable: the package's `configs/` folder,
  ///   which SwiftPM copies into the resource bundle of this module in every build (also of packages that
  ///   depend on SparseRL);
  /// - `../share/sparserl/configs`, where `scripts/install.sh PREFIX` puts them beside `PREFIX/bin/sparserl`.
  ///
  /// (`Bundle.module` would also find the bundle, but it stops the process when the bundle is missing.)
  public static var shippedFolders: [URL] {
    guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return [] }
    let folder = executable.deletingLastPathComponent()
    let manager = FileManager.default
    let bundles = ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
      .filter { $0.hasSuffix("_SparseRLExperiments.resources") || $0.hasSuffix("_SparseRLExperiments.bundle") }
      .flatMap { name -> [URL] in
        let bundle = folder.appendingPathComponent(name)
        return [
          bundle.appendingPathComponent("configs"),
          bundle.appendingPathComponent("Contents/Resources/configs"),  // a macOS bundle
        ]
      }
    let installed = folder.deletingLastPathComponent().appendingPathComponent("share/sparserl/configs")
    return (bundles + [installed]).filter { url in
      var isFolder: ObjCBool = false
      return manager.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }
  }

  /// The configuration layer named by `reference`: a YAML file path, or a preset name such as
  /// `rlx2/td3-halfcheetah` (looked up as `configs/<name>.yaml`).
  public static func layer(_ reference: String) throws -> Experiment.Layer {
    let file = URL(fileURLWithPath: reference)
    if FileManager.default.fileExists(atPath: file.path) {
      return Experiment.Layer(yaml: try String(contentsOf: file, encoding: .utf8), source: file.path)
    }
    let name = reference.hasSuffix(".yaml") ? String(reference.dropLast(".yaml".count)) : reference
    for url in searchFolders.map({ $0.appendingPathComponent(name + ".yaml") })
    where FileManager.default.fileExists(atPath: url.path) {
      return Experiment.Layer(yaml: try String(contentsOf: url, encoding: .utf8), source: url.path, preset: name)
    }
    if name == ConfigProvenance.builtinDefault { return builtinDefaultLayer }
    let known = names().sorted()
    if known.isEmpty {
      throw ConfigError(issues: [
        ConfigIssue(
          source: reference, key: "",
          message: "no such configuration file, and no presets were found (\(missingPresetsExplanation))")
      ])
    }
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

  /// Why no preset was found, naming the folders searched.
  public static var missingPresetsExplanation: String {
    "searched " + searchFolders.map(\.path).joined(separator: ", ")
      + "; an installed sparserl keeps them in PREFIX/share/sparserl/configs (see scripts/install.sh)"
  }
}
