#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Scratch memory reused by the dense kernels (the packed panels of the matrix-multiply kernel), so that a
/// kernel call performs no heap allocation.
///
/// A workspace grows to the largest request it has served and is then reused; it is not thread-safe, so use
/// one per thread. The kernel entry points without a `workspace:` argument use ``KernelWorkspace/current``,
/// the calling thread's own workspace (kept in thread-local storage and released when the thread exits).
/// Passing an explicit workspace avoids the thread-local lookup (a few nanoseconds) and makes ownership
/// explicit, e.g. one workspace per network evaluated on a dedicated thread.
public final class KernelWorkspace {
  private var storage: UnsafeMutablePointer<Float>
  private var capacity: Int

  /// An empty workspace; memory is allocated by the first kernel that needs it.
  public init() {
    capacity = 0
    storage = UnsafeMutablePointer<Float>.allocate(capacity: 1)
  }

  deinit { storage.deallocate() }

  /// A buffer of at least `count` floats, valid until the next call on this workspace (contents unspecified).
  func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      storage.deallocate()
      // 64-byte aligned so packed SIMD panels start on a cache line.
      let raw = UnsafeMutableRawPointer.allocate(
        byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
      storage = raw.bindMemory(to: Float.self, capacity: count)
      capacity = count
    }
    return storage
  }

  /// The calling thread's workspace, created on first use and released when the thread exits.
  public static var current: KernelWorkspace {
    let key = workspaceKey.value
    if let existing = pthread_getspecific(key) {
      return Unmanaged<KernelWorkspace>.fromOpaque(existing).takeUnretainedValue()
    }
    let workspace = KernelWorkspace()
    let status = pthread_setspecific(key, Unmanaged.passRetained(workspace).toOpaque())
    precondition(status == 0, "pthread_setspecific failed with error \(status)")
    return workspace
  }
}

/// The thread-local-storage key of ``KernelWorkspace/current`` (a global `let`: initialised once, thread-safely).
private let workspaceKey = ThreadLocalKey()

/// Owns a `pthread_key_t` whose destructor releases the retained workspace of an exiting thread.
private final class ThreadLocalKey: Sendable {
  let value: pthread_key_t

  init() {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
      guard let pointer else { return }
      Unmanaged<KernelWorkspace>.fromOpaque(pointer).release()
    }
    precondition(status == 0, "pthread_key_create failed with error \(status)")
    value = key
  }
}
