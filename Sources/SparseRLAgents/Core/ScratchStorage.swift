/// Reuse of `[Float]` buffers across updates: an agent or loss keeps its per-update vectors (targets, loss
/// gradients) as stored arrays and rewrites them in place, so that a training step allocates nothing once the
/// arrays have their sizes (`Matrix.prepare(rows:columns:)` is the same for matrices).
extension Array where Element == Float {
  /// Makes the array `count` elements long in its own storage (no allocation once it has the capacity and no
  /// other array shares it). Elements are unspecified after a change of length.
  mutating func prepare(count: Int) {
    guard self.count != count else { return }
    if self.count > count {
      removeLast(self.count - count)
    } else {
      append(contentsOf: repeatElement(0, count: count - self.count))
    }
  }

  /// Makes the array `count` copies of `value`, in its own storage like `prepare(count:)`.
  mutating func assign(repeating value: Float, count: Int) {
    prepare(count: count)
    withUnsafeMutableBufferPointer { $0.update(repeating: value) }
  }
}
