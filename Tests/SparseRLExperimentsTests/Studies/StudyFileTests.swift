import Foundation
import SparseRLAgents
import Testing

@testable import SparseRLExperiments

@Suite struct StudyFileTests {
  /// The grid is the product of the axes and seeds minus exclusions; names come from axis values; placeholders
  /// are filled; overlays and overrides apply in axis order with the seed last.
  @Test func gridExpandsWithExclusionsPlaceholdersAndNames() throws {
    let study = try StudyFile.parse(
      """
      name: grid
      base: ["rlx2/td3-{environment}"]
      seeds: [0, 5]
      set: {evaluation_episodes: 3}
      axes:
        environment: [hopper, ant]
        method:
          - {name: ss, configs: [rlx2/baselines/td3-static], set: ["td3.batch_size=128"]}
          - {name: tiny, configs: ["rlx2/baselines/td3-{environment}-tiny"]}
        sparsity:
          keys: [td3.actor_sparsity.sparsity, td3.critic_sparsity.sparsity]
          values: [0.8, 0.9]
      exclude:
        - {method: ss, sparsity: 0.9}
        - {environment: ant, method: tiny, sparsity: [0.8, 0.9]}
      """, source: "grid.yaml")
    let points = study.points()
    // 2 x 2 x 2 = 8 combinations; ss@0.9 removes 2, ant-tiny removes 2 -> 4, times 2 seeds.
    #expect(points.count == 8)
    #expect(points.map(\.name).first == "environment-hopper_method-ss_sparsity-0.8_seed-0")
    #expect(!points.contains { $0.value(of: "method") == "ss" && $0.value(of: "sparsity") == "0.9" })
    let tiny = try #require(points.first { $0.name == "environment-hopper_method-tiny_sparsity-0.9_seed-5" })
    #expect(tiny.configs == ["rlx2/td3-hopper", "rlx2/baselines/td3-hopper-tiny"])
    let ss = try #require(points.first { $0.name == "environment-ant_method-ss_sparsity-0.8_seed-5" })
    #expect(ss.configs == ["rlx2/td3-ant", "rlx2/baselines/td3-static"])
    #expect(
      ss.overrides == [
        "evaluation_episodes=3", "td3.batch_size=128", "td3.actor_sparsity.sparsity=0.8",
        "td3.critic_sparsity.sparsity=0.8", "seed=5",
      ])
    let experiment = try study.experiment(for: ss)
    #expect(experiment.run.seed == 5 && experiment.run.evaluationEpisodes == 3)
    #expect(experiment.resolvedYAML.contains("batch_size: 128") && experiment.resolvedYAML.contains("sparsity: 0.8"))
    // A tiny (dense) network cannot take a sparsity: that point's resolution names the keys.
    #expect(throws: ConfigError.self) { try study.experiment(for: tiny) }
  }

  /// A budget scale multiplies every step-count key of the resolved configuration (rounded, at least 1, zero kept)
  /// and nothing else; measurement intervals shrink only down to 20 measurements per run.
  @Test func budgetScalesEveryStepCountTogether() throws {
    let study = try StudyFile.parse(
      """
      name: small
      base: [rlx2/td3-halfcheetah]
      budget: 0.01
      """, source: "small.yaml")
    let point = try #require(study.points().first)
    let full = try study.experiment(for: point, budget: 1)
    let small = try study.experiment(for: point)
    #expect(full.run.totalSteps == 3_000_000 && small.run.totalSteps == 30_000)
    // 5,000 x 0.01 would be 50: 600 evaluations of 10 full episodes in a 30,000-step run. 30,000 / 20 = 1,500.
    #expect(small.run.evaluationInterval == 1_500 && small.run.checkpointInterval == 1_500)
    for (key, value) in [
      ("warmup_steps", 250), ("n_step_delay", 3_000), ("update_interval", 100), ("capacity", 10_000),
      ("min_capacity", 1_000), ("check_interval", 100), ("log_interval", 10),
    ] {
      #expect(small.resolvedYAML.contains("\(key): \(value)\n"), "\(key)")
    }
    #expect(small.resolvedYAML.contains("batch_size: 256"), "batch sizes are not step counts")
    #expect(BudgetScale(factor: 0.001).scale(0) == 0 && BudgetScale(factor: 0.001).scale(10) == 1)
    #expect(BudgetScale(factor: 0.5).scale(5) == 3)
    let scale = BudgetScale(factor: 0.1)
    #expect(scale.scaleMeasurementInterval(50_000, scaledTotalSteps: 100_000) == 5_000, "scaled, 20 per run")
    #expect(scale.scaleMeasurementInterval(100_000, scaledTotalSteps: 100_000) == 10_000, "scaled, fewer than 20")
    #expect(scale.scaleMeasurementInterval(1_000, scaledTotalSteps: 100_000) == 1_000, "never longer than full")
    #expect(scale.scaleMeasurementInterval(0, scaledTotalSteps: 100_000) == 0, "off stays off")
    let nested = try scale.overrides(
      forResolvedYAML: "total_steps: 100000\nsac:\n  diagnostics: {interval: 1000}\n  redo: {interval: 1000}\n")
    #expect(Set(nested) == ["total_steps=10000", "sac.redo.interval=100", "sac.diagnostics.interval=500"])
  }

  /// Every mistake of a study file is reported together, each naming the key.
  @Test func mistakesAreReportedTogether() {
    let error = #expect(throws: StudyFile.Problem.self) {
      try StudyFile.parse(
        """
        name: bad
        seeds: -2
        budget: 3
        colour: blue
        axes:
          method: [dense, dense]
          sparsity: {keys: [x.y]}
        exclude:
          - {method: rigl}
          - {shape: round}
        report: {task: environment}
        """, source: "bad.yaml")
    }
    let text = error?.description ?? ""
    for fragment in [
      "bad.yaml", "'seeds' must be", "'budget' must be", "unknown key 'colour'", "repeats a value name",
      "axis 'sparsity' needs 'values'", "value 'rigl', which axis 'method' does not have", "axis 'shape'",
      "report names axis 'environment'",
    ] {
      #expect(text.contains(fragment), "missing: \(fragment) in \(text)")
    }
  }

  /// Every study file of configs/studies parses and each of its points resolves (the papers' studies).
  @Test func everyStudyFileResolves() throws {
    let folder = Presets.searchFolders.last!.appendingPathComponent("studies")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
    #expect(files.count >= 11)
    for file in files {
      let study = try StudyFile.load(folder.appendingPathComponent(file).path)
      #expect(!study.points().isEmpty)
      for point in study.points() where point.seed == study.seeds[0] {
        #expect(throws: Never.self, "\(file): \(point.name)") { _ = try study.experiment(for: point) }
      }
    }
  }
}
