import Foundation
import Testing

@testable import SparseRLNumerics

/// The kernel variant chosen at run time, against an independent reading of the CPU's features (the `flags`
/// line of `/proc/cpuinfo`, which the kernels do not read) and the `SPARSERL_KERNELS` override. The test suite
/// runs the kernel tests twice (scripts/test.sh): once as the machine selects, once with
/// `SPARSERL_KERNELS=portable`, and this test checks that the second run really is on the portable path.
@Suite struct KernelVariantTests {
  /// Whether `/proc/cpuinfo` lists both `avx2` and `fma`; nil where that file does not exist.
  static func cpuInfoListsAVX2AndFMA() -> Bool? {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
    guard let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let names = Set(flags.split(separator: " ").map(String.init))
    return names.contains("avx2") && names.contains("fma")
  }

  @Test func activeVariantFollowsOverrideOrCPUFeatures() throws {
    let request = ProcessInfo.processInfo.environment["SPARSERL_KERNELS"] ?? "auto"
    switch request {
    case "portable":
      #expect(KernelVariant.active == .portable)
    case "avx2":
      #expect(KernelVariant.active == .avx2FMA)
    default:
      #if arch(x86_64)
        let supported = try #require(Self.cpuInfoListsAVX2AndFMA() as Bool?, "no /proc/cpuinfo to compare with")
        #expect(KernelVariant.active == (supported ? .avx2FMA : .portable))
      #else
        #expect(KernelVariant.active == .portable)
      #endif
    }
  }

  @Test func activeVariantIsFixedForTheProcess() {
    let first = KernelVariant.active
    #expect((0..<100).allSatisfy { _ in KernelVariant.active == first })
    #expect(KernelVariant.avx2FMA.description == "avx2+fma")
    #expect(KernelVariant.portable.description == "portable")
  }
}
