import Foundation
import SparseRLTestSupport
import Testing
import Yams

@testable import SparseRLExperiments

/// A synthetic study folder: tasks a and b, methods dense (sparsity 0.5 only) and rigl at sparsities 0.5 and 0.9,
/// three seeds; each run has run.json (score, parameter and FLOP accounting), eval.csv, evaluation.csv and a
/// train.csv whose diagnostics column `critic1/dormant_0.1` is filled every other row (`dormantRatio`).
private func writeSyntheticStudy(_ folder: URL) throws -> (scores: [String: Double], study: StudyFile) {
  let study = try StudyFile.parse(
    """
    name: synthetic
    seeds: 3
    axes:
      environment: [a, b]
      method: [dense, rigl]
      sparsity: [0.5, 0.9]
    exclude:
      - {method: dense, sparsity: 0.9}
    report: {task: environment, group: [method, sparsity], baseline: {method: dense}, curves: [critic1/dormant_0.1]}
    """, source: "synthetic.yaml")
  let directory = StudyDirectory(url: folder)
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  try AtomicFile.write(try YAMLEncoder().encode(ResolvedStudy(study: study, budget: 1)), to: directory.resolvedStudy)
  var scores: [String: Double] = [:]
  for (index, point) in study.points().enumerated() {
    let task = point.value(of: "environment")!
    let method = point.value(of: "method")!
    let sparsity = Double(point.value(of: "sparsity")!)!
    let base = task == "a" ? 100.0 : 10.0
    let factor = method == "dense" ? 1.0 : (sparsity == 0.5 ? 0.9 : 0.6)
    let score = base * factor * (1 + 0.1 * Double(point.seed - 1)) + Double(index % 3)
    scores[point.name] = score
    let active = method == "dense" ? 10_000 : Int(10_000 * (1 - sparsity))
    // Old key spelling (inference_flo_ps) for task a, new (inference_flops) for task b: both must be read.
    let flops = task == "a" ? "flo_ps" : "flops"
    let run = directory.run(point.name).url
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    try """
    {"status": "finished", "version": "test", "agent": "sac", "environment": "\(task)", "seed": \(point.seed),
     "total_steps": 3000, "environment_steps": 3000, "final_score": \(score), "evaluations": 3,
     "wall_time_seconds": 1, "steps_per_second": 3000,
     "networks": [{"role": "actor", "method": "\(method)", "active_weights": \(active), "total_weights": 10000,
       "biases": 0, "sparsity": \(method == "dense" ? 0 : sparsity), "sparse_bytes": 1, "dense_bytes": 1,
       "inference_\(flops)": \(2 * active), "dense_inference_\(flops)": 20000,
       "training_\(flops)_per_sample": \(6 * active), "dense_training_\(flops)_per_sample": 60000}]}
    """.write(to: run.appendingPathComponent("run.json"), atomically: true, encoding: .utf8)
    try
      "step,mean_return,std_return,min_return,max_return,mean_length\n1000,\(score / 3),0,0,0,1\n2000,\(score / 2),0,0,0,1\n3000,\(score),0,0,0,1\n"
      .write(to: run.appendingPathComponent("eval.csv"), atomically: true, encoding: .utf8)
    try
      "noise,mean_return,std_return,min_return,max_return,mean_length,episodes\n0,\(score),0,0,0,1,5\n0.1,\(score * 0.8),0,0,0,1,5\n0.2,\(score * (method == "dense" ? 0.5 : 0.6)),0,0,0,1,5\n"
      .write(to: run.appendingPathComponent("evaluation.csv"), atomically: true, encoding: .utf8)
    try
      "step,critic_loss,critic1/dormant_0.1\n500,1,\n1000,0.5,\(dormantRatio(score, 1000))\n1500,0.4,\n2000,0.3,\(dormantRatio(score, 2000))\n"
      .write(to: run.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
  }
  return (scores, study)
}

/// The synthetic dormant ratio of a run with final score `score` at `step`.
private func dormantRatio(_ score: Double, _ step: Int) -> Double { Double(step) / 10_000 + score / 1_000 }

private func csvRows(_ url: URL) throws -> [[String: String]] {
  let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
  }
  return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0).map { ($0, $1) }) }
}

private func count(_ text: String, _ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

@Suite struct ReportTests {
  /// Scores are normalised per task by the dense runs' mean; aggregates are the metrics of each group's
  /// normalised score matrix; the paper table gives percent of dense per task with size and FLOP ratios.
  @Test func reportNormalisesGroupsAndWritesTables() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-report-\(UUID().uuidString)")
    let (scores, study) = try writeSyntheticStudy(folder)
    var options = StudyReport.Options()
    options.replicates = 300
    options.paper = true
    let report = try StudyReport(results: StudyResults.load([folder]), options: options)
    let output = folder.appendingPathComponent("report")
    try ReportWriter.write(report, to: output)
    #expect(report.groups.map(\.label) == ["dense / 0.5", "rigl / 0.5", "rigl / 0.9"])

    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    let points = study.points()
    func runs(_ task: String, _ method: String, _ sparsity: String) -> [StudyPoint] {
      points.filter {
        $0.value(of: "environment") == task && $0.value(of: "method") == method && $0.value(of: "sparsity") == sparsity
      }
    }
    let denseMean = [
      "a": mean(runs("a", "dense", "0.5").map { scores[$0.name]! }),
      "b": mean(runs("b", "dense", "0.5").map { scores[$0.name]! }),
    ]
    let rows = try csvRows(output.appendingPathComponent("scores.csv"))
    #expect(rows.count == 18)
    for row in rows {
      let expected = scores[row["run"]!]! / denseMean[row["environment"]!]!
      #expect(abs(Double(row["normalised_score"]!)! - expected) < 1e-12, "\(row)")
    }
    let aggregates = try csvRows(output.appendingPathComponent("aggregates.csv"))
    for (method, sparsity) in [("dense", "0.5"), ("rigl", "0.5"), ("rigl", "0.9")] {
      let matrix = ScoreMatrix(
        columns: ["a", "b"].map { task in
          runs(task, method, sparsity).map { scores[$0.name]! / denseMean[task]! }
        })
      for metric in AggregateMetric.allCases {
        let row = try #require(
          aggregates.first { $0["group"] == "\(method) / \(sparsity)" && $0["metric"] == metric.rawValue })
        #expect(abs(Double(row["value"]!)! - metric(matrix)) < 1e-12)
        #expect(
          Double(row["lower"]!)! <= Double(row["value"]!)! + 1e-12
            && Double(row["value"]!)! <= Double(row["upper"]!)! + 1e-12)
      }
    }
    let improvement = try csvRows(output.appendingPathComponent("improvement.csv"))
    #expect(improvement.map { $0["group"]! } == ["rigl / 0.5", "rigl / 0.9"])
    let table = try csvRows(output.appendingPathComponent("table2.csv"))
    let rigl9 = try #require(table.first { $0["method"] == "rigl / 0.9" })
    let expectedA = 100 * mean(runs("a", "rigl", "0.9").map { scores[$0.name]! }) / denseMean["a"]!
    #expect(rigl9["a"] == String(format: "%.1f%%", expectedA))
    #expect(rigl9["size"] == "10.0%" && rigl9["flops"] == "10.0%")
    #expect(table.first { $0["method"] == "dense / 0.5" }?["a"] == "100.0%")
  }

  /// `report.curves` plots a train.csv column: at each step it was recorded (rows where it is empty are skipped), the
  /// IQM over the group's runs on that task, computed here from the runs' values (scipy's 25% trimmed mean: 3
  /// runs, trim 0 each side, so the plain mean); an unknown column is refused by name.
  @Test func trainingCurvesAreTheIQMOfEachStep() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-curves-\(UUID().uuidString)")
    let (scores, study) = try writeSyntheticStudy(folder)
    var options = StudyReport.Options()
    options.replicates = 100  // the curves from the study file's report.curves
    let report = try StudyReport(results: StudyResults.load([folder]), options: options)
    let output = folder.appendingPathComponent("report")
    try ReportWriter.write(report, to: output)
    let rows = try csvRows(output.appendingPathComponent("curves.csv"))
    #expect(rows.count == 2 * 3 * 2, "2 tasks x 3 groups x 2 recorded steps")
    for row in rows {
      let members = study.points().filter {
        $0.value(of: "environment") == row["task"]
          && "\($0.value(of: "method")!) / \($0.value(of: "sparsity")!)" == row["group"]
      }
      #expect(members.count == 3)
      let step = Int(row["step"]!)!
      let values = members.map { dormantRatio(scores[$0.name]!, step) }
      #expect(abs(Double(row["iqm"]!)! - values.reduce(0, +) / 3) < 1e-12, "\(row)")
      #expect(Double(row["lower"]!)! >= values.min()! - 1e-12 && Double(row["upper"]!)! <= values.max()! + 1e-12)
    }
    let chart = try String(
      contentsOf: output.appendingPathComponent("curve-critic1_dormant_0.1-a.svg"), encoding: .utf8)
    #expect(count(chart, "class=\"series\"") == 3 && count(chart, "class=\"band\"") == 3)

    options.curves = ["critic1/no_such_column"]
    let unknown = try StudyReport(results: StudyResults.load([folder]), options: options)
    #expect {
      try ReportWriter.write(unknown, to: folder.appendingPathComponent("report-unknown"))
    } throws: { error in
      String(describing: error).contains("critic1/no_such_column")
    }
  }

  /// Every figure names its axes, has one line (or bar) per group and a CI band per line, and renders to a PNG
  /// of the SVG's size with rsvg-convert (Debian's librsvg2-bin; scripts/setup-figures.sh installs it).
  @Test func figuresHaveTheirContentAndRender() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-figures-\(UUID().uuidString)")
    _ = try writeSyntheticStudy(folder)
    var options = StudyReport.Options()
    options.replicates = 200
    let report = try StudyReport(results: StudyResults.load([folder]), options: options)
    let output = folder.appendingPathComponent("report")
    try ReportWriter.write(report, to: output)
    func svg(_ name: String) throws -> String {
      try String(contentsOf: output.appendingPathComponent(name), encoding: .utf8)
    }
    let groups = ["dense / 0.5", "rigl / 0.5", "rigl / 0.9"]
    for name in ["performance-profiles.svg", "learning-curves-a.svg", "learning-curves-b.svg", "noise-a.svg"] {
      let text = try svg(name)
      #expect(count(text, "class=\"axis x-axis\"") == 1 && count(text, "class=\"axis y-axis\"") == 1, "\(name)")
      #expect(count(text, "class=\"axis-label x-label\"") == 1 && count(text, "class=\"axis-label y-label\"") == 1)
      #expect(count(text, "class=\"series\"") == groups.count, "\(name)")
      #expect(count(text, "class=\"band\"") == groups.count, "\(name)")
      for group in groups { #expect(text.contains("class=\"series\" data-series=\"\(group)\""), "\(name): \(group)") }
      #expect(count(text, "class=\"tick x-tick\"") >= 2 && count(text, "class=\"tick y-tick\"") >= 2, "\(name)")
    }
    #expect(try svg("noise-a.svg").contains("observation noise standard deviation"))
    #expect(try svg("learning-curves-a.svg").contains(">environment steps<"))
    let scaling = try svg("scaling.svg")
    #expect(count(scaling, "class=\"series\"") == 2 && count(scaling, "class=\"band\"") == 2)
    #expect(scaling.contains(">active parameters<") && scaling.contains(">1k<"), "log-x ticks at powers of ten")
    #expect(count(scaling, "class=\"reference\"") == 1, "the dense baseline line")
    let bars = try svg("aggregate-iqm.svg")
    #expect(count(bars, "class=\"bar\"") == 3 && count(bars, "class=\"error-bar\"") == 3)

    // A real renderer: rsvg-convert must turn each figure into a PNG of the declared size.
    let renderer = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let renderer else {
      // Required in CI (scripts/test.sh installs it); skipped on a machine without it.
      if PythonReference.isRequired { Issue.record("rsvg-convert not found: run scripts/setup-figures.sh") }
      return
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".svg") }
    #expect(files.count >= 10)
    for file in files {
      let png = output.appendingPathComponent(file.replacingOccurrences(of: ".svg", with: ".png"))
      let process = Process()
      process.executableURL = URL(fileURLWithPath: renderer)
      process.arguments = ["--format", "png", "--output", png.path, output.appendingPathComponent(file).path]
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "rsvg-convert \(file)")
      let bytes = try [UInt8](Data(contentsOf: png))
      #expect(bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(file) is a PNG")
      let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
      let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
      #expect(width == 640 && height == 420, "\(file): \(width)x\(height)")
      #expect(bytes.count > 8_000, "\(file) has drawn content (\(bytes.count) bytes)")
    }
  }
}
