/// Unaligned SIMD loads and stores on `Float` pointers (the hot loops of every kernel use these).
@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func storeVector(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
}

/// `accumulator += a * b` as one fused multiply-add per lane.
///
/// Swift does not contract `acc += a * b` into an FMA (it emits `vmulps` + `vaddps`), while `addProduct`
/// lowers to `vfmadd231ps` when the target has FMA, but to one scalar `fmaf` call per lane on the SSE-only
/// x86-64 baseline (see docs/performance notes). Package.swift defines `SPARSERL_FMA` exactly when it compiles
/// for Haswell (AVX2 + FMA); arm64 always has FMA. Elsewhere the unfused form is the fast one.
@inline(__always)
func multiplyAdd(_ accumulator: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
  #if SPARSERL_FMA || arch(arm64)
    accumulator.addProduct(a, b)
  #else
    accumulator += a * b
  #endif
}

/// Scalar `accumulator += a * b`, fused where the target has FMA (see the `SIMD8` overload).
@inline(__always)
func multiplyAdd(_ accumulator: inout Float, _ a: Float, _ b: Float) {
  #if SPARSERL_FMA || arch(arm64)
    accumulator.addProduct(a, b)
  #else
    accumulator += a * b
  #endif
}

/// Sum of the eight lanes (pairwise halving: three vector adds and a final scalar add).
@inline(__always)
func horizontalSum(_ v: SIMD8<Float>) -> Float {
  let four = v.lowHalf + v.highHalf
  let two = four.lowHalf + four.highHalf
  return two[0] + two[1]
}

/// A strided view of a read-only matrix operand: element `(r, c)` is at `base[r * rowStride + c * columnStride]`.
/// Lets one multiply routine serve `W`, `W^T`, `X` and `X^T` without copying.
struct StridedOperand {
  var base: UnsafePointer<Float>
  var rowStride: Int
  var columnStride: Int
}

/// Single-threaded matrix multiply `C (+)= A B` with a packed, register-blocked SIMD micro-kernel.
///
/// - `A` is `[m x k]`, read in place through a `StridedOperand` (its `mr` rows are broadcast one scalar at a
///   time, so any layout streams well).
/// - `B` is `[k x n]`; for each depth block of `depthBlock` rows and each panel of `panelWidth` columns it is
///   packed into the workspace as `depth x 16` contiguous floats (zero-padded past the last column), so the
///   micro-kernel reads it with two aligned-stride vector loads per depth step, and the panel (16 KiB) stays
///   in L1 while the kernel sweeps all row panels of `A`.
/// - `C` is `[m x n]` row-major with row stride `cRowStride`.
///
/// The micro-kernel keeps a 4 x 16 tile of `C` in 8 `SIMD8<Float>` accumulators, each updated by one
/// `vfmadd231ps` per depth step (`multiplyAdd`). Eight independent FMA chains cover the FMA latency x throughput
/// (4 x 2) of the AMD Zen 4 cores we run on; a 6 x 16 tile (12 accumulators, the classic Haswell choice) needs
/// all 16 ymm registers and LLVM's scheduler then hoists the six broadcasts and spills three accumulators to
/// the stack, which measured twice as slow (about 48 vs 100 GFLOP/s at 256 x 256 x 256). Edge tiles use the
/// same code specialised for fewer rows or one
/// vector of columns. Complexity O(m n k) arithmetic plus O(k n) packing; no allocation (the workspace is
/// reused).
enum PackedGEMM {
  /// Rows of the register tile.
  static let tileRows = 4
  /// Columns of the register tile (two `SIMD8<Float>`).
  static let panelWidth = 16
  /// Depth (k) of one packed panel: 256 x 16 floats = 16 KiB, half of L1.
  static let depthBlock = 256
  /// Workspace floats needed by `multiply`.
  static let workspaceFloats = depthBlock * panelWidth

  /// `C = A B` (or `C += A B` when `accumulate`), `A` `[m x k]`, `B` `[k x n]`, `C` `[m x n]`.
  static func multiply(
    m: Int, n: Int, k: Int, a: StridedOperand, b: StridedOperand,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, accumulate: Bool, workspace: KernelWorkspace
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      if !accumulate {
        for row in 0..<m { (c + row * cRowStride).update(repeating: 0, count: n) }
      }
      return
    }
    let packed = workspace.floats(workspaceFloats)
    var depthStart = 0
    while depthStart < k {
      let depth = min(depthBlock, k - depthStart)
      let addToC = accumulate || depthStart > 0
      var columnStart = 0
      while columnStart < n {
        let columns = min(panelWidth, n - columnStart)
        packPanel(
          b, depthStart: depthStart, depth: depth, columnStart: columnStart, columns: columns,
          into: packed)
        var rowStart = 0
        while rowStart < m {
          let rows = min(tileRows, m - rowStart)
          let aTile = a.base + rowStart * a.rowStride + depthStart * a.columnStride
          let cTile = c + rowStart * cRowStride + columnStart
          tile(
            rows: rows, columns: columns, a: aTile, aRowStride: a.rowStride,
            aDepthStride: a.columnStride,
            packed: UnsafePointer(packed), depth: depth, c: cTile, cRowStride: cRowStride,
            addToC: addToC)
          rowStart += tileRows
        }
        columnStart += panelWidth
      }
      depthStart += depthBlock
    }
  }

  /// Packs `B[depthStart..<depthStart+depth, columnStart..<columnStart+columns]` as `depth` rows of 16 floats.
  @inline(__always)
  static func packPanel(
    _ b: StridedOperand, depthStart: Int, depth: Int, columnStart: Int, columns: Int,
    into packed: UnsafeMutablePointer<Float>
  ) {
    let source = b.base + depthStart * b.rowStride + columnStart * b.columnStride
    if b.columnStride == 1 && columns == panelWidth {
      for d in 0..<depth {
        let row = source + d * b.rowStride
        storeVector(loadVector(row), packed + d * panelWidth)
        storeVector(loadVector(row + 8), packed + d * panelWidth + 8)
      }
    } else if b.rowStride == 1 {
      // Transposing read (B = X^T): walk each source column contiguously.
      for column in 0..<columns {
        let sourceColumn = source + column * b.columnStride
        for d in 0..<depth { packed[d * panelWidth + column] = sourceColumn[d] }
      }
      if columns < panelWidth {
        for d in 0..<depth {
          (packed + d * panelWidth + columns).update(repeating: 0, count: panelWidth - columns)
        }
      }
    } else {
      for d in 0..<depth {
        let row = source + d * b.rowStride
        let target = packed + d * panelWidth
        for column in 0..<columns { target[column] = row[column * b.columnStride] }
        if columns < panelWidth {
          (target + columns).update(repeating: 0, count: panelWidth - columns)
        }
      }
    }
  }

  /// Dispatches one tile to the micro-kernel specialised for its shape (constant arguments are folded).
  @inline(__always)
  static func tile(
    rows: Int, columns: Int, a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    packed: UnsafePointer<Float>, depth: Int, c: UnsafeMutablePointer<Float>, cRowStride: Int,
    addToC: Bool
  ) {
    if columns > 8 {
      switch rows {
      case 4:
        microKernel4x16(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      case 3:
        microKernel3x16(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      case 2:
        microKernel2x16(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      default:
        microKernel1x16(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      }
    } else {
      switch rows {
      case 4:
        microKernel4x8(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      case 3:
        microKernel3x8(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      case 2:
        microKernel2x8(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      default:
        microKernel1x8(a, aRowStride, aDepthStride, packed, depth, c, cRowStride, columns, addToC)
      }
    }
  }

  // Non-inlined entry points, one per tile shape, so each gets its own register allocation.
  // swift-format-ignore
  @inline(never) static func microKernel4x16(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 4, wide: true, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel3x16(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 3, wide: true, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel2x16(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 2, wide: true, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel1x16(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 1, wide: true, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel4x8(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 4, wide: false, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel3x8(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 3, wide: false, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel2x8(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 2, wide: false, a, ars, ads, b, depth, c, crs, columns, addToC) }
  // swift-format-ignore
  @inline(never) static func microKernel1x8(_ a: UnsafePointer<Float>, _ ars: Int, _ ads: Int, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ crs: Int, _ columns: Int, _ addToC: Bool) { microKernel(rows: 1, wide: false, a, ars, ads, b, depth, c, crs, columns, addToC) }

  /// The register-blocked micro-kernel: `C[0..<rows, 0..<columns] (+)= A[0..<rows, 0..<depth] P`, `P` a packed
  /// `depth x 16` panel. `rows` (1...4) and `wide` (16 or 8 columns computed) are compile-time constants
  /// after inlining, so unused accumulators and branches disappear.
  @inline(__always)
  static func microKernel(
    rows: Int, wide: Bool, _ a: UnsafePointer<Float>, _ aRowStride: Int, _ aDepthStride: Int,
    _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>, _ cRowStride: Int,
    _ columns: Int, _ addToC: Bool
  ) {
    var c00 = SIMD8<Float>()
    var c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>()
    var c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>()
    var c31 = SIMD8<Float>()
    // Row pointers; rows past `rows` alias the last valid row and are never read.
    let a0 = a
    let a1 = a + min(1, rows - 1) * aRowStride
    let a2 = a + min(2, rows - 1) * aRowStride
    let a3 = a + min(3, rows - 1) * aRowStride
    var offset = 0
    var panel = b
    for _ in 0..<depth {
      let b0 = loadVector(panel)
      let b1 = wide ? loadVector(panel + 8) : SIMD8<Float>()
      let s0 = SIMD8<Float>(repeating: a0[offset])
      multiplyAdd(&c00, s0, b0)
      if wide { multiplyAdd(&c01, s0, b1) }
      if rows > 1 {
        let s1 = SIMD8<Float>(repeating: a1[offset])
        multiplyAdd(&c10, s1, b0)
        if wide { multiplyAdd(&c11, s1, b1) }
      }
      if rows > 2 {
        let s2 = SIMD8<Float>(repeating: a2[offset])
        multiplyAdd(&c20, s2, b0)
        if wide { multiplyAdd(&c21, s2, b1) }
      }
      if rows > 3 {
        let s3 = SIMD8<Float>(repeating: a3[offset])
        multiplyAdd(&c30, s3, b0)
        if wide { multiplyAdd(&c31, s3, b1) }
      }
      offset += aDepthStride
      panel += panelWidth
    }
    storeRow(c00, c01, wide: wide, c, columns, addToC)
    if rows > 1 { storeRow(c10, c11, wide: wide, c + cRowStride, columns, addToC) }
    if rows > 2 { storeRow(c20, c21, wide: wide, c + 2 * cRowStride, columns, addToC) }
    if rows > 3 { storeRow(c30, c31, wide: wide, c + 3 * cRowStride, columns, addToC) }
  }

  /// Writes (or adds) the first `columns` lanes of `low ++ high` to `row`.
  @inline(__always)
  static func storeRow(
    _ low: SIMD8<Float>, _ high: SIMD8<Float>, wide: Bool, _ row: UnsafeMutablePointer<Float>,
    _ columns: Int,
    _ addToC: Bool
  ) {
    if columns == 16 && wide {
      if addToC {
        storeVector(loadVector(row) + low, row)
        storeVector(loadVector(row + 8) + high, row + 8)
      } else {
        storeVector(low, row)
        storeVector(high, row + 8)
      }
    } else if columns == 8 {
      storeVector(addToC ? loadVector(row) + low : low, row)
    } else {
      for lane in 0..<min(columns, 8) { row[lane] = addToC ? row[lane] + low[lane] : low[lane] }
      if wide && columns > 8 {
        for lane in 8..<columns { row[lane] = addToC ? row[lane] + high[lane - 8] : high[lane - 8] }
      }
    }
  }
}
