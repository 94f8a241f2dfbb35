import ArgumentParser
import Foundation
import SparseRLExperiments
import SparseRLNumerics

/// `sparserl bench kernels`: dense and sparse linear-layer kernels against OpenBLAS single-thread sgemm.
struct BenchKernelsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernels",
    abstract:
      "Time the dense and sparse layer kernels (one core) next to OpenBLAS single-thread sgemm.",
    discussion: """
      Build with -c release. Prints a markdown table; times are medians per call. The OpenBLAS column runs
      scripts/bench/sgemm_reference.py with the project .venv python (scripts/setup-python.sh) from the
      package root, with OPENBLAS_NUM_THREADS=1; it is skipped with a note if that python is missing.
      """)

  @Option(
    help: ArgumentHelp(
      "Comma-separated layer shapes: a square size (256) or in x out (23x256, a 23 -> 256 input layer).",
      discussion: "The OpenBLAS column covers the square shapes only."))
  var sizes = "256,1024"

  @Option(help: "Comma-separated batch sizes.")
  var batches = "1,32,256"

  @Option(help: "Comma-separated sparsities (fractions of inactive weights).")
  var sparsities = "0,0.5,0.8,0.9,0.95,0.99"

  @Option(help: "Timed samples per figure (the median is reported).")
  var repetitions = 11

  @Option(help: "Minimum seconds per timed sample.")
  var minimumSampleSeconds = 0.002

  @Option(
    help:
      "Python interpreter for the OpenBLAS reference (default: $SPARSERL_PYTHON or .venv/bin/python)."
  )
  var python: String?

  @Flag(
    help: "Time the thread's CPU time instead of wall-clock time (steadier on a loaded machine).")
  var threadCPUTime = false

  @Flag(
    help: ArgumentHelp(
      "Add two rows per sparsity: a Linear layer on the sparse kernels and through the dense copy of the fallback.",
      discussion: "The two paths Linear.usesSparseKernels picks between, with the layer's own overheads (the copy of "
        + "the saved input, the scatter of the active values into the dense copy)."))
  var layerPaths = false

  @Flag(help: "Skip the OpenBLAS reference column.")
  var noReference = false

  func run() throws {
    var configuration = KernelBenchmark.Configuration()
    configuration.shapes = try Self.parseList(sizes, name: "sizes", what: "layer shapes (256 or 23x256)") {
      KernelBenchmark.Shape(parsing: $0)
    }
    configuration.batches = try Self.parseList(batches, name: "batches") { Int($0) }
    configuration.sparsities = try Self.parseList(sparsities, name: "sparsities") { Double($0) }
    configuration.repetitions = repetitions
    configuration.minimumSampleSeconds = minimumSampleSeconds
    configuration.threadCPUTime = threadCPUTime
    configuration.layerPaths = layerPaths
    guard configuration.batches.allSatisfy({ $0 > 0 }) else { throw ValidationError("batches must be positive") }
    guard configuration.sparsities.allSatisfy({ (0...1).contains($0) }) else {
      throw ValidationError("sparsities must lie in [0, 1]")
    }
    guard repetitions > 0, minimumSampleSeconds >= 0 else {
      throw ValidationError(
        "repetitions must be positive and --minimum-sample-seconds non-negative")
    }
    #if DEBUG
      print(
        "warning: debug build; kernel timings are meaningless (use swift run -c release sparserl bench kernels)"
      )
    #endif

    var reference: OpenBLASReference?
    let squareSizes = configuration.shapes.filter(\.isSquare).map(\.outFeatures)
    var referenceNote =
      noReference ? "OpenBLAS column skipped (--no-reference)." : "OpenBLAS column skipped: no square layer shape."
    if !noReference && !squareSizes.isEmpty {
      let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      let interpreter =
        python ?? ProcessInfo.processInfo.environment["SPARSERL_PYTHON"]
        ?? root.appendingPathComponent(".venv/bin/python").path
      do {
        reference = try OpenBLASReference.measure(
          python: URL(fileURLWithPath: interpreter), root: root, sizes: squareSizes,
          batches: configuration.batches, repetitions: repetitions,
          minimumSampleSeconds: minimumSampleSeconds,
          threadCPUTime: threadCPUTime)
        referenceNote =
          "OpenBLAS: \(reference!.blas) via numpy \(reference!.numpyVersion), OPENBLAS_NUM_THREADS=1."
      } catch {
        referenceNote = "OpenBLAS column skipped: \(error)."
      }
    }
    let report = KernelBenchmark(configuration: configuration).run { message in
      FileHandle.standardError.write(Data("measuring \(message)\n".utf8))
    }
    print(KernelBenchmarkTable(report: report, reference: reference).markdown)
    print()
    print(referenceNote)
    print(
      "Times: median \(threadCPUTime ? "thread CPU" : "wall-clock") seconds per call over \(repetitions) samples."
    )
    print(
      "Kernels: \(KernelVariant.activeSummary) (SPARSERL_KERNELS=portable forces the portable variant, "
        + "SPARSERL_AVX512=0 the AVX2 build)."
    )
  }

  private static func parseList<T>(
    _ text: String, name: String, what: String = "numbers", _ parse: (String) -> T?
  ) throws -> [T] {
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = items.compactMap(parse)
    guard !items.isEmpty, values.count == items.count else {
      throw ValidationError("--\(name) must be a comma-separated list of \(what), got '\(text)'")
    }
    return values
  }
}
