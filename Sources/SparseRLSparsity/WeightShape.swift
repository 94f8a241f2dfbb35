/// The shape of one maskable weight tensor (a Linear or Conv2d weight), as the sparsity distributions and the
/// accounting see it.
///
/// The weight is stored as a matrix `[rows x columns]`: `[outputs x inputs]` for a Linear layer and
/// `[outChannels x inChannels * kernelHeight * kernelWidth]` for a Conv2d layer (columns grouped by input
/// channel: column `(c * kernelHeight + y) * kernelWidth + x`).
public enum WeightShape: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
  /// A fully connected layer `inputs -> outputs`.
  case linear(inputs: Int, outputs: Int)
  /// A 2-D convolution with a `kernelHeight x kernelWidth` kernel. `outputPositions` (output height times
  /// output width) is how many times each weight is applied per sample; it matters only for FLOP counts.
  case conv2d(
    kernelHeight: Int, kernelWidth: Int, inChannels: Int, outChannels: Int, outputPositions: Int)

  /// Rows of the weight matrix (output features or output channels).
  public var rows: Int {
    switch self {
    case .linear(_, let outputs): outputs
    case .conv2d(_, _, _, let outChannels, _): outChannels
    }
  }

  /// Columns of the weight matrix (input features, or input channels times kernel positions).
  public var columns: Int {
    switch self {
    case .linear(let inputs, _): inputs
    case .conv2d(let kh, let kw, let inChannels, _, _): inChannels * kh * kw
    }
  }

  /// Number of entries of the dense weight tensor.
  public var weightCount: Int { rows * columns }

  /// Number of bias entries (one per output feature or channel). Biases are never masked.
  public var biasCount: Int { rows }

  /// How many times each weight is applied per sample in a forward pass (1, or the output positions).
  public var usesPerSample: Int {
    switch self {
    case .linear: 1
    case .conv2d(_, _, _, _, let positions): positions
    }
  }

  /// Weight columns that belong to one input unit (1 for Linear, `kernelHeight * kernelWidth` for Conv2d).
  public var columnsPerInputUnit: Int {
    switch self {
    case .linear: 1
    case .conv2d(let kh, let kw, _, _, _): kh * kw
    }
  }

  /// The tensor's dimensions as ERK sees them: `[inputs, outputs]` or `[kh, kw, inChannels, outChannels]`.
  public var dimensions: [Int] {
    switch self {
    case .linear(let inputs, let outputs): [inputs, outputs]
    case .conv2d(let kh, let kw, let cin, let cout, _): [kh, kw, cin, cout]
    }
  }

  /// Erdős–Rényi raw density score `(n_in + n_out) / (n_in * n_out)`. For a convolution `n_in`, `n_out` are the
  /// channel counts (the kernel size is ignored, as in the RigL code's `erdos_renyi`).
  public var erdosRenyiScore: Double {
    let (nIn, nOut): (Int, Int)
    switch self {
    case .linear(let inputs, let outputs): (nIn, nOut) = (inputs, outputs)
    case .conv2d(_, _, let cin, let cout, _): (nIn, nOut) = (cin, cout)
    }
    return Double(nIn + nOut) / Double(nIn * nOut)
  }

  /// Erdős–Rényi-Kernel raw density score: sum of the dimensions over their product. Equals the ER score for a
  /// Linear weight.
  public var erdosRenyiKernelScore: Double {
    Double(dimensions.reduce(0, +)) / Double(dimensions.reduce(1, *))
  }

  /// Checks that every dimension is positive.
  public func validate() throws(SparsityError) {
    let positive = dimensions.allSatisfy { $0 > 0 } && usesPerSample > 0
    guard positive else { throw .invalidShape("\(self): every dimension must be positive") }
  }

  /// `linear 17x256`-style description (`in x out`) or `conv 8x8x4x32 @400` (`kh x kw x cin x cout @ positions`).
  public var description: String {
    switch self {
    case .linear(let inputs, let outputs): "linear \(inputs)x\(outputs)"
    case .conv2d(let kh, let kw, let cin, let cout, let positions):
      "conv \(kh)x\(kw)x\(cin)x\(cout) @\(positions)"
    }
  }
}

/// Errors from the sparsity distributions, schedules and configuration checks.
public enum SparsityError: Error, Equatable, CustomStringConvertible {
  /// A layer shape has a non-positive dimension.
  case invalidShape(String)
  /// A sparsity, fraction or step setting is outside its valid range.
  case invalidSetting(String)
  /// The requested network sparsity cannot be met with the given overrides and shapes.
  case infeasible(String)

  public var description: String {
    switch self {
    case .invalidShape(let message): "invalid layer shape: \(message)"
    case .invalidSetting(let message): "invalid sparsity setting: \(message)"
    case .infeasible(let message): "infeasible sparsity allocation: \(message)"
    }
  }
}
