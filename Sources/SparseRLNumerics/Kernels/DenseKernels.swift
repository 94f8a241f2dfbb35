/// Dense kernels of a linear layer, on row-major buffers with feature-major activations.
///
/// Shapes: weights `W` are `[out x in]`, activations `X` are `[in x batch]`, outputs `Y` are `[out x batch]`.
/// Every kernel is O(out * in * batch) and performs no allocation.
///
/// NOTE: these are straightforward reference loops; the optimised versions replace the bodies.
public enum DenseKernels {
  /// `Y = W X` (overwrites `output`).
  public static func forward(
    weights: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    output: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int
  ) {
    precondition(weights.count >= outFeatures * inFeatures && input.count >= inFeatures * batch)
    precondition(output.count >= outFeatures * batch)
    for i in 0..<outFeatures {
      for b in 0..<batch { output[i * batch + b] = 0 }
      for j in 0..<inFeatures {
        let w = weights[i * inFeatures + j]
        for b in 0..<batch { output[i * batch + b] += w * input[j * batch + b] }
      }
    }
  }

  /// `dX = W^T dY` (overwrites `inputGradient`).
  public static func inputGradient(
    weights: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
    inputGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int
  ) {
    precondition(weights.count >= outFeatures * inFeatures && outputGradient.count >= outFeatures * batch)
    precondition(inputGradient.count >= inFeatures * batch)
    for k in 0..<(inFeatures * batch) { inputGradient[k] = 0 }
    for i in 0..<outFeatures {
      for j in 0..<inFeatures {
        let w = weights[i * inFeatures + j]
        for b in 0..<batch { inputGradient[j * batch + b] += w * outputGradient[i * batch + b] }
      }
    }
  }

  /// `dW (+)= dY X^T`: overwrites `weightGradient` unless `accumulate` is true, then adds to it.
  public static func weightGradient(
    outputGradient: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
    weightGradient: UnsafeMutableBufferPointer<Float>, outFeatures: Int, inFeatures: Int, batch: Int,
    accumulate: Bool
  ) {
    precondition(outputGradient.count >= outFeatures * batch && input.count >= inFeatures * batch)
    precondition(weightGradient.count >= outFeatures * inFeatures)
    for i in 0..<outFeatures {
      for j in 0..<inFeatures {
        var sum: Float = 0
        for b in 0..<batch { sum += outputGradient[i * batch + b] * input[j * batch + b] }
        if accumulate { weightGradient[i * inFeatures + j] += sum } else { weightGradient[i * inFeatures + j] = sum }
      }
    }
  }
}
