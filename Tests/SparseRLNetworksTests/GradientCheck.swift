import Foundation
import SparseRLNumerics

@testable import SparseRLNetworks

/// Float64 reference implementations written directly from the definitions (no im2col, no kernels), on
/// row-major `[features x batch]` arrays, and a central-finite-difference gradient check built on them.
enum Reference {
  /// `W x + b`, `W` dense `[out x in]` row-major.
  static func linear(_ w: [Double], _ b: [Double]?, _ x: [Double], out: Int, in inF: Int, batch: Int) -> [Double] {
    var y = [Double](repeating: 0, count: out * batch)
    for i in 0..<out {
      for s in 0..<batch {
        var sum = b?[i] ?? 0
        for j in 0..<inF { sum += w[i * inF + j] * x[j * batch + s] }
        y[i * batch + s] = sum
      }
    }
    return y
  }

  static func relu(_ x: [Double]) -> [Double] { x.map { max($0, 0) } }
  static func leakyReLU(_ x: [Double], slope: Double) -> [Double] { x.map { $0 > 0 ? $0 : slope * $0 } }
  static func tanh(_ x: [Double]) -> [Double] { x.map { Foundation.tanh($0) } }

  /// Per-sample layer norm over the features (biased variance).
  static func layerNorm(_ x: [Double], gamma: [Double]?, beta: [Double]?, features: Int, batch: Int, epsilon: Double)
    -> [Double]
  {
    var y = [Double](repeating: 0, count: x.count)
    for s in 0..<batch {
      let column = (0..<features).map { x[$0 * batch + s] }
      let mean = column.reduce(0, +) / Double(features)
      let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(features)
      for i in 0..<features {
        let normalized = (column[i] - mean) / (variance + epsilon).squareRoot()
        y[i * batch + s] = (gamma?[i] ?? 1) * normalized + (beta?[i] ?? 0)
      }
    }
    return y
  }

  /// Direct convolution from the definition: `y[o, oy, ox] = b[o] + sum_{c,dy,dx} W[o, c, dy, dx] x[c, iy, ix]`.
  static func conv2d(
    _ w: [Double], _ b: [Double]?, _ x: [Double], inChannels: Int, outChannels: Int, height: Int, width: Int,
    kernel: Int, stride: Int, padding: Int, batch: Int
  ) -> [Double] {
    let outH = (height + 2 * padding - kernel) / stride + 1
    let outW = (width + 2 * padding - kernel) / stride + 1
    var y = [Double](repeating: 0, count: outChannels * outH * outW * batch)
    for o in 0..<outChannels {
      for oy in 0..<outH {
        for ox in 0..<outW {
          for s in 0..<batch {
            var sum = b?[o] ?? 0
            for c in 0..<inChannels {
              for dy in 0..<kernel {
                for dx in 0..<kernel {
                  let iy = oy * stride + dy - padding
                  let ix = ox * stride + dx - padding
                  guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                  let weight = w[o * inChannels * kernel * kernel + (c * kernel + dy) * kernel + dx]
                  sum += weight * x[((c * height + iy) * width + ix) * batch + s]
                }
              }
            }
            y[((o * outH + oy) * outW + ox) * batch + s] = sum
          }
        }
      }
    }
    return y
  }
}

/// Dense `Double` values of every parameter, by dotted name.
typealias ReferenceParameters = [String: [Double]]
/// A `Double` forward pass: parameters (dense), input `[in x batch]` -> output `[out x batch]`.
typealias ReferenceForward = (_ parameters: ReferenceParameters, _ input: [Double], _ batch: Int) -> [Double]

/// The outcome of a gradient check: the worst violation ratio `|analytic - reference| / (atol + rtol |reference|)`
/// (<= 1 passes) for the output, the input gradient and the parameter gradients, plus how many were compared.
struct GradientCheckResult {
  var outputRatio = 0.0
  var inputGradientRatio = 0.0
  var parameterGradientRatio = 0.0
  var denseWeightGradientRatio = 0.0
  var comparedParameterEntries = 0
  var worst = ""

  var passed: Bool { max(outputRatio, inputGradientRatio, parameterGradientRatio, denseWeightGradientRatio) <= 1 }
}

/// Central finite differences of `L = sum(R * f(theta, x))` evaluated in Float64 on the reference forward,
/// against the layer's Float32 backward, for the input and every stored parameter entry. With
/// `checkDenseWeightGradients`, every maskable layer's `denseWeightGradient()` is checked at every entry of the
/// dense weight (inactive ones included, perturbed from 0).
func checkGradients(
  _ layer: any Layer, inputFeatures: Int, batch: Int, seed: UInt64, absoluteTolerance: Double = 2e-4,
  relativeTolerance: Double = 2e-3, step: Double = 1e-5, checkDenseWeightGradients: Bool = false,
  reference: ReferenceForward
) -> GradientCheckResult {
  var random = RandomGenerator(seed: seed)
  let outputFeatures = layer.outputFeatures(forInput: inputFeatures)
  let input = Matrix(
    rows: inputFeatures, columns: batch,
    scalars: (0..<(inputFeatures * batch)).map { _ in random.normal(mean: 0, standardDeviation: 1) })
  let weights = (0..<(outputFeatures * batch)).map { _ in Double(random.normal()) }
  var parameters: ReferenceParameters = [:]
  for (name, parameter) in layer.namedParameters {
    parameters[name] = parameter.denseValue().scalars.map(Double.init)
  }
  let x = input.scalars.map(Double.init)
  var result = GradientCheckResult()
  func ratio(_ analytic: Double, _ expected: Double) -> Double {
    abs(analytic - expected) / (absoluteTolerance + relativeTolerance * abs(expected))
  }
  func record(_ r: Double, _ keyPath: WritableKeyPath<GradientCheckResult, Double>, _ what: @autoclosure () -> String) {
    if r > result[keyPath: keyPath] {
      result[keyPath: keyPath] = r
      if r > 1 { result.worst = what() }
    }
  }

  // Output.
  layer.zeroGradients()
  let output = layer.forward(input)
  let expected = reference(parameters, x, batch)
  for k in 0..<expected.count { record(ratio(Double(output.scalars[k]), expected[k]), \.outputRatio, "output[\(k)]") }

  // Analytic gradients.
  let inputGradient = layer.backward(
    Matrix(rows: outputFeatures, columns: batch, scalars: weights.map(Float.init)), accumulateParameterGradients: true)
  // The Float32 R used by backward, in Double, so both sides differentiate the same loss.
  let r = weights.map { Double(Float($0)) }
  func loss(_ p: ReferenceParameters, _ x: [Double]) -> Double {
    zip(reference(p, x, batch), r).reduce(0) { $0 + $1.0 * $1.1 }
  }
  func difference(_ perturb: (Double) -> Double) -> Double { (perturb(step) - perturb(-step)) / (2 * step) }

  for i in 0..<x.count {
    let numeric = difference { h in
      var xp = x
      xp[i] += h
      return loss(parameters, xp)
    }
    record(ratio(Double(inputGradient.scalars[i]), numeric), \.inputGradientRatio, "dX[\(i)]")
  }
  for (name, parameter) in layer.namedParameters {
    let flat = parameter.pattern?.activeIndices ?? Array(0..<parameter.denseCount)
    for (k, index) in flat.enumerated() {
      let numeric = difference { h in
        var p = parameters
        p[name]![index] += h
        return loss(p, x)
      }
      result.comparedParameterEntries += 1
      record(ratio(Double(parameter.gradient[k]), numeric), \.parameterGradientRatio, "d\(name)[\(index)]")
    }
  }
  if checkDenseWeightGradients {
    for (path, maskable) in layer.maskableLayers {
      let name = path.isEmpty ? "weight" : path + ".weight"
      let dense = maskable.denseWeightGradient()
      for index in 0..<maskable.weight.denseCount {
        let numeric = difference { h in
          var p = parameters
          p[name]![index] += h
          return loss(p, x)
        }
        record(ratio(Double(dense.scalars[index]), numeric), \.denseWeightGradientRatio, "dense d\(name)[\(index)]")
      }
    }
  }
  return result
}
