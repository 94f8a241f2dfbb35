import Foundation
import Testing

@testable import SparseRLExperiments

/// run.json read as plain JSON, independently of `RunRecord`.
private func json(_ run: URL) throws -> [String: Any] {
  try #require(
    try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("run.json"))) as? [String: Any])
}

@Suite(.serialized) struct RunBrowserTests {
  /// Three real tiny runs (a dense and a 90% RigL DQN, one nested a level deeper) and a folder with a corrupt
  /// run.json: all are listed with the values of their run.json, sorted by each key, and `show` prints the
  /// overrides as the differences from the presets, and the last metrics rows.
  @Test func listsSortsAndShowsRealRuns() throws {
    let folder = try temporaryFolder("browser")
    try trainTinyRun(
      at: folder.appendingPathComponent("dense"), presets: ["sparse-training/dqn-cartpole"],
      overrides: tinyDQNOverrides)
    try trainTinyRun(
      at: folder.appendingPathComponent("sweep/rigl"),
      presets: ["sparse-training/dqn-cartpole", "sparse-training/methods/dqn-rigl"],
      overrides: tinyDQNOverrides + ["seed=1", "dqn.sparsity.sparsity=0.9"])
    let broken = folder.appendingPathComponent("broken")
    try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
    try "{\"status\": ".write(to: broken.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)

    let entries = RunBrowser.find(in: folder)
    #expect(entries.map(\.name) == ["broken", "dense", "sweep/rigl"])
    #expect(entries.map(\.status) == ["unreadable", "finished", "finished"])

    // The table shows what run.json says.
    let table = RunBrowser.table(entries).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    #expect(table[0].prefix(5) == ["run", "status", "agent", "environment", "method"])
    for (row, name) in [(table[2], "dense"), (table[3], "sweep/rigl")] {
      let record = try json(folder.appendingPathComponent(name))
      let networks = try #require(record["networks"] as? [[String: Any]])
      let sparsity = try #require(networks.first?["sparsity"] as? Double)
      let score = try #require(record["final_score"] as? Double)
      #expect(row[0] == name && row[1] == "finished" && row[2] == "dqn" && row[3] == "CartPole-v1")
      #expect(row[4] == (name == "dense" ? "dense" : "rigl"))
      #expect(Double(row[5]).map { abs($0 - 100 * sparsity) <= 0.05 } == true, "\(row[5]) vs \(sparsity)")
      #expect(row[6] == "300/300" && row[7] == String(format: "%.2f", score))
    }
    #expect(table[1].prefix(2) == ["broken", "unreadable"])

    // Sorting: by each numeric key from small to large (unreadable runs last), by text keys alphabetically.
    func order(_ key: RunBrowser.SortKey) -> [String] { RunBrowser.sorted(entries, by: key).map(\.name) }
    let dense = try json(folder.appendingPathComponent("dense"))
    let rigl = try json(folder.appendingPathComponent("sweep/rigl"))
    for (key, field) in [
      (RunBrowser.SortKey.score, "final_score"), (.speed, "steps_per_second"), (.time, "wall_time_seconds"),
    ] {
      let a = try #require(dense[field] as? Double)
      let b = try #require(rigl[field] as? Double)
      #expect(
        order(key) == (a <= b ? ["dense", "sweep/rigl", "broken"] : ["sweep/rigl", "dense", "broken"]), "\(key)")
    }
    #expect(order(.sparsity) == ["dense", "sweep/rigl", "broken"])
    #expect(order(.method) == ["broken", "dense", "sweep/rigl"])
    #expect(order(.status) == ["dense", "sweep/rigl", "broken"])
    #expect(order(.name) == ["broken", "dense", "sweep/rigl"])

    // show: the summary, exactly the overridden keys as differences from the presets, the last rows.
    let details = try RunBrowser.details(of: RunDirectory.open(folder.appendingPathComponent("sweep/rigl")))
    #expect(details.contains("dqn on CartPole-v1, seed 1: finished after 300 steps"))
    #expect(
      details.contains(
        "made from: preset sparse-training/dqn-cartpole, preset sparse-training/methods/dqn-rigl, --set total_steps=300"
      ))
    #expect(details.contains("differences from sparse-training/dqn-cartpole + sparse-training/methods/dqn-rigl:"))
    let differences = details.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" -> ") }
      .map { String($0.dropFirst(2).prefix { $0 != ":" }) }
    #expect(
      Set(differences) == [
        "total_steps", "evaluation_interval", "evaluation_episodes", "checkpoint_interval", "seed",
        "dqn.learning_starts",
        "dqn.batch_size", "dqn.network.hidden_sizes", "dqn.log_interval",
      ], "\(details)")
    #expect(details.contains("  dqn.network.hidden_sizes: [512, 512] -> [32, 32]"))
    let evaluations = try String(contentsOf: folder.appendingPathComponent("sweep/rigl/eval.csv"), encoding: .utf8)
    let lastEvaluation = try #require(evaluations.split(separator: "\n").last?.split(separator: ","))
    #expect(details.contains("eval.csv (1 evaluations), step 300: mean_return \(lastEvaluation[1]),"))
    #expect(throws: RunDirectory.Problem.self) { try RunBrowser.details(of: RunDirectory(url: broken)) }
  }
}
