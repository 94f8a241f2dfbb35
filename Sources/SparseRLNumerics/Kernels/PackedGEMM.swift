internal import CSparseRLKernels

/// A strided view of a read-only matrix operand: element `(r, c)` is at `base[r * rowStride + c * columnStride]`.
/// Lets one multiply routine serve `W`, `W^T`, `X` and `X^T` without copying.
struct StridedOperand {
  var base: UnsafePointer<Float>
  var rowStride: Int
  var columnStride: Int
}

/// Single-threaded matrix multiply `C (+)= A B`, `A` `[m x k]` and `B` `[k x n]` read through their strides,
/// `C` `[m x n]` row-major with row stride `cRowStride`.
///
/// The loops are `srl_gemm` in the C target `CSparseRLKernels` (`KernelBodies.h`): `B` is packed per 256 x 16
/// panel (16 KiB, L1-resident) into the workspace, `A` is read in place, and a 4 x 16 register tile of `C` lives
/// in 8 vector accumulators updated by one fused multiply-add per depth step (AVX2 + FMA variant; see
/// ``KernelVariant``). O(m n k) arithmetic plus O(k n) packing; no allocation (the workspace is reused).
enum PackedGEMM {
  /// Workspace floats needed by `multiply` (one packed 256 x 16 panel).
  static let workspaceFloats = Int(SRL_GEMM_WORKSPACE_FLOATS)

  /// `C = A B` (or `C += A B` when `accumulate`), `A` `[m x k]`, `B` `[k x n]`, `C` `[m x n]`.
  static func multiply(
    m: Int, n: Int, k: Int, a: StridedOperand, b: StridedOperand,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool, workspace: KernelWorkspace
  ) {
    guard m > 0, n > 0 else { return }
    srl_gemm(
      m, n, k, a.base, a.rowStride, a.columnStride, b.base, b.rowStride, b.columnStride, c, cRowStride, accumulate,
      workspace.floats(workspaceFloats))
  }
}
