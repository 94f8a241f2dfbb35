import Foundation
import Yams

/// One grid point of a study: its axis values, seed and what configures it.
public struct StudyPoint: Equatable, Sendable {
  /// `(axis, value name)` in axis order.
  public var values: [(axis: String, value: String)]
  /// The seed.
  public var seed: Int
  /// Configuration references (presets or files), in the order they apply.
  public var configs: [String]
  /// `key=value` overrides, applied after the configs.
  public var overrides: [String]

  /// The run directory's name: `axis-value` joined by `_`, then `seed-N` (`method-rigl_sparsity-0.9_seed-0`).
  public var name: String {
    (values.map { "\($0.axis)-\(Self.safe($0.value))" } + ["seed-\(seed)"]).joined(separator: "_")
  }

  /// The value name of `axis` (`seed` gives the seed).
  public func value(of axis: String) -> String? {
    axis == "seed" ? String(seed) : values.first { $0.axis == axis }?.value
  }

  static func safe(_ text: String) -> String {
    String(text.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
  }

  public static func == (lhs: StudyPoint, rhs: StudyPoint) -> Bool {
    lhs.name == rhs.name && lhs.configs == rhs.configs && lhs.overrides == rhs.overrides
  }
}

extension StudyFile {
  /// Every grid point: the product of the axes (first axis outermost) and the seeds, minus the exclusions.
  public func points() -> [StudyPoint] {
    var combinations: [[(axis: Axis, value: Value)]] = [[]]
    for axis in axes {
      combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis, $0)] } }
    }
    let kept = combinations.filter { combination in
      !exclusions.contains { exclusion in
        exclusion.allSatisfy { axis, names in
          combination.contains { $0.axis.name == axis && names.contains($0.value.name) }
        }
      }
    }
    return kept.flatMap { combination in
      seeds.map { seed in
        let substitutions = Dictionary(uniqueKeysWithValues: combination.map { ($0.axis.name, $0.value.name) })
        func fill(_ text: String) -> String {
          substitutions.reduce(text.replacingOccurrences(of: "{seed}", with: String(seed))) {
            $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value)
          }
        }
        return StudyPoint(
          values: combination.map { ($0.axis.name, $0.value.name) }, seed: seed,
          configs: (base + combination.flatMap { $0.value.configs }).map(fill),
          overrides: (overrides + combination.flatMap { $0.value.overrides }).map(fill) + ["seed=\(seed)"])
      }
    }
  }

  /// The configuration layer of a reference: a file next to the study file, else a path or preset name.
  func layer(_ reference: String) throws -> Experiment.Layer {
    if let folder, !reference.hasPrefix("/") {
      let local = folder.appendingPathComponent(reference)
      if FileManager.default.fileExists(atPath: local.path), local.pathExtension == "yaml" {
        return Experiment.Layer(yaml: try String(contentsOf: local, encoding: .utf8), source: local.path)
      }
    }
    return try Presets.layer(reference)
  }

  /// The experiment of `point`, with every step-count key scaled by `budget` (default: the study's).
  public func experiment(for point: StudyPoint, budget: Double? = nil) throws -> Experiment {
    let layers = try point.configs.map(layer)
    let full = try Experiment.resolve(layers: layers, overrides: point.overrides)
    let scale = budget ?? self.budget
    guard scale != 1 else { return full }
    let scaled = try BudgetScale(factor: scale).overrides(forResolvedYAML: full.resolvedYAML)
    return try Experiment.resolve(layers: layers, overrides: point.overrides + scaled)
  }
}

/// Shrinks every step-count key of a configuration together, for reduced-budget reproductions: total steps,
/// warm-up, delays, log/topology-update/target-update/ReDo intervals and buffer sizes are multiplied by `factor`
/// (rounded, at least 1; a 0 — "never" or "off" — stays 0). Fractions of training (exploration, pruning and
/// update-end fractions) are relative already and stay as they are; so do batch sizes, rollout lengths and epoch
/// counts, which are not step counts of the run.
///
/// Measurement intervals (evaluation, checkpoint, diagnostics) shrink too, but never below the interval that gives
/// `measurementsPerRun` measurements over the scaled run: an evaluation's cost (episodes of full length) does not
/// shrink with the budget, so scaling its interval with the rest would keep the full run's 600 evaluations in a
/// run 50 times shorter.
public struct BudgetScale: Sendable {
  /// The scale factor, in (0, 1].
  public let factor: Double

  /// The most evaluations (and checkpoints, and diagnostics) a scaled run makes, unless the full run makes fewer.
  public static let measurementsPerRun = 20

  /// The keys (YAML spelling: a leaf name, or a dotted suffix of its path) that count environment steps, updates
  /// or transitions of training.
  public static let stepCountKeys: Set<String> = [
    "total_steps", "warmup_steps", "learning_starts", "n_step_delay", "update_interval", "pruning_frequency",
    "target_update_interval", "log_interval", "buffer_size", "capacity", "min_capacity", "check_interval",
    "redo.interval",
  ]

  /// The keys of measurement intervals, scaled with the floor of `measurementsPerRun`.
  public static let measurementIntervalKeys: Set<String> = [
    "evaluation_interval", "checkpoint_interval", "diagnostics.interval",
  ]

  /// A scale by `factor` in (0, 1].
  public init(factor: Double) {
    precondition(factor > 0 && factor <= 1, "a budget scale is in (0, 1]")
    self.factor = factor
  }

  /// The scaled value of a step count.
  public func scale(_ value: Int) -> Int { value == 0 ? 0 : max(1, Int((Double(value) * factor).rounded())) }

  /// The scaled value of a measurement interval in a run of `scaledTotalSteps`: scaled, but at most
  /// `measurementsPerRun` measurements, and never longer than the full run's interval.
  public func scaleMeasurementInterval(_ value: Int, scaledTotalSteps: Int) -> Int {
    guard value > 0 else { return value }
    let floor = (scaledTotalSteps + Self.measurementsPerRun - 1) / Self.measurementsPerRun
    return min(value, max(scale(value), floor))
  }

  /// `key=value` overrides that scale every step-count key present in a resolved configuration.
  public func overrides(forResolvedYAML yaml: String) throws -> [String] {
    guard let root = try Yams.compose(yaml: yaml) else { return [] }
    var counts: [([String], Int)] = []
    var measurements: [([String], Int)] = []
    func matches(_ keys: Set<String>, _ path: [String]) -> Bool {
      guard let last = path.last else { return false }
      return keys.contains(last) || (path.count >= 2 && keys.contains(path.suffix(2).joined(separator: ".")))
    }
    func visit(_ node: Node, _ path: [String]) {
      if let mapping = node.mapping {
        for (key, value) in mapping { if let name = key.string { visit(value, path + [name]) } }
      } else if let value = node.int {
        if matches(Self.stepCountKeys, path) {
          counts.append((path, value))
        } else if matches(Self.measurementIntervalKeys, path) {
          measurements.append((path, value))
        }
      }
    }
    visit(root, [])
    let total = counts.first { $0.0 == ["total_steps"] }.map { scale($0.1) } ?? 0
    return counts.map { "\($0.0.joined(separator: "."))=\(scale($0.1))" }
      + measurements.map {
        "\($0.0.joined(separator: "."))=\(scaleMeasurementInterval($0.1, scaledTotalSteps: total))"
      }
  }
}
