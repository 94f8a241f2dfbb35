import Foundation
import SparseRLNetworks
import SparseRLNumerics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Times the dense and sparse linear-layer kernels (`sparserl bench kernels`, quoted in docs/benchmarks.md).
///
/// For each layer shape (square, or `in x out` such as a network's 23 -> 256 input layer, `sparserl describe`'s
/// order), batch size and sparsity
/// it measures, single-threaded and in one run:
/// - forward `Y = W X` and backward (input gradient `W^T dY` plus weight gradient) of the project's dense
///   kernels and of its sparse kernels on a random pattern of that sparsity,
/// - the time to rebuild the `SparsePattern` from active indices (the cost of one topology update).
///
/// Every figure is the median over `repetitions` samples; each sample groups enough calls to last at least
/// `minimumSampleSeconds`, so timer resolution does not matter for microsecond kernels.
public struct KernelBenchmark {
  /// A layer's weight shape, `[outFeatures x inFeatures]`.
  public struct Shape: Sendable, Equatable, CustomStringConvertible {
    /// Rows of the weight (output features).
    public var outFeatures: Int
    /// Columns of the weight (input features).
    public var inFeatures: Int

    /// A `[outFeatures x inFeatures]` weight.
    public init(outFeatures: Int, inFeatures: Int) {
      self.outFeatures = outFeatures
      self.inFeatures = inFeatures
    }

    /// A square `[size x size]` weight.
    public init(size: Int) { self.init(outFeatures: size, inFeatures: size) }

    /// `"256"` (square) or `"23x256"` (`in x out`, as `sparserl describe` and `--layers` order widths); `nil` for
    /// anything else or a size below 1.
    public init?(parsing text: String) {
      let parts = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
      guard parts.count == 1 || parts.count == 2, let input = parts[0], let out = parts.last!, out > 0, input > 0
      else { return nil }
      self.init(outFeatures: out, inFeatures: input)
    }

    /// Whether the weight is square (the shapes the OpenBLAS reference measures).
    public var isSquare: Bool { outFeatures == inFeatures }

    /// Weights of the dense layer.
    public var count: Int { outFeatures * inFeatures }

    /// `"23x256"`: in x out, as `init(parsing:)` reads it.
    public var description: String { "\(inFeatures)x\(outFeatures)" }
  }

  /// What to measure.
  public struct Configuration: Sendable {
    /// Layer shapes.
    public var shapes: [Shape] = [Shape(size: 256), Shape(size: 1024)]
    /// Batch sizes (columns of the feature-major activations).
    public var batches: [Int] = [1, 32, 256]
    /// Fractions of inactive weights of the sparse layers.
    public var sparsities: [Double] = [0, 0.5, 0.8, 0.9, 0.95, 0.99]
    /// Timed samples per figure (the median is reported).
    public var repetitions: Int = 11
    /// Minimum duration of one timed sample.
    public var minimumSampleSeconds: Double = 0.002
    /// Seed of the random weights, activations and patterns.
    public var seed: UInt64 = 0
    /// Measure the calling thread's CPU time instead of wall-clock time (robust on a loaded machine, where
    /// wall-clock time includes the time the thread waits for a core).
    public var threadCPUTime = false
    /// Also time each sparse weight through a `Linear` layer both ways: on the sparse kernels and through the dense
    /// copy of the fallback (scatter included), i.e. the two paths `Linear.usesSparseKernels` chooses between.
    public var layerPaths = false

    /// The default configuration (the one docs/benchmarks.md quotes).
    public init() {}
  }

  /// Median seconds per call of the dense kernels for one layer shape and batch.
  public struct DenseTiming: Sendable {
    /// The layer's weight shape.
    public var shape: Shape
    /// Batch size.
    public var batch: Int
    /// `Y = W X`.
    public var forward: Double
    /// `dX = W^T dY` plus `dW = dY X^T`.
    public var backward: Double
  }

  /// Median seconds per call of the sparse kernels for one layer shape, batch and sparsity.
  public struct SparseTiming: Sendable {
    /// The layer's weight shape.
    public var shape: Shape
    /// Batch size.
    public var batch: Int
    /// Fraction of inactive weights.
    public var sparsity: Double
    /// Active weights of the measured pattern.
    public var nonzeroCount: Int
    /// `Y = W X` over the CSR index.
    public var forward: Double
    /// `dX = W^T dY` over the CSC index plus the weight gradient at active positions.
    public var backward: Double
    /// Building the `SparsePattern` (CSR and CSC) from the sorted active indices.
    public var patternRebuild: Double
    /// With `Configuration.layerPaths`: a `Linear` on the sparse kernels and through the dense copy, forward and
    /// backward (input gradient plus weight gradient at the active entries) each.
    public var layerPaths: LayerPaths?
  }

  /// Median seconds per call of a sparse `Linear` (no bias) on each of its two paths.
  public struct LayerPaths: Sendable {
    /// Forward and backward on the sparse kernels.
    public var sparse: (forward: Double, backward: Double)
    /// Forward and backward through the dense copy (the scatter of the active values included).
    public var denseCopy: (forward: Double, backward: Double)
  }

  /// All figures of one run.
  public struct Report: Sendable {
    /// Dense timings, one per layer shape and batch.
    public var dense: [DenseTiming] = []
    /// Sparse timings, one per layer shape, batch and sparsity.
    public var sparse: [SparseTiming] = []
  }

  /// The configuration this benchmark runs.
  public let configuration: Configuration

  /// A benchmark of `configuration`; shapes and counts must be positive.
  public init(configuration: Configuration = Configuration()) {
    precondition(
      configuration.shapes.allSatisfy { $0.outFeatures > 0 && $0.inFeatures > 0 },
      "layer shapes must be positive: \(configuration.shapes)")
    precondition(
      configuration.batches.allSatisfy { $0 > 0 },
      "batch sizes must be positive: \(configuration.batches)")
    precondition(
      configuration.sparsities.allSatisfy { (0...1).contains($0) },
      "sparsities must lie in [0, 1]: \(configuration.sparsities)")
    precondition(configuration.repetitions > 0, "repetitions must be positive")
    self.configuration = configuration
  }

  /// Runs every measurement, calling `progress` with a short description before each layer shape and batch.
  public func run(progress: (String) -> Void = { _ in }) -> Report {
    var report = Report()
    var generator = RandomGenerator(seed: configuration.seed)
    for shape in configuration.shapes {
      let weights = Self.randomValues(shape.count, &generator)
      for batch in configuration.batches {
        progress("layer \(shape), batch \(batch)")
        let layer = LayerData(shape: shape, batch: batch, weights: weights, generator: &generator)
        report.dense.append(measureDense(layer))
        for sparsity in configuration.sparsities {
          report.sparse.append(measureSparse(layer, sparsity: sparsity, generator: &generator))
        }
      }
    }
    return report
  }

  /// Weights and activations of one layer shape and batch.
  struct LayerData {
    let shape: Shape
    let batch: Int
    let weights: [Float]
    let input: [Float]
    let outputGradient: [Float]
    var output: [Float]
    var inputGradient: [Float]
    var weightGradient: [Float]

    init(shape: Shape, batch: Int, weights: [Float], generator: inout RandomGenerator) {
      self.shape = shape
      self.batch = batch
      self.weights = weights
      input = KernelBenchmark.randomValues(shape.inFeatures * batch, &generator)
      outputGradient = KernelBenchmark.randomValues(shape.outFeatures * batch, &generator)
      output = [Float](repeating: 0, count: shape.outFeatures * batch)
      inputGradient = input
      weightGradient = [Float](repeating: 0, count: shape.count)
    }
  }

  private func measureDense(_ layer: LayerData) -> DenseTiming {
    var layer = layer
    let (shape, batch) = (layer.shape, layer.batch)
    let forward = medianSeconds {
      layer.weights.withUnsafeBufferPointer { w in
        layer.input.withUnsafeBufferPointer { x in
          layer.output.withUnsafeMutableBufferPointer { y in
            DenseKernels.forward(
              weights: w, input: x, output: y, outFeatures: shape.outFeatures, inFeatures: shape.inFeatures,
              batch: batch)
          }
        }
      }
    }
    let backward = medianSeconds {
      layer.weights.withUnsafeBufferPointer { w in
        layer.outputGradient.withUnsafeBufferPointer { dy in
          layer.input.withUnsafeBufferPointer { x in
            layer.inputGradient.withUnsafeMutableBufferPointer { dx in
              DenseKernels.inputGradient(
                weights: w, outputGradient: dy, inputGradient: dx, outFeatures: shape.outFeatures,
                inFeatures: shape.inFeatures, batch: batch)
            }
            layer.weightGradient.withUnsafeMutableBufferPointer { dw in
              DenseKernels.weightGradient(
                outputGradient: dy, input: x, weightGradient: dw, outFeatures: shape.outFeatures,
                inFeatures: shape.inFeatures, batch: batch,
                accumulate: false)
            }
          }
        }
      }
    }
    return DenseTiming(shape: shape, batch: batch, forward: forward, backward: backward)
  }

  private func measureSparse(_ layer: LayerData, sparsity: Double, generator: inout RandomGenerator)
    -> SparseTiming
  {
    var layer = layer
    let (shape, batch) = (layer.shape, layer.batch)
    let activeIndices = (0..<shape.count).filter { _ in generator.nextDouble() >= sparsity }
    let pattern = SparsePattern(rows: shape.outFeatures, columns: shape.inFeatures, activeIndices: activeIndices)
    let values = pattern.gather(Matrix(rows: shape.outFeatures, columns: shape.inFeatures, scalars: layer.weights))
    var valueGradient = [Float](repeating: 0, count: pattern.nonzeroCount)
    let forward = medianSeconds {
      values.withUnsafeBufferPointer { v in
        layer.input.withUnsafeBufferPointer { x in
          layer.output.withUnsafeMutableBufferPointer { y in
            SparseKernels.forward(pattern: pattern, values: v, input: x, output: y, batch: batch)
          }
        }
      }
    }
    let backward = medianSeconds {
      values.withUnsafeBufferPointer { v in
        layer.outputGradient.withUnsafeBufferPointer { dy in
          layer.input.withUnsafeBufferPointer { x in
            layer.inputGradient.withUnsafeMutableBufferPointer { dx in
              SparseKernels.inputGradient(
                pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch)
            }
            valueGradient.withUnsafeMutableBufferPointer { g in
              SparseKernels.weightGradient(
                pattern: pattern, outputGradient: dy, input: x, valueGradient: g, batch: batch,
                accumulate: false)
            }
          }
        }
      }
    }
    var rebuilt = pattern
    let rebuild = medianSeconds {
      rebuilt = SparsePattern(rows: shape.outFeatures, columns: shape.inFeatures, activeIndices: activeIndices)
    }
    precondition(rebuilt == pattern, "rebuilt pattern differs")
    return SparseTiming(
      shape: shape, batch: batch, sparsity: sparsity, nonzeroCount: pattern.nonzeroCount,
      forward: forward,
      backward: backward, patternRebuild: rebuild,
      layerPaths: configuration.layerPaths ? measureLayerPaths(layer, pattern: pattern, values: values) : nil)
  }

  /// Forward and backward of a bias-free `Linear` on `pattern`, forced onto each path by its fixed
  /// `denseKernelDensity` (above 1: sparse kernels; 0: the dense copy).
  private func measureLayerPaths(_ layer: LayerData, pattern: SparsePattern, values: [Float]) -> LayerPaths {
    let x = Matrix(rows: layer.shape.inFeatures, columns: layer.batch, scalars: layer.input)
    let dy = Matrix(rows: layer.shape.outFeatures, columns: layer.batch, scalars: layer.outputGradient)
    func timings(denseKernelDensity: Double) -> (forward: Double, backward: Double) {
      let linear = Linear(
        weight: Parameter(name: "weight", pattern: pattern, value: values), bias: nil,
        denseKernelDensity: denseKernelDensity)
      let forward = medianSeconds { _ = linear.forward(x) }
      let backward = medianSeconds { _ = linear.backward(dy, accumulateParameterGradients: true) }
      return (forward, backward)
    }
    return LayerPaths(sparse: timings(denseKernelDensity: 2), denseCopy: timings(denseKernelDensity: 0))
  }

  /// Median seconds per call of `body` (warm-up call, then samples of at least `minimumSampleSeconds`).
  private func medianSeconds(_ body: () -> Void) -> Double {
    body()
    let single = max(time(body), 1e-9)
    let callsPerSample = max(1, Int(configuration.minimumSampleSeconds / single))
    var samples = [Double]()
    for _ in 0..<configuration.repetitions {
      samples.append(
        time {
          for _ in 0..<callsPerSample { body() }
        } / Double(callsPerSample))
    }
    samples.sort()
    return samples[samples.count / 2]
  }

  /// Seconds `body` takes, on the configured clock.
  private func time(_ body: () -> Void) -> Double {
    let clock = configuration.threadCPUTime ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC
    var start = timespec()
    var end = timespec()
    clock_gettime(clock, &start)
    body()
    clock_gettime(clock, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
  }

  static func randomValues(_ count: Int, _ generator: inout RandomGenerator) -> [Float] {
    (0..<count).map { _ in generator.uniform(-1, 1) }
  }
}

/// OpenBLAS single-thread sgemm timings of the same dense products, measured by
/// `scripts/bench/sgemm_reference.py` through numpy.
public struct OpenBLASReference: Sendable {
  /// Median seconds per call of one layer size and batch.
  public struct Timing: Sendable, Decodable {
    /// Rows and columns of the square layer.
    public var size: Int
    /// Batch size.
    public var batch: Int

    /// `W @ X`.
    public var forward: Double
    /// `W.T @ dY` plus `dY @ X.T`.
    public var backward: Double
  }

  /// The numpy version that ran the products.
  public var numpyVersion: String
  /// The BLAS library numpy reports.
  public var blas: String
  /// One timing per layer size and batch.
  public var timings: [Timing]

  /// The timing of a layer size and batch, if measured.
  public func timing(size: Int, batch: Int) -> Timing? {
    timings.first { $0.size == size && $0.batch == batch }
  }

  /// Why the reference could not be measured.
  public struct Unavailable: Error, CustomStringConvertible {
    public let description: String
  }

  private struct Output: Decodable {
    var numpy: String
    var blas: String
    var results: [Timing]
  }

  /// Runs the script with `python` from the package root `root`, one BLAS thread.
  public static func measure(
    python: URL, root: URL, sizes: [Int], batches: [Int], repetitions: Int,
    minimumSampleSeconds: Double,
    threadCPUTime: Bool = false
  ) throws -> OpenBLASReference {
    let script = root.appendingPathComponent("scripts/bench/sgemm_reference.py")
    let data: Data
    do {
      data = try ReferenceScript.run(
        python: python, script: script,
        arguments: [
          "--sizes", sizes.map(String.init).joined(separator: ","), "--batches",
          batches.map(String.init).joined(separator: ","), "--repeats", String(repetitions), "--min-sample-seconds",
          String(minimumSampleSeconds),
        ] + (threadCPUTime ? ["--thread-cpu-time"] : []))
    } catch {
      throw Unavailable(description: "\(error)")
    }
    do {
      let decoded = try JSONDecoder().decode(Output.self, from: data)
      return OpenBLASReference(
        numpyVersion: decoded.numpy, blas: decoded.blas, timings: decoded.results)
    } catch {
      throw Unavailable(
        description: "could not read the output of \(script.lastPathComponent): \(error)")
    }
  }
}

/// The markdown table of a kernel benchmark: per layer size and batch, one row for OpenBLAS (if measured),
/// one for the project's dense kernels, and one per sparsity for the sparse kernels.
public struct KernelBenchmarkTable {
  /// The measured figures.
  public let report: KernelBenchmark.Report
  /// OpenBLAS figures, if measured.
  public let reference: OpenBLASReference?

  /// A table of `report`, with the OpenBLAS column from `reference` when given.
  public init(report: KernelBenchmark.Report, reference: OpenBLASReference?) {
    self.report = report
    self.reference = reference
  }

  /// The table, markdown. Times are microseconds per call; "speed-up vs dense" divides the project's dense
  /// forward+backward time by the row's; "time / OpenBLAS" divides the row's forward+backward time by
  /// OpenBLAS's (below 1 = faster than OpenBLAS single-thread dense).
  public var markdown: String {
    var lines = [
      "| layer | batch | kernel | active weights | forward µs | backward µs | fwd+bwd µs | speed-up vs dense | time / OpenBLAS | pattern rebuild µs |",
      "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for dense in report.dense {
      let layer = dense.shape.description
      let denseTotal = dense.forward + dense.backward
      let blas = dense.shape.isSquare ? reference?.timing(size: dense.shape.outFeatures, batch: dense.batch) : nil
      let blasTotal = blas.map { $0.forward + $0.backward }
      func relative(_ total: Double) -> String { blasTotal.map { Self.ratio(total / $0) } ?? "n/a" }
      if let blas, let blasTotal {
        lines.append(
          "| \(layer) | \(dense.batch) | OpenBLAS sgemm (dense) | \(dense.shape.count) | \(Self.micro(blas.forward)) | "
            + "\(Self.micro(blas.backward)) | \(Self.micro(blasTotal)) | \(Self.ratio(denseTotal / blasTotal)) | 1.00 | - |"
        )
      }
      lines.append(
        "| \(layer) | \(dense.batch) | SparseRL dense | \(dense.shape.count) | \(Self.micro(dense.forward)) | "
          + "\(Self.micro(dense.backward)) | \(Self.micro(denseTotal)) | 1.00 | \(relative(denseTotal)) | - |"
      )
      for sparse in report.sparse where sparse.shape == dense.shape && sparse.batch == dense.batch {
        let total = sparse.forward + sparse.backward
        let percent = String(format: "%g", sparse.sparsity * 100)
        lines.append(
          "| \(layer) | \(sparse.batch) | SparseRL sparse \(percent)% | \(sparse.nonzeroCount) | "
            + "\(Self.micro(sparse.forward)) | \(Self.micro(sparse.backward)) | \(Self.micro(total)) | "
            + "\(Self.ratio(denseTotal / total)) | \(relative(total)) | \(Self.micro(sparse.patternRebuild)) |"
        )
        if let paths = sparse.layerPaths {
          for (name, path) in [("Linear, sparse kernels", paths.sparse), ("Linear, dense copy", paths.denseCopy)] {
            let pathTotal = path.forward + path.backward
            lines.append(
              "| \(layer) | \(sparse.batch) | \(name) \(percent)% | \(sparse.nonzeroCount) | "
                + "\(Self.micro(path.forward)) | \(Self.micro(path.backward)) | \(Self.micro(pathTotal)) | "
                + "\(Self.ratio(denseTotal / pathTotal)) | \(relative(pathTotal)) | - |")
          }
        }
      }
    }
    return lines.joined(separator: "\n")
  }

  static func micro(_ seconds: Double) -> String {
    let value = seconds * 1e6
    return value < 10
      ? String(format: "%.2f", value)
      : value < 100 ? String(format: "%.1f", value) : String(format: "%.0f", value)
  }

  static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
}
