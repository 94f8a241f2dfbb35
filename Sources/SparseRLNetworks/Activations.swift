import SparseRLNumerics

/// The buffers of an element-wise activation: the output (which its derivative is computed from) and the
/// input gradient, both reused across calls.
struct ActivationBuffers {
  var output = Matrix(rows: 0, columns: 0)
  var inputGradient = Matrix(rows: 0, columns: 0)

  /// `output = f(input)` element-wise.
  mutating func forward(_ input: Matrix, _ f: (Float) -> Float) -> Matrix {
    output.prepare(rows: input.rows, columns: input.columns)
    output.scalars.withUnsafeMutableBufferPointer { y in
      input.scalars.withUnsafeBufferPointer { x in
        for k in 0..<x.count { y[k] = f(x[k]) }
      }
    }
    return output
  }

  /// Stops with a message naming `layer` unless `outputGradient` has the shape of the last output.
  func checkGradientShape(_ outputGradient: Matrix, layer: String) {
    precondition(
      outputGradient.rows == output.rows && outputGradient.columns == output.columns,
      "\(layer).backward: gradient is \(outputGradient.rows)x\(outputGradient.columns), output was \(output.rows)x\(output.columns)"
    )
  }

  /// `inputGradient = outputGradient * f'(x)` element-wise, with `f'` given as a function of the output.
  mutating func backward(_ outputGradient: Matrix, _ derivativeFromOutput: (Float) -> Float, layer: String) -> Matrix {
    checkGradientShape(outputGradient, layer: layer)
    inputGradient.prepare(rows: output.rows, columns: output.columns)
    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
      output.scalars.withUnsafeBufferPointer { y in
        outputGradient.scalars.withUnsafeBufferPointer { dy in
          for k in 0..<dy.count { dx[k] = dy[k] * derivativeFromOutput(y[k]) }
        }
      }
    }
    return inputGradient
  }
}

/// `max(x, 0)` element-wise. The derivative at 0 is taken as 0 (PyTorch's convention).
public final class ReLU: Layer {
  private var buffers = ActivationBuffers()

  /// A ReLU.
  public init() {}

  public var localParameters: [(name: String, parameter: Parameter)] { [] }
  public func outputFeatures(forInput inputFeatures: Int) -> Int { inputFeatures }
  public func forward(_ input: Matrix) -> Matrix {
    buffers.output.prepare(rows: input.rows, columns: input.columns)
    input.scalars.withUnsafeBufferPointer { x in
      buffers.output.scalars.withUnsafeMutableBufferPointer { y in ElementwiseKernels.relu(input: x, output: y) }
    }
    return buffers.output
  }
  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    buffers.checkGradientShape(outputGradient, layer: "ReLU")
    buffers.inputGradient.prepare(rows: outputGradient.rows, columns: outputGradient.columns)
    buffers.output.scalars.withUnsafeBufferPointer { y in
      outputGradient.scalars.withUnsafeBufferPointer { dy in
        buffers.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
          ElementwiseKernels.reluBackward(output: y, outputGradient: dy, inputGradient: dx)
        }
      }
    }
    return buffers.inputGradient
  }
  public func copy() -> ReLU { ReLU() }

  /// The last output, from which `backward` reads the derivative (a `Linear` behind this layer reads it as its
  /// ReLU gate when `Sequential` fuses the two backward passes).
  var output: Matrix { buffers.output }

  /// Takes `output` (`max(x, 0)` of this layer's input, computed by the `Linear` in front, see
  /// `Linear.forward(_:fusedReLU:)`) as the last output, by reference: `forward` without its pass.
  func adoptFusedOutput(_ output: Matrix) { buffers.output = output }

  /// Drops the reference `adoptFusedOutput` took, so the `Linear` that owns the buffer writes it next time
  /// without a copy.
  func releaseAdoptedOutput() { buffers.output = Matrix(rows: 0, columns: 0) }
}

/// `x` for `x > 0`, `negativeSlope * x` otherwise, element-wise (derivative `negativeSlope` at 0, as PyTorch).
public final class LeakyReLU: Layer {
  /// The slope for negative inputs (0.01 by default, as PyTorch), non-negative.
  public let negativeSlope: Float
  private var buffers = ActivationBuffers()

  /// A leaky ReLU; `negativeSlope` must be non-negative (the derivative is read from the output's sign).
  public init(negativeSlope: Float = 0.01) {
    precondition(negativeSlope >= 0, "LeakyReLU: negativeSlope must be non-negative, got \(negativeSlope)")
    self.negativeSlope = negativeSlope
  }

  public var localParameters: [(name: String, parameter: Parameter)] { [] }
  public func outputFeatures(forInput inputFeatures: Int) -> Int { inputFeatures }
  public func forward(_ input: Matrix) -> Matrix {
    let slope = negativeSlope
    return buffers.forward(input) { $0 > 0 ? $0 : slope * $0 }
  }
  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    let slope = negativeSlope
    return buffers.backward(outputGradient, { $0 > 0 ? 1 : slope }, layer: "LeakyReLU")
  }
  public func copy() -> LeakyReLU { LeakyReLU(negativeSlope: negativeSlope) }
}

/// `tanh(x)` element-wise (derivative `1 - y^2` from the output `y`).
public final class Tanh: Layer {
  private var buffers = ActivationBuffers()

  /// A tanh activation.
  public init() {}

  public var localParameters: [(name: String, parameter: Parameter)] { [] }
  public func outputFeatures(forInput inputFeatures: Int) -> Int { inputFeatures }
  public func forward(_ input: Matrix) -> Matrix { buffers.forward(input) { FloatMath.tanh($0) } }
  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    buffers.backward(outputGradient, { 1 - $0 * $0 }, layer: "Tanh")
  }
  public func copy() -> Tanh { Tanh() }
}

/// Reinterprets `[channels * height * width x batch]` convolution activations as a feature vector per
/// sample. Feature-major layouts already store them that way (see `Matrix`), so both passes return their
/// argument unchanged; the layer exists to make architectures read like their descriptions.
public final class Flatten: Layer {
  /// A flatten layer.
  public init() {}

  public var localParameters: [(name: String, parameter: Parameter)] { [] }
  public func outputFeatures(forInput inputFeatures: Int) -> Int { inputFeatures }
  public func forward(_ input: Matrix) -> Matrix { input }
  public func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix { outputGradient }
  public func copy() -> Flatten { Flatten() }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
