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

  /// The processors this process may run on (`sysconf(_SC_NPROCESSORS_ONLN)`, at least 1).
  public static var availableCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
