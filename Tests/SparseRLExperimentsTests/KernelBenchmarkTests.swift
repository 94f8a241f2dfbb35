import Testing

@testable import SparseRLExperiments

/// `bench kernels`' layer shapes and its table, on layers small enough to run in milliseconds.
@Suite struct KernelBenchmarkTests {
  @Test func shapesAreReadInTheOrderDescribeWritesThem() {
    #expect(KernelBenchmark.Shape(parsing: "23x256") == KernelBenchmark.Shape(outFeatures: 256, inFeatures: 23))
    #expect(KernelBenchmark.Shape(parsing: "64") == KernelBenchmark.Shape(size: 64))
    #expect(KernelBenchmark.Shape(parsing: "23x256")?.description == "23x256")
    for bad in ["", "x", "23x", "x256", "0x4", "4x-1", "2x3x4", "23*256"] {
      #expect(KernelBenchmark.Shape(parsing: bad) == nil, "\(bad)")
    }
  }

  @Test func aRectangularLayerGetsEveryRowOfTheTable() {
    var configuration = KernelBenchmark.Configuration()
    configuration.shapes = [KernelBenchmark.Shape(outFeatures: 12, inFeatures: 5)]
    configuration.batches = [1, 9]
    configuration.sparsities = [0.5]
    configuration.repetitions = 1
    configuration.minimumSampleSeconds = 0
    configuration.layerPaths = true
    let report = KernelBenchmark(configuration: configuration).run()
    #expect(report.dense.count == 2 && report.sparse.count == 2)
    #expect(report.sparse.allSatisfy { $0.layerPaths != nil && $0.nonzeroCount > 0 && $0.nonzeroCount < 60 })
    let rows = KernelBenchmarkTable(report: report, reference: nil).markdown.split(separator: "\n")
    for batch in [1, 9] {
      for kernel in [
        "SparseRL dense | 60 |", "SparseRL sparse 50%", "Linear, sparse kernels 50%", "Linear, dense copy 50%",
      ] {
        #expect(rows.contains { $0.hasPrefix("| 5x12 | \(batch) | \(kernel)") }, "batch \(batch), \(kernel)")
      }
    }
  }
}
