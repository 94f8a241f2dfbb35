import Foundation

/// Float transcendentals of the agents' hot loops, computed through Double functions that glibc implements with
/// fast FMA code paths. glibc's `tanhf` goes through a slow `expm1f`; in `perf` profiles of TD3 and SAC it was
/// the largest symbol outside the kernels.
public enum FloatMath {
  /// `tanh(x)` and `z = exp(-2|x|)` from one Double `exp`: `tanh|x| = (1 - z) / (1 + z)` (relative error near
  /// 1e-16 / |x| in Double, below Float's for |x| above 1e-9), and `x` itself below 1e-6, where
  /// `tanh x = x (1 - x²/3 ...)` rounds to `x` in Float. The sign of `x` is kept (also for -0); NaN stays NaN.
  @inlinable @inline(__always)
  public static func tanhAndExp(_ x: Float) -> (tanh: Float, z: Double) {
    let magnitude = Double(abs(x))
    let z = Foundation.exp(-2 * magnitude)
    let tanhMagnitude = Float(magnitude < 1e-6 ? magnitude : (1 - z) / (1 + z))
    return (x.sign == .minus ? -tanhMagnitude : tanhMagnitude, z)
  }

  /// `tanh(x)` (see `tanhAndExp(_:)`).
  @inlinable @inline(__always)
  public static func tanh(_ x: Float) -> Float { tanhAndExp(x).tanh }
}
