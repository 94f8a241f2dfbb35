import Foundation

/// A small SVG chart: one plot area with labelled axes and ticks (linear or log-10 x), line series with optional
/// confidence bands, bars with error bars, reference lines and a legend. Every element carries a `class`
/// (`axis`, `tick`, `series`, `band`, `bar`, `error-bar`, `legend`, `reference`) and series carry
/// `data-series="<name>"`, so tests and scripts can check a figure's content.
public struct SVGChart {
  /// A line through points, with an optional band (lower, upper per point) and a dash style.
  public struct Series {
    /// The legend entry (and `data-series`).
    public var name: String
    /// The points, in data coordinates.
    public var points: [(x: Double, y: Double)]
    /// Lower and upper bound at each point (drawn as a shaded band).
    public var band: [(lower: Double, upper: Double)]?
    /// Whether the line is dashed.
    public var dashed = false
    /// A series through `points`, optionally with a band and dashed.
    public init(
      name: String, points: [(x: Double, y: Double)], band: [(lower: Double, upper: Double)]? = nil,
      dashed: Bool = false
    ) {
      self.name = name
      self.points = points
      self.band = band
      self.dashed = dashed
    }
  }

  /// A bar with its interval.
  public struct Bar {
    /// The label under the bar.
    public var name: String
    /// The bar height.
    public var value: Double
    /// Lower end of the error bar.
    public var lower: Double
    /// Upper end of the error bar.
    public var upper: Double
    /// A bar of height `value` with error bar `[lower, upper]`.
    public init(name: String, value: Double, lower: Double, upper: Double) {
      self.name = name
      self.value = value
      self.lower = lower
      self.upper = upper
    }
  }

  /// The title above the plot.
  public var title: String
  /// The x-axis label.
  public var xLabel: String
  /// The y-axis label.
  public var yLabel: String
  /// Whether the x axis is log-10.
  public var logX = false
  /// Line series.
  public var series: [Series] = []
  /// Bars (drawn at evenly spaced positions).
  public var bars: [Bar] = []
  /// Vertical reference lines with their labels.
  public var verticalLines: [(x: Double, label: String)] = []
  /// Horizontal reference lines with their labels.
  public var horizontalLines: [(y: Double, label: String)] = []
  /// Width of the figure in pixels.
  public var width = 640.0
  /// Height of the figure in pixels.
  public var height = 420.0

  /// An empty chart with these labels.
  public init(title: String, xLabel: String, yLabel: String, logX: Bool = false) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.logX = logX
  }

  static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
  ]

  /// The figure as SVG text.
  public func render() -> String {
    let left = 70.0
    let right = series.isEmpty ? 30.0 : 170.0  // room for the legend
    let top = 40.0
    let bottom = 55.0
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    var xs: [Double] = []
    var ys: [Double] = []
    for s in series {
      xs += s.points.map(\.x)
      ys += s.points.map(\.y)
      ys += (s.band ?? []).flatMap { [$0.lower, $0.upper] }
    }
    for bar in bars { ys += [bar.value, bar.lower, bar.upper, 0] }
    xs += verticalLines.map(\.x)
    ys += horizontalLines.map(\.y)
    if !bars.isEmpty { xs += [0, Double(bars.count)] }
    if logX { xs = xs.filter { $0 > 0 }.map(log10) }
    var xRange = Self.range(xs.filter(\.isFinite))
    var yRange = Self.range(ys.filter(\.isFinite))
    if bars.isEmpty && !logX { xRange = Self.nice(xRange) }
    yRange = Self.nice(yRange)
    func px(_ x: Double) -> Double {
      let value = logX ? log10(max(x, 1e-300)) : x
      return left + (value - xRange.0) / (xRange.1 - xRange.0) * plotWidth
    }
    func py(_ y: Double) -> Double { top + (1 - (y - yRange.0) / (yRange.1 - yRange.0)) * plotHeight }
    var out: [String] = []
    out.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">"
    )
    out.append("<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>")
    out.append(
      "<text class=\"title\" x=\"\(f(left + plotWidth / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>"
    )
    // Axes and ticks.
    out.append(
      "<line class=\"axis x-axis\" x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>"
    )
    out.append(
      "<line class=\"axis y-axis\" x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>"
    )
    for tick in Self.ticks(yRange) {
      let y = py(tick)
      out.append(
        "<line class=\"tick y-tick\" x1=\"\(f(left - 5))\" y1=\"\(f(y))\" x2=\"\(f(left))\" y2=\"\(f(y))\" stroke=\"black\"/>"
      )
      out.append(
        "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e0e0e0\"/>"
      )
      out.append(
        "<text class=\"tick-label\" x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>"
      )
    }
    if bars.isEmpty {
      let ticks = logX ? Self.logTicks(xRange) : Self.ticks(xRange)
      for tick in ticks {
        let x = logX ? left + (log10(tick) - xRange.0) / (xRange.1 - xRange.0) * plotWidth : px(tick)
        out.append(
          "<line class=\"tick x-tick\" x1=\"\(f(x))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight + 5))\" stroke=\"black\"/>"
        )
        out.append(
          "<text class=\"tick-label\" x=\"\(f(x))\" y=\"\(f(top + plotHeight + 19))\" text-anchor=\"middle\">\(Self.label(tick))</text>"
        )
      }
    }
    out.append(
      "<text class=\"axis-label x-label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>"
    )
    out.append(
      "<text class=\"axis-label y-label\" x=\"18\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">\(escape(yLabel))</text>"
    )
    // Bars.
    let slot = bars.isEmpty ? 0 : plotWidth / Double(bars.count)
    for (index, bar) in bars.enumerated() {
      let color = Self.palette[index % Self.palette.count]
      let x0 = left + Double(index) * slot + slot * 0.15
      let barWidth = slot * 0.7
      let y0 = py(max(bar.value, 0))
      let y1 = py(min(bar.value, 0))
      out.append(
        "<rect class=\"bar\" data-series=\"\(escape(bar.name))\" x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(barWidth))\" height=\"\(f(max(y1 - y0, 0.5)))\" fill=\"\(color)\" fill-opacity=\"0.75\"/>"
      )
      let middle = x0 + barWidth / 2
      out.append(
        "<path class=\"error-bar\" data-series=\"\(escape(bar.name))\" d=\"M\(f(middle)),\(f(py(bar.lower)))V\(f(py(bar.upper)))M\(f(middle - 6)),\(f(py(bar.lower)))h12M\(f(middle - 6)),\(f(py(bar.upper)))h12\" stroke=\"black\" stroke-width=\"1.5\" fill=\"none\"/>"
      )
      out.append(
        "<text class=\"tick-label bar-label\" x=\"\(f(middle))\" y=\"\(f(top + plotHeight + 19))\" text-anchor=\"middle\">\(escape(bar.name))</text>"
      )
    }
    // Bands, then lines.
    for (index, s) in series.enumerated() {
      guard let band = s.band, band.count == s.points.count, !band.isEmpty else { continue }
      let color = Self.palette[index % Self.palette.count]
      let upper = zip(s.points, band).map { "\(f(px($0.0.x))),\(f(py($0.1.upper)))" }
      let lower = zip(s.points, band).reversed().map { "\(f(px($0.0.x))),\(f(py($0.1.lower)))" }
      out.append(
        "<polygon class=\"band\" data-series=\"\(escape(s.name))\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.2\" stroke=\"none\"/>"
      )
    }
    for (index, s) in series.enumerated() {
      let color = Self.palette[index % Self.palette.count]
      let path = s.points.enumerated().map {
        "\($0.offset == 0 ? "M" : "L")\(f(px($0.element.x))),\(f(py($0.element.y)))"
      }
      .joined()
      out.append(
        "<path class=\"series\" data-series=\"\(escape(s.name))\" d=\"\(path)\" stroke=\"\(color)\" stroke-width=\"2\" fill=\"none\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/>"
      )
      for point in s.points {
        out.append(
          "<circle class=\"marker\" data-series=\"\(escape(s.name))\" cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"2.5\" fill=\"\(color)\"/>"
        )
      }
    }
    for line in verticalLines {
      out.append(
        "<line class=\"reference\" x1=\"\(f(px(line.x)))\" y1=\"\(f(top))\" x2=\"\(f(px(line.x)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#555\" stroke-dasharray=\"3,3\"><title>\(escape(line.label))</title></line>"
      )
    }
    for line in horizontalLines {
      out.append(
        "<line class=\"reference\" x1=\"\(f(left))\" y1=\"\(f(py(line.y)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(line.y)))\" stroke=\"#555\" stroke-dasharray=\"3,3\"><title>\(escape(line.label))</title></line>"
      )
    }
    // Legend.
    for (index, s) in series.enumerated() {
      let y = top + 10 + Double(index) * 18
      let x = left + plotWidth + 15
      let color = Self.palette[index % Self.palette.count]
      out.append(
        "<g class=\"legend\" data-series=\"\(escape(s.name))\"><line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 22))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/><text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(escape(s.name))</text></g>"
      )
    }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  private func f(_ value: Double) -> String { String(format: "%.2f", value) }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func range(_ values: [Double]) -> (Double, Double) {
    guard let low = values.min(), let high = values.max() else { return (0, 1) }
    if low == high { return (low - 0.5, high + 0.5) }
    return (low, high)
  }

  /// Widens a range to a round tick step.
  static func nice(_ range: (Double, Double)) -> (Double, Double) {
    let step = tickStep(range)
    return ((range.0 / step).rounded(.down) * step, (range.1 / step).rounded(.up) * step)
  }

  static func tickStep(_ range: (Double, Double)) -> Double {
    let raw = (range.1 - range.0) / 5
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let normalised = raw / magnitude
    return (normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10) * magnitude
  }

  static func ticks(_ range: (Double, Double)) -> [Double] {
    let step = tickStep(range)
    var values: [Double] = []
    var value = (range.0 / step).rounded(.up) * step
    while value <= range.1 + step * 1e-9 {
      values.append(abs(value) < step * 1e-9 ? 0 : value)
      value += step
    }
    return values
  }

  /// Powers of ten (and 2x, 5x when the range spans less than two decades) inside a log10 range.
  static func logTicks(_ range: (Double, Double)) -> [Double] {
    let multipliers: [Double] = range.1 - range.0 < 2 ? [1, 2, 5] : [1]
    var values: [Double] = []
    for exponent in Int(range.0.rounded(.down))...Int(range.1.rounded(.up)) {
      for m in multipliers {
        let value = m * pow(10, Double(exponent))
        if log10(value) >= range.0 - 1e-9 && log10(value) <= range.1 + 1e-9 { values.append(value) }
      }
    }
    return values.isEmpty ? [pow(10, range.0)] : values
  }

  static func label(_ value: Double) -> String {
    let magnitude = abs(value)
    if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) { return String(format: "%.0e", value) }
    if magnitude >= 1e3 { return String(format: "%gk", value / 1e3) }
    if value == value.rounded() { return String(format: "%.0f", value) }
    return String(format: "%g", (value * 1e6).rounded() / 1e6)
  }
}
