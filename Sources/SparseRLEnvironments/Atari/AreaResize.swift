/// OpenCV's `cv::resize` with `INTER_AREA` for one-channel 8-bit images shrunk by a non-integer factor (the
/// `ResizeArea_Invoker` path, which Gymnasium's `AtariPreprocessing` takes for 210x160 -> 84x84), reproduced bit
/// for bit: the same weight tables (`computeResizeAreaTab`, in double precision, stored as float), the same float
/// accumulation order (per source row over the x table, then per destination row over the y table, without fused
/// multiply-adds) and the same rounding (`saturate_cast<uchar>`: round half to even, then clamp).
///
/// Cost: `O(sourceHeight * sourceWidth)` per image; the tables are computed once.
public struct AreaResize: Sendable {
  struct Weight: Sendable {
    let source: Int
    let destination: Int
    let alpha: Float
  }

  /// Rows of the source image.
  public let sourceHeight: Int
  /// Columns of the source image.
  public let sourceWidth: Int
  /// Rows of the resized image.
  public let height: Int
  /// Columns of the resized image.
  public let width: Int
  private let xWeights: [Weight]
  private let yWeights: [Weight]

  /// A resize from `sourceHeight x sourceWidth` to `height x width`; both scale factors must be at least 1 and
  /// not both integers (OpenCV takes other paths for those).
  public init(sourceHeight: Int, sourceWidth: Int, height: Int, width: Int) {
    precondition(height > 0 && width > 0 && sourceHeight >= height && sourceWidth >= width, "AreaResize shrinks")
    self.sourceHeight = sourceHeight
    self.sourceWidth = sourceWidth
    self.height = height
    self.width = width
    // cv::resize: inv_scale = dsize / ssize; scale = 1 / inv_scale.
    let scaleX = 1.0 / (Double(width) / Double(sourceWidth))
    let scaleY = 1.0 / (Double(height) / Double(sourceHeight))
    let integral = { (s: Double) in abs(s - s.rounded()) < Double.ulpOfOne }
    precondition(!(integral(scaleX) && integral(scaleY)), "integer scale factors take OpenCV's fast area path")
    xWeights = Self.table(source: sourceWidth, destination: width, scale: scaleX)
    yWeights = Self.table(source: sourceHeight, destination: height, scale: scaleY)
  }

  /// `computeResizeAreaTab` for one channel.
  static func table(source: Int, destination: Int, scale: Double) -> [Weight] {
    var table: [Weight] = []
    for d in 0..<destination {
      let start = Double(d) * scale
      let end = start + scale
      let cellWidth = min(scale, Double(source) - start)
      var first = Int(start.rounded(.up))
      var last = Int(end.rounded(.down))
      last = min(last, source - 1)
      first = min(first, last)
      if Double(first) - start > 1e-3 {
        table.append(Weight(source: first - 1, destination: d, alpha: Float((Double(first) - start) / cellWidth)))
      }
      for s in first..<last {
        table.append(Weight(source: s, destination: d, alpha: Float(1.0 / cellWidth)))
      }
      if end - Double(last) > 1e-3 {
        let alpha = Float(min(min(end - Double(last), 1.0), cellWidth) / cellWidth)
        table.append(Weight(source: last, destination: d, alpha: alpha))
      }
    }
    return table
  }

  /// Resizes the row-major `source` (`sourceHeight x sourceWidth` bytes) into `destination` (`height x width`).
  public func resize(_ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutableBufferPointer<UInt8>) {
    precondition(source.count == sourceHeight * sourceWidth && destination.count == height * width)
    var rowSum = [Float](repeating: 0, count: width)
    var sum = [Float](repeating: 0, count: width)
    rowSum.withUnsafeMutableBufferPointer { buffer in
      sum.withUnsafeMutableBufferPointer { sum in
        func store(_ row: Int) {
          for x in 0..<width {
            let rounded = Int(sum[x].rounded(.toNearestOrEven))
            destination[row * width + x] = UInt8(clamping: rounded)
          }
        }
        var previousRow = yWeights[0].destination
        for y in yWeights {
          let sourceRow = y.source * sourceWidth
          for x in 0..<width { buffer[x] = 0 }
          for x in xWeights {
            buffer[x.destination] = buffer[x.destination] + Float(source[sourceRow + x.source]) * x.alpha
          }
          if y.destination != previousRow {
            store(previousRow)
            for x in 0..<width { sum[x] = y.alpha * buffer[x] }
            previousRow = y.destination
          } else {
            for x in 0..<width { sum[x] = sum[x] + y.alpha * buffer[x] }
          }
        }
        store(previousRow)
      }
    }
  }
}
