import Foundation

/// Writes a `StudyReport` as tables (Markdown and CSV) and figures (SVG) into a folder:
///
/// ```
/// scores.csv                  every finished run: axes, seed, score, normalised score, parameters, FLOPs ratio
/// aggregates.csv / .md        IQM, mean, median, optimality gap per group with 95% stratified-bootstrap CIs
/// improvement.csv / .md       P(group > baseline) with its CI (when a baseline is named)
/// profiles.csv                performance profiles (score distributions) with bands
/// aggregate-<metric>.svg      one bar per group with its CI
/// performance-profiles.svg    fraction of runs above each threshold, one line per group, CI bands
/// scaling.svg                 IQM against active parameters (log x), one line per value of the first group axis
/// learning-curves[-task].svg  IQM of the evaluation return against steps, CI bands
/// curve-<column>[-task].svg   IQM of a train.csv column (report.curves, --curve) against steps, CI bands
/// curves.csv                  the points and bands of those curves
/// noise[-task].svg            IQM of the return against observation-noise std (runs evaluated with --noise)
/// table2.md / table2.csv      (--paper) percent of the baseline's score per task, size and FLOP ratios
/// ```
public enum ReportWriter {
  /// Writes every table and figure; returns the files written.
  @discardableResult
  public static func write(_ report: StudyReport, to folder: URL) throws -> [URL] {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var written: [URL] = []
    func save(_ text: String, _ name: String) throws {
      let url = folder.appendingPathComponent(name)
      try AtomicFile.write(text, to: url)
      written.append(url)
    }
    try save(scoresCSV(report), "scores.csv")
    let aggregates = report.aggregates()
    try save(
      csv(
        ["group", "runs", "metric", "value", "lower", "upper"],
        aggregates.map { estimate in
          [
            estimate.group, "\(runCount(report, estimate.group))", estimate.metric.rawValue, number(estimate.value),
            number(estimate.lower), number(estimate.upper),
          ]
        }), "aggregates.csv")
    try save(aggregatesMarkdown(report, aggregates), "aggregates.md")
    for metric in AggregateMetric.allCases {
      var chart = SVGChart(
        title: "\(metric.title) (95% stratified-bootstrap CI)", xLabel: "group", yLabel: report.scoreLabel)
      chart.bars = aggregates.filter { $0.metric == metric }.map {
        SVGChart.Bar(name: $0.group, value: $0.value, lower: $0.lower, upper: $0.upper)
      }
      try save(chart.render(), "aggregate-\(metric.rawValue).svg")
    }
    let improvements = report.improvements()
    if !improvements.isEmpty {
      try save(
        csv(
          ["group", "baseline", "probability_of_improvement", "lower", "upper"],
          improvements.map {
            [$0.group, $0.baseline, number($0.value), number($0.lower), number($0.upper)]
          }), "improvement.csv")
      try save(
        "| P(X > Y) | Y | estimate | 95% CI |\n|---|---|---|---|\n"
          + improvements.map {
            "| \($0.group) | \($0.baseline) | \(fixed($0.value)) | [\(fixed($0.lower)), \(fixed($0.upper))] |"
          }
          .joined(separator: "\n") + "\n", "improvement.md")
    }
    let thresholds = report.profileThresholds
    let profiles = report.profiles()
    var profileRows: [[String]] = []
    for profile in profiles {
      for (index, tau) in thresholds.enumerated() {
        profileRows.append([
          profile.group, number(tau), number(profile.values[index]), number(profile.band[index].lower),
          number(profile.band[index].upper),
        ])
      }
    }
    try save(csv(["group", "threshold", "fraction_above", "lower", "upper"], profileRows), "profiles.csv")
    var profileChart = SVGChart(
      title: "Performance profiles", xLabel: "\(report.scoreLabel) τ", yLabel: "fraction of runs with score > τ")
    profileChart.series = profiles.map { profile in
      SVGChart.Series(
        name: profile.group, points: zip(thresholds, profile.values).map { ($0, $1) }, band: profile.band,
        dashed: profile.group.contains("dense"))
    }
    try save(profileChart.render(), "performance-profiles.svg")
    if let scaling = scalingChart(report) { try save(scaling.render(), "scaling.svg") }
    for (task, chart) in learningCurveCharts(report) {
      try save(chart.render(), task == nil ? "learning-curves.svg" : "learning-curves-\(StudyPoint.safe(task!)).svg")
    }
    let training = try trainingCurveCharts(report)
    for (name, chart) in training.charts { try save(chart.render(), name) }
    if !training.rows.isEmpty {
      try save(csv(["column", "group", "task", "step", "iqm", "lower", "upper"], training.rows), "curves.csv")
    }
    for (task, chart) in noiseCharts(report) {
      try save(chart.render(), task == nil ? "noise.svg" : "noise-\(StudyPoint.safe(task!)).svg")
    }
    if report.paper {
      let table = try paperTable(report)
      try save(table.markdown, "table2.md")
      try save(table.csv, "table2.csv")
    }
    return written
  }

  static func runCount(_ report: StudyReport, _ label: String) -> Int {
    report.groups.first { $0.label == label }?.runs.count ?? 0
  }

  static func number(_ value: Double) -> String { MetricsCSV.format(value) }
  static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }

  static func csv(_ header: [String], _ rows: [[String]]) -> String {
    func cell(_ text: String) -> String {
      text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
    return ([header] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  static func scoresCSV(_ report: StudyReport) -> String {
    let axes = report.results.axisOrder
    var rows: [[String]] = []
    for group in report.groups {
      var position: [String: Int] = [:]  // the scores of a task are in the order of the group's runs
      for run in group.runs {
        let task = report.taskName(of: run)
        let index = position[task, default: 0]
        position[task] = index + 1
        let parameters = run.record.parameters
        rows.append(
          [run.name] + axes.map { run.axes[$0] ?? "" } + [
            "\(run.seed)", number(run.score), number(group.scores[task]![index]), "\(parameters.active)",
            "\(parameters.total)", number(run.record.trainingFLOPsRatio),
          ])
      }
    }
    return csv(
      ["run"] + axes + [
        "seed", "score", "normalised_score", "active_parameters", "total_parameters",
        "training_flops_ratio",
      ], rows)
  }

  static func aggregatesMarkdown(_ report: StudyReport, _ aggregates: [StudyReport.Estimate]) -> String {
    var lines = [
      "Scores: \(report.scoreLabel); 95% stratified-bootstrap CIs over \(report.bootstrap.replicates) replicates; "
        + "tasks: \(report.tasks.joined(separator: ", ")).", "",
      "| group | runs | " + AggregateMetric.allCases.map(\.title).joined(separator: " | ") + " |",
      "|---|---|" + String(repeating: "---|", count: AggregateMetric.allCases.count),
    ]
    for group in report.groups {
      let cells = AggregateMetric.allCases.map { metric -> String in
        guard let estimate = aggregates.first(where: { $0.group == group.label && $0.metric == metric }) else {
          return ""
        }
        return "\(fixed(estimate.value)) [\(fixed(estimate.lower)), \(fixed(estimate.upper))]"
      }
      lines.append("| \(group.label) | \(group.runs.count) | " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// IQM against mean active parameters, one line per value of the first group axis (needs two group axes).
  static func scalingChart(_ report: StudyReport) -> SVGChart? {
    guard report.groupAxes.count >= 2 else { return nil }
    let seriesAxis = report.groupAxes[0]
    var chart = SVGChart(
      title: "Scaling: IQM against active parameters (95% CI)", xLabel: "active parameters", yLabel: report.scoreLabel,
      logX: true)
    for value in report.results.axisValues[seriesAxis] ?? [] {
      let members = report.groups.filter { $0.values[seriesAxis] == value }
      guard !members.isEmpty else { continue }
      var points: [(x: Double, y: Double, lower: Double, upper: Double)] = members.map { group in
        let parameters = group.runs.map { Double($0.record.parameters.active) }
        let scores = report.matrix(group)
        let interval = report.bootstrap.interval(scores) { AggregateMetric.iqm($0) }
        return (
          parameters.reduce(0, +) / Double(parameters.count), AggregateMetric.iqm(scores), interval.lower,
          interval.upper
        )
      }
      points.sort { $0.x < $1.x }
      chart.series.append(
        SVGChart.Series(
          name: value, points: points.map { ($0.x, $0.y) }, band: points.map { ($0.lower, $0.upper) },
          dashed: value == "dense"))
    }
    if let baseline = report.baselineGroup {
      chart.horizontalLines.append((AggregateMetric.iqm(report.matrix(baseline)), "baseline \(baseline.label)"))
    }
    let at80 = report.results.runs.filter { $0.axes["sparsity"] == "0.8" }.map { Double($0.record.parameters.active) }
    if !at80.isEmpty { chart.verticalLines.append((at80.reduce(0, +) / Double(at80.count), "80% sparsity")) }
    return chart
  }

  /// IQM over runs of the evaluation return at each evaluation step, per group, one chart per task.
  static func learningCurveCharts(_ report: StudyReport) -> [(String?, SVGChart)] {
    curveCharts(report, title: "Learning curves", yLabel: "evaluation return") { run in
      run.curve.map { ($0.step, $0.meanReturn) }
    }.map { ($0.task, $0.chart) }
  }

  /// The points of one curve of one group: step, IQM over runs, and its 95% interval.
  struct CurvePoint {
    var group: String
    var task: String
    var step: Int
    var iqm: Double
    var lower: Double
    var upper: Double
  }

  /// IQM over a group's runs of a per-run series at each step it was recorded, with stratified-bootstrap bands
  /// (at most 500 replicates per point), one chart per task, one line per group.
  static func curveCharts(
    _ report: StudyReport, title: String, yLabel: String, series: (StudyResults.Run) throws -> [(Int, Double)]
  ) rethrows -> [(task: String?, chart: SVGChart, points: [CurvePoint])] {
    let curveBootstrap = StratifiedBootstrap(
      replicates: min(report.bootstrap.replicates, 500), size: report.bootstrap.size, seed: report.bootstrap.seed)
    return try report.tasks.map { task in
      var chart = SVGChart(
        title: title + (report.task == nil ? "" : ": \(task)") + " (IQM, 95% CI)", xLabel: "environment steps",
        yLabel: yLabel)
      var all: [CurvePoint] = []
      for group in report.groups {
        let runs = group.runs.filter { report.task == nil || $0.axes[report.task!] == task }
        var byStep: [Int: [Double]] = [:]
        for run in runs {
          for (step, value) in try series(run) where value.isFinite { byStep[step, default: []].append(value) }
        }
        guard !byStep.isEmpty else { continue }
        var points: [(x: Double, y: Double)] = []
        var band: [(lower: Double, upper: Double)] = []
        for (step, values) in byStep.sorted(by: { $0.key < $1.key }) {
          let scores = ScoreMatrix(columns: [values])
          let iqm = AggregateMetric.iqm(scores)
          let interval = curveBootstrap.interval(scores) { AggregateMetric.iqm($0) }
          points.append((Double(step), iqm))
          band.append(interval)
          all.append(
            CurvePoint(
              group: group.label, task: task, step: step, iqm: iqm, lower: interval.lower, upper: interval.upper))
        }
        chart.series.append(
          SVGChart.Series(name: group.label, points: points, band: band, dashed: group.label.contains("dense")))
      }
      return (report.task == nil ? nil : task, chart, all)
    }
  }

  /// The charts of the `train.csv` columns named in `report.curves`, with their points as CSV rows.
  static func trainingCurveCharts(_ report: StudyReport) throws -> (
    charts: [(name: String, chart: SVGChart)], rows: [[String]]
  ) {
    var charts: [(name: String, chart: SVGChart)] = []
    var rows: [[String]] = []
    for column in report.curves {
      for (task, chart, points) in try curveCharts(
        report, title: column, yLabel: column,
        series: {
          try $0.trainingCurve(column)
        })
      {
        let file = "curve-" + StudyPoint.safe(column) + (task.map { "-" + StudyPoint.safe($0) } ?? "") + ".svg"
        charts.append((file, chart))
        rows += points.map {
          [column, $0.group, $0.task, "\($0.step)", number($0.iqm), number($0.lower), number($0.upper)]
        }
      }
    }
    return (charts, rows)
  }

  /// IQM of the mean return against the observation-noise standard deviation (`evaluate --noise`), per task.
  static func noiseCharts(_ report: StudyReport) -> [(String?, SVGChart)] {
    guard report.results.runs.contains(where: { !$0.noise.isEmpty }) else { return [] }
    return report.tasks.map { task -> (String?, SVGChart) in
      var chart = SVGChart(
        title: "Observation noise" + (report.task == nil ? "" : ": \(task)") + " (IQM, 95% CI)",
        xLabel: "observation noise standard deviation", yLabel: "evaluation return")
      for group in report.groups {
        let runs = group.runs.filter { (report.task == nil || $0.axes[report.task!] == task) && !$0.noise.isEmpty }
        let sigmas = Array(Set(runs.flatMap { $0.noise.map(\.sigma) })).sorted()
        guard !sigmas.isEmpty else { continue }
        var points: [(x: Double, y: Double)] = []
        var band: [(lower: Double, upper: Double)] = []
        for sigma in sigmas {
          let values = runs.compactMap { run in run.noise.first { $0.sigma == sigma }?.meanReturn }
          let scores = ScoreMatrix(columns: [values])
          points.append((sigma, AggregateMetric.iqm(scores)))
          band.append(report.bootstrap.interval(scores) { AggregateMetric.iqm($0) })
        }
        chart.series.append(
          SVGChart.Series(name: group.label, points: points, band: band, dashed: group.label.contains("dense")))
      }
      return (report.task == nil ? nil : task, chart)
    }
  }

  /// RLx2's Table 2: per method (group) and task, the mean score as a percent of the baseline's mean score, and
  /// the model size (active parameters) and training FLOPs per sample relative to the baseline, averaged over tasks.
  static func paperTable(_ report: StudyReport) throws -> (markdown: String, csv: String) {
    guard let reference = report.baselineGroup else {
      throw StudyFile.Problem(description: "--paper needs a baseline group (--baseline method=dense)")
    }
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
    func runs(_ group: StudyReport.Group, _ task: String) -> [StudyResults.Run] {
      group.runs.filter { report.task == nil || $0.axes[report.task!] == task }
    }
    var markdown = [
      "| method | " + report.tasks.joined(separator: " | ") + " | average | size | FLOPs |",
      "|---|" + String(repeating: "---|", count: report.tasks.count + 3),
    ]
    var rows: [[String]] = []
    for group in report.groups {
      var percents: [Double] = []
      var sizes: [Double] = []
      var flops: [Double] = []
      var cells: [String] = []
      for task in report.tasks {
        let mine = runs(group, task)
        let theirs = runs(reference, task)
        guard !mine.isEmpty, !theirs.isEmpty else {
          cells.append("–")
          continue
        }
        let percent = 100 * mean(mine.map(\.score)) / mean(theirs.map(\.score))
        percents.append(percent)
        cells.append(String(format: "%.1f%%", percent))
        sizes.append(
          mean(mine.map { Double($0.record.parameters.active) })
            / mean(theirs.map { Double($0.record.parameters.active) }))
        flops.append(
          mean(mine.map { $0.record.trainingFLOPsRatio * Double(flopsOfDense($0.record)) })
            / mean(theirs.map { $0.record.trainingFLOPsRatio * Double(flopsOfDense($0.record)) }))
      }
      let average = percents.isEmpty ? "–" : String(format: "%.1f%%", mean(percents))
      let size = sizes.isEmpty ? "–" : String(format: "%.1f%%", 100 * mean(sizes))
      let flop = flops.isEmpty ? "–" : String(format: "%.1f%%", 100 * mean(flops))
      markdown.append("| \(group.label) | " + (cells + [average, size, flop]).joined(separator: " | ") + " |")
      rows.append([group.label] + cells + [average, size, flop])
    }
    let note =
      "Percent of the \(reference.label) score per task (mean final score over seeds); size: active parameters, "
      + "FLOPs: training FLOPs per sample, both relative to \(reference.label), averaged over tasks."
    return (
      note + "\n\n" + markdown.joined(separator: "\n") + "\n",
      csv(["method"] + report.tasks + ["average", "size", "flops"], rows)
    )
  }

  /// Training FLOPs per sample of the run's networks if they were dense (the denominator of its FLOPs ratio).
  static func flopsOfDense(_ record: RunRecord) -> Double {
    record.networks.reduce(0) { $0 + $1.denseTrainingFLOPsPerSample }
  }
}
