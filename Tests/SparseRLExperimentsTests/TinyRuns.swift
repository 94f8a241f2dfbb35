import Foundation

@testable import SparseRLExperiments

/// The package's root folder (for docs/ and configs/).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// A new, empty temporary folder.
func temporaryFolder(_ name: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-\(name)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Overrides that make a DQN CartPole preset run real but tiny: 300 steps with a small network, 100 of them
/// learning, one evaluation of two episodes.
let tinyDQNOverrides = [
  "total_steps=300", "evaluation_interval=0", "evaluation_episodes=2", "checkpoint_interval=0",
  "dqn.learning_starts=200", "dqn.batch_size=16", "dqn.network.hidden_sizes=[32, 32]", "dqn.log_interval=50",
]

/// Trains `presets` with `overrides` into `url` (a real run of the real agent) and returns its record.
@discardableResult
func trainTinyRun(at url: URL, presets: [String], overrides: [String]) throws -> RunRecord {
  let experiment = try Experiment.resolve(layers: presets.map(Presets.layer), overrides: overrides)
  return try Trainer(experiment: experiment, run: RunDirectory.create(at: url), progressStyle: .silent).start()
}

/// The backticked names in the first column of the tables under the `## <heading>` section of a Markdown file.
func documentedNames(in markdown: String, section heading: String) -> [String] {
  var names: [String] = []
  var inside = false
  for line in markdown.split(separator: "\n") {
    if line.hasPrefix("## ") { inside = line == "## \(heading)" }
    guard inside, line.hasPrefix("| `") else { continue }
    let cell = line.dropFirst(3)
    if let end = cell.firstIndex(of: "`") { names.append(String(cell[..<end])) }
  }
  return names
}
