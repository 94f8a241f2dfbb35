import SparseRLNumerics

/// Layer normalisation over the features of each sample: for every column `b` of `X` (`[features x batch]`),
/// `y_ib = gamma_i (x_ib - mean_b) / sqrt(var_b + epsilon) + beta_i`, with the biased variance (PyTorch's
/// `nn.LayerNorm`). With `affine: false` there is no `gamma`/`beta` (`y = x_hat`).
///
/// Parameters (dense, `[features x 1]`): `weight` (`gamma`, ones) and `bias` (`beta`, zeros).
/// Cost O(features * batch) per pass; statistics are accumulated row by row over contiguous batch runs.
public final class LayerNorm: Layer {
  /// Number of features normalised together.
  public let features: Int
  /// Added to the variance (1e-5 by default, as PyTorch).
  public let epsilon: Float
  /// The scale `gamma`, or `nil` without affine transform.
  public let weight: Parameter?
  /// The shift `beta`, or `nil` without affine transform.
  public let bias: Parameter?

  private var normalized = Matrix(rows: 0, columns: 0)
  private var output = Matrix(rows: 0, columns: 0)
  private var inputGradient = Matrix(rows: 0, columns: 0)
  private var inverseStd: [Float] = []
  private var sumA: [Float] = []
  private var sumB: [Float] = []

  /// A layer norm over `features`, with a learnable `gamma` (ones) and `beta` (zeros) when `affine`.
  public convenience init(features: Int, epsilon: Float = 1e-5, affine: Bool = true) {
    precondition(features > 0, "LayerNorm: features must be positive, got \(features)")
    self.init(
      features: features, epsilon: epsilon,
      weight: affine
        ? Parameter(name: "weight", rows: features, columns: 1, value: .init(repeating: 1, count: features)) : nil,
      bias: affine
        ? Parameter(name: "bias", rows: features, columns: 1, value: .init(repeating: 0, count: features)) : nil)
  }

  /// A layer norm around existing parameters (both or neither).
  public init(features: Int, epsilon: Float, weight: Parameter?, bias: Parameter?) {
    precondition((weight == nil) == (bias == nil), "LayerNorm: give both weight and bias, or neither")
    for p in [weight, bias].compactMap({ $0 }) {
      precondition(
        p.rows == features && p.columns == 1 && !p.isSparse, "LayerNorm: \(p.name) must be dense \(features)x1")
    }
    precondition(epsilon >= 0, "LayerNorm: epsilon must be non-negative")
    self.features = features
    self.epsilon = epsilon
    self.weight = weight
    self.bias = bias
  }

  /// Whether the layer has `gamma` and `beta`.
  public var isAffine: Bool { weight != nil }

  public var localParameters: [(name: String, parameter: Parameter)] {
    guard let weight, let bias else { return [] }
    return [("weight", weight), ("bias", bias)]
  }

  public func outputFeatures(forInput inputFeatures: Int) -> Int {
    precondition(inputFeatures == features, "LayerNorm(\(features)): got \(inputFeatures) input features")
    return features
  }

  private func prepareStatistics(batch: Int) {
    if inverseStd.count != batch {
      inverseStd = [Float](repeating: 0, count: batch)
      sumA = [Float](repeating: 0, count: batch)
      sumB = [Float](repeating: 0, count: batch)
    }
  }

  public func forward(_ input: Matrix) -> Matrix {
    precondition(input.rows == features, "LayerNorm(\(features)): input has \(input.rows) features")
    let batch = input.columns
    let f = features
    let scale = 1 / Float(f)
    let epsilon = epsilon
    prepareStatistics(batch: batch)
    normalized.prepare(rows: f, columns: batch)
    output.prepare(rows: f, columns: batch)
    input.scalars.withUnsafeBufferPointer { x in
      normalized.scalars.withUnsafeMutableBufferPointer { xhat in
        sumA.withUnsafeMutableBufferPointer { mean in
          inverseStd.withUnsafeMutableBufferPointer { rstd in
            mean.update(repeating: 0)
            for i in 0..<f { for b in 0..<batch { mean[b] += x[i * batch + b] } }
            for b in 0..<batch { mean[b] *= scale }
            // Two-pass variance: centre first (xhat holds x - mean), then sum squares.
            rstd.update(repeating: 0)
            for i in 0..<f {
              for b in 0..<batch {
                let centred = x[i * batch + b] - mean[b]
                xhat[i * batch + b] = centred
                rstd[b] += centred * centred
              }
            }
            for b in 0..<batch { rstd[b] = 1 / (rstd[b] * scale + epsilon).squareRoot() }
            for i in 0..<f { for b in 0..<batch { xhat[i * batch + b] *= rstd[b] } }
          }
        }
      }
    }
    output.scalars.withUnsafeMutableBufferPointer { y in
      normalized.scalars.withUnsafeBufferPointer { xhat in
        if let weight, let bias {
          weight.value.withUnsafeBufferPointer { gamma in
            bias.value.withUnsafeBufferPointer { beta in
              for i in 0..<f {
                let g = gamma[i]
                let s = beta[i]
                for b in 0..<batch { y[i * batch + b] = g * xhat[i * batch + b] + s }
              }
            }
          }
        } else {
          _ = y.update(fromContentsOf: xhat)
        }
      }
    }
    return output
  }

  public func backward(_ dyMatrix: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    let batch = normalized.columns
    let f = features
    precondition(
      dyMatrix.rows == f && dyMatrix.columns == batch,
      "LayerNorm(\(f)).backward: gradient is \(dyMatrix.rows)x\(dyMatrix.columns), expected \(f)x\(batch)")
    let scale = 1 / Float(f)
    inputGradient.prepare(rows: f, columns: batch)
    if accumulateParameterGradients, let weight, let bias {
      weight.gradient.withUnsafeMutableBufferPointer { dGamma in
        bias.gradient.withUnsafeMutableBufferPointer { dBeta in
          dyMatrix.scalars.withUnsafeBufferPointer { dy in
            normalized.scalars.withUnsafeBufferPointer { xhat in
              for i in 0..<f {
                var sg: Float = 0
                var sb: Float = 0
                for b in 0..<batch {
                  sg += dy[i * batch + b] * xhat[i * batch + b]
                  sb += dy[i * batch + b]
                }
                dGamma[i] += sg
                dBeta[i] += sb
              }
            }
          }
        }
      }
    }
    let gamma = weight?.value ?? []
    // dx = rstd * (g - mean_i(g) - xhat * mean_i(g * xhat)), g = dy * gamma.
    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
      dyMatrix.scalars.withUnsafeBufferPointer { dy in
        normalized.scalars.withUnsafeBufferPointer { xhat in
          sumA.withUnsafeMutableBufferPointer { meanG in
            sumB.withUnsafeMutableBufferPointer { meanGX in
              inverseStd.withUnsafeBufferPointer { rstd in
                gamma.withUnsafeBufferPointer { gammaValues in
                  let affine = !gammaValues.isEmpty
                  meanG.update(repeating: 0)
                  meanGX.update(repeating: 0)
                  for i in 0..<f {
                    let gi: Float = affine ? gammaValues[i] : 1
                    for b in 0..<batch {
                      let g = dy[i * batch + b] * gi
                      dx[i * batch + b] = g
                      meanG[b] += g
                      meanGX[b] += g * xhat[i * batch + b]
                    }
                  }
                  for b in 0..<batch {
                    meanG[b] *= scale
                    meanGX[b] *= scale
                  }
                  for i in 0..<f {
                    for b in 0..<batch {
                      let k = i * batch + b
                      dx[k] = rstd[b] * (dx[k] - meanG[b] - xhat[k] * meanGX[b])
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return inputGradient
  }

  public func copy() -> LayerNorm {
    LayerNorm(features: features, epsilon: epsilon, weight: weight?.copy(), bias: bias?.copy())
  }
}
