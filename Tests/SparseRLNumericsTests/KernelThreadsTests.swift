import Foundation
import Testing

@testable import SparseRLNumerics

/// The kernels split across threads compute every output exactly as one thread does: results for 2 and 3
/// threads are bit-identical to 1 thread, for shapes above the split threshold (and odd sizes, so parts end
/// inside tiles and rows of different lengths). The one-thread results are checked against the naive loops by
/// the other kernel tests. The thread count is process-wide; these tests set it and restore 1.
@Suite(.serialized) struct KernelThreadsTests {
  /// `(out, in, batch)` with at least 131,072 multiply-adds dense.
  static let shapes: [(Int, Int, Int)] = [(256, 256, 256), (23, 256, 256), (257, 61, 129), (6, 256, 256)]

  /// Runs `body` with each thread count and returns its results.
  static func results(_ body: () -> [Float]) -> [[Float]] {
    defer { KernelThreads.setCount(1) }
    return [1, 2, 3].map { threads in
      #expect(KernelThreads.setCount(threads) == threads)
      return body()
    }
  }

  /// Expects every result to equal the first bit for bit (reporting the first difference only: a failing
  /// `==` of arrays this long would print a diff of hundreds of thousands of elements).
  static func expectIdentical(_ results: [[Float]]) {
    for (index, result) in results.enumerated().dropFirst() {
      let first = result.indices.first { $0 >= results[0].count || result[$0].bitPattern != results[0][$0].bitPattern }
      #expect(
        result.count == results[0].count && first == nil,
        "\(index + 1) threads differ from 1 thread at element \(first.map(String.init) ?? "-")")
    }
  }

  /// The dense forward, input gradient and accumulated weight gradient (onto ones) of `[out x in]` weights `w`,
  /// concatenated.
  static func denseProducts(_ w: [Float], _ x: [Float], _ dy: [Float], out: Int, inFeatures: Int, batch: Int)
    -> [Float]
  {
    var y = [Float](repeating: .nan, count: out * batch)
    var dx = [Float](repeating: .nan, count: inFeatures * batch)
    var dw = [Float](repeating: 1, count: out * inFeatures)
    w.withUnsafeBufferPointer { w in
      x.withUnsafeBufferPointer { x in
        dy.withUnsafeBufferPointer { dy in
          y.withUnsafeMutableBufferPointer { y in
            DenseKernels.forward(
              weights: w, input: x, output: y, outFeatures: out, inFeatures: inFeatures, batch: batch)
          }
          dx.withUnsafeMutableBufferPointer { dx in
            DenseKernels.inputGradient(
              weights: w, outputGradient: dy, inputGradient: dx, outFeatures: out, inFeatures: inFeatures,
              batch: batch)
          }
          dw.withUnsafeMutableBufferPointer { dw in
            DenseKernels.weightGradient(
              outputGradient: dy, input: x, weightGradient: dw, outFeatures: out, inFeatures: inFeatures,
              batch: batch, accumulate: true)
          }
        }
      }
    }
    return y + dx + dw
  }

  @Test(arguments: shapes)
  func denseProductsAreBitIdenticalForEveryThreadCount(shape: (Int, Int, Int)) {
    let (out, inFeatures, batch) = shape
    var generator = RandomGenerator(seed: 21)
    let w = KernelReference.randomValues(out * inFeatures, &generator)
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let all = Self.results { Self.denseProducts(w, x, dy, out: out, inFeatures: inFeatures, batch: batch) }
    Self.expectIdentical(all)
    // And the split result is the product (so a part that skipped its rows would not pass unnoticed).
    let (expected, bound) = KernelReference.forward(w, x, out: out, in: inFeatures, batch: batch)
    #expect(KernelReference.mismatches(Array(all[2][0..<(out * batch)]), expected, bound).isEmpty)
  }

  @Test(arguments: shapes, [0.5, 0.9])
  func sparseProductsAreBitIdenticalForEveryThreadCount(shape: (Int, Int, Int), sparsity: Double) {
    let (out, inFeatures, batch) = shape
    let (pattern, values, dense, start) = KernelSparseTests.layer(shape, sparsity: sparsity, seed: 23)
    var generator = start
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    let dy = KernelReference.randomValues(out * batch, &generator)
    let bias = KernelReference.randomValues(out, &generator)
    let gate = KernelReference.randomValues(inFeatures * batch, &generator).map { max($0, 0) }
    let all = Self.results {
      var y = [Float](repeating: .nan, count: out * batch)
      var dx = [Float](repeating: .nan, count: inFeatures * batch)
      var dw = [Float](repeating: 1, count: pattern.nonzeroCount)
      var fusedY = y
      var gatedDX = dx
      values.withUnsafeBufferPointer { v in
        x.withUnsafeBufferPointer { x in
          dy.withUnsafeBufferPointer { dy in
            y.withUnsafeMutableBufferPointer { y in
              SparseKernels.forward(pattern: pattern, values: v, input: x, output: y, batch: batch)
            }
            dx.withUnsafeMutableBufferPointer { dx in
              SparseKernels.inputGradient(
                pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch)
            }
            dw.withUnsafeMutableBufferPointer { dw in
              SparseKernels.weightGradient(
                pattern: pattern, outputGradient: dy, input: x, valueGradient: dw, batch: batch, accumulate: true)
            }
            bias.withUnsafeBufferPointer { b in
              fusedY.withUnsafeMutableBufferPointer { y in
                SparseKernels.forward(
                  pattern: pattern, values: v, input: x, output: y, batch: batch, bias: b, relu: true)
              }
            }
            gate.withUnsafeBufferPointer { g in
              gatedDX.withUnsafeMutableBufferPointer { dx in
                SparseKernels.inputGradient(
                  pattern: pattern, values: v, outputGradient: dy, inputGradient: dx, batch: batch, gate: g)
              }
            }
          }
        }
      }
      return y + dx + dw + fusedY + gatedDX
    }
    Self.expectIdentical(all)
    let (expected, bound) = KernelReference.inputGradient(dense, dy, out: out, in: inFeatures, batch: batch)
    let dx = Array(all[2][(out * batch)..<(out * batch + inFeatures * batch)])
    #expect(KernelReference.mismatches(dx, expected, bound).isEmpty)
    // Each part applies the epilogue to its own rows: the bias and gate of those rows, not of the first ones.
    let y = Array(all[2][0..<(out * batch)])
    let tail = all[2].count - out * batch - inFeatures * batch
    let fusedY = Array(all[2][tail..<(tail + out * batch)])
    let gatedDX = Array(all[2][(tail + out * batch)...])
    let expectedY = KernelReference.epilogue(y, rows: out, columns: batch, bias: bias, relu: true)
    let expectedDX = KernelReference.epilogue(dx, rows: inFeatures, columns: batch, gate: gate)
    #expect(fusedY.map(\.bitPattern) == expectedY.map(\.bitPattern))
    #expect(gatedDX.map(\.bitPattern) == expectedDX.map(\.bitPattern))
  }

  /// `availableCores` (what `threads: 0` uses) counts the processors this process may run on, as coreutils'
  /// `nproc` does (its CPU affinity, not the machine's processors).
  @Test func availableCoresMatchNproc() throws {
    let nproc = Process()
    nproc.executableURL = URL(fileURLWithPath: "/usr/bin/nproc")
    let pipe = Pipe()
    nproc.standardOutput = pipe
    try nproc.run()
    nproc.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) == KernelThreads.availableCores)
  }

  /// `concurrentForEach` runs every index once, for every thread count and task count.
  @Test func concurrentForEachRunsEveryIndexOnce() {
    defer { KernelThreads.setCount(1) }
    for threads in [1, 2, 3] {
      KernelThreads.setCount(threads)
      for count in [0, 1, 2, 5] {
        let runs = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        defer { runs.deallocate() }
        runs.initialize(repeating: 0)
        KernelThreads.concurrentForEach(count, ClosureTasks { index in runs[index] += 1 })
        #expect(Array(runs.prefix(count)) == [Int](repeating: 1, count: count), "\(threads) threads, \(count) tasks")
      }
    }
  }

  /// With two threads the two tasks run at the same time: each waits (up to 2 s) for the other to start, which
  /// in order on one thread would never happen. Other suites of the test process run kernels on the same pool and
  /// set the process-wide thread count, and `concurrentForEach` runs its tasks in order while the pool is busy
  /// with another caller's job (or the count is 1), so one attempt may run in order: up to five attempts, and at
  /// least one must run side by side.
  @Test func concurrentForEachRunsTasksSideBySide() {
    defer { KernelThreads.setCount(1) }
    let started = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    let sawOther = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 2)
    defer {
      started.deallocate()
      sawOther.deallocate()
    }
    started.initialize(to: 0)
    let lock = NSLock()
    let tasks = ClosureTasks { index in
      lock.withLock { started.pointee += 1 }
      let deadline = Date().addingTimeInterval(2)
      while Date() < deadline {
        if lock.withLock({ started.pointee }) == 2 {
          sawOther[index] = true
          break
        }
        usleep(100)
      }
    }
    var attempts: [[Bool]] = []
    for _ in 0..<5 {
      KernelThreads.setCount(2)
      started.pointee = 0
      sawOther.initialize(repeating: false)
      KernelThreads.concurrentForEach(2, tasks)
      attempts.append(Array(sawOther))
      if attempts.last == [true, true] { break }
    }
    #expect(attempts.last == [true, true], "every attempt ran the tasks in order: \(attempts)")
  }

  /// Kernel calls inside side-by-side tasks (which run unsplit on their threads) compute what one thread
  /// computes alone, bit for bit.
  @Test func kernelsInsideConcurrentTasksMatchOneThread() {
    defer { KernelThreads.setCount(1) }
    let (out, inFeatures, batch) = (256, 256, 256)
    var generator = RandomGenerator(seed: 29)
    let weights = (0..<2).map { _ in KernelReference.randomValues(out * inFeatures, &generator) }
    let x = KernelReference.randomValues(inFeatures * batch, &generator)
    func products(threads: Int) -> [[Float]] {
      KernelThreads.setCount(threads)
      let outputs = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: 2)
      defer {
        outputs.deinitialize()
        outputs.deallocate()
      }
      outputs.initialize(repeating: [])
      let tasks = ClosureTasks { index in
        var y = [Float](repeating: .nan, count: out * batch)
        weights[index].withUnsafeBufferPointer { w in
          x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
              DenseKernels.forward(
                weights: w, input: x, output: y, outFeatures: out, inFeatures: inFeatures, batch: batch)
            }
          }
        }
        outputs[index] = y
      }
      KernelThreads.concurrentForEach(2, tasks)
      return Array(outputs)
    }
    let one = products(threads: 1)
    let two = products(threads: 2)
    Self.expectIdentical([one[0], two[0]])
    Self.expectIdentical([one[1], two[1]])
    let (expected, bound) = KernelReference.forward(weights[1], x, out: out, in: inFeatures, batch: batch)
    #expect(KernelReference.mismatches(two[1], expected, bound).isEmpty)
  }
}

/// Tasks that run a closure (for these tests; the library's users keep one object with the tasks' state).
final class ClosureTasks: ConcurrentTasks {
  let body: (Int) -> Void
  init(_ body: @escaping (Int) -> Void) { self.body = body }
  func runTask(_ index: Int) { body(index) }
}
