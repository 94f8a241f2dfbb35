internal import CSparseRLKernels

/// The implementation the compute kernels run, chosen once per process from the CPU's features.
///
/// The hot loops of ``DenseKernels`` and ``SparseKernels`` live in the C target `CSparseRLKernels`, compiled twice:
/// once with AVX2 + FMA enabled on each function, once for the target's baseline. No compiler flag of the package
/// assumes a particular CPU, so SparseRL builds for, and runs on, any x86-64 or arm64 machine.
/// The `SPARSERL_KERNELS` environment variable overrides the choice: `portable` forces the baseline variant (as
/// the test suite does for its second kernel run), `avx2` requires the fast one, `auto` (or unset) picks AVX2 +
/// FMA when the CPU and operating system support it. Any other value (or `avx2` on a CPU without it) stops the
/// process with exit status 2 and a message naming the variable and the allowed values.
///
/// Results are deterministic for a given variant; the variants differ by float rounding (fused versus unfused
/// multiply-adds), so exact resumption needs the same variant.
public enum KernelVariant: String, Sendable, CustomStringConvertible {
  /// 256-bit AVX2 vectors and fused multiply-adds.
  case avx2FMA = "avx2+fma"
  /// The target's baseline instructions (SSE2 on x86-64, NEON on arm64).
  case portable

  /// The variant this process runs (selected on first use, then fixed).
  public static var active: KernelVariant {
    srl_kernels_variant() == SRL_KERNELS_AVX2_FMA ? .avx2FMA : .portable
  }

  /// The variant's name in the command line's output: `avx2+fma` or `portable`.
  public var description: String { rawValue }

  /// Whether the AVX2 + FMA variant runs its AVX-512 build: the same kernels compiled with AVX-512F enabled and
  /// the row gather (sparse forward and input gradient) in 16-float vectors. Its bits are the AVX2 build's, so it
  /// is not a variant of its own (a run may resume on a CPU without it). On by default where the CPU and OS
  /// support AVX-512F; `SPARSERL_AVX512=0` in the environment turns it off.
  public static var usesAVX512: Bool { srl_kernels_use_avx512() }

  /// Turns the AVX-512 build on or off (on only where the CPU has it and the variant is AVX2 + FMA) and returns
  /// whether it is now in use: for tests and benchmarks that compare both builds in one process. Call it while no
  /// kernel runs on another thread.
  @discardableResult public static func setAVX512(_ enabled: Bool) -> Bool { srl_kernels_set_avx512(enabled) }

  /// The active variant as the command line prints it: `avx2+fma`, `avx2+fma (AVX-512 build)` or `portable`.
  public static var activeSummary: String { active.rawValue + (usesAVX512 ? " (AVX-512 build)" : "") }
}
