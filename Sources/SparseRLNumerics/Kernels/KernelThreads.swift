internal import CSparseRLKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How many threads the kernels use (process-wide).
///
/// With more than one, the dense and sparse products that have at least 131,072 multiply-adds (a 256 x 256
/// layer at batch 2 and up; a 90% sparse one from batch 20) are split by rows of their result across a pool of
/// worker threads started once, the first time a count above one is set; the calling thread computes one part.
/// Every part computes whole output rows with the serial code, so results are bit-identical for every thread
/// count (and a run resumes exactly under any count). Smaller calls, the batch-1 products of acting, and the
/// element-wise loops stay on the calling thread. One thread by default.
public enum KernelThreads {
  /// The thread count in effect (1 until set).
  public static var count: Int { Int(srl_thread_count()) }

  /// Sets the thread count (clamped to 1...64); returns the count in effect.
  @discardableResult
  public static func setCount(_ threads: Int) -> Int { Int(srl_set_thread_count(threads)) }

  /// Runs `tasks.runTask(i)` for every `i` in `0..<count` on the kernel threads (the calling thread included)
  /// and returns when all are done; with one thread, or while the profiler records (it is not thread-safe), in
  /// order on the calling thread. For coarse-grained parallelism such as the twin critics of one update: the
  /// kernel calls inside a task run on its thread without splitting, so each task computes exactly what it
  /// computes alone, whatever the thread count. No heap allocation (the tasks are an object the caller keeps,
  /// not a closure built per call).
  public static func concurrentForEach(_ count: Int, _ tasks: any ConcurrentTasks) {
    if Self.count <= 1 || count <= 1 || Profiler.isEnabled {
      for index in 0..<count { tasks.runTask(index) }
      return
    }
    var tasks = tasks
    withUnsafeMutablePointer(to: &tasks) { pointer in
      srl_run_tasks(
        { context, index in context!.assumingMemoryBound(to: (any ConcurrentTasks).self).pointee.runTask(index) },
        pointer, count)
    }
  }

  /// The processors this process may run on: its CPU affinity mask on Linux (`taskset`, cpusets, a batch
  /// scheduler's binding), else the online processors; at least 1.
  public static var availableCores: Int { Int(srl_available_cores()) }
}

/// Work that `KernelThreads.concurrentForEach` runs as numbered tasks side by side.
public protocol ConcurrentTasks: AnyObject {
  /// Runs task `index`. The tasks of one call run at the same time on different threads, so task `i` and task
  /// `j` must write disjoint state (reading shared state is fine).
  func runTask(_ index: Int)
}
