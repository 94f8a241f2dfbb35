import ArgumentParser
import Foundation
import SparseRLAgents
import SparseRLExperiments
import SparseRLNumerics
import SparseRLSparsity

/// `sparserl describe`: the per-layer sparsity allocation, parameter counts and FLOPs of a network.
struct DescribeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "describe",
    abstract: "Show the per-layer sparsity, active weights, storage and FLOPs of a network.",
    discussion: """
      An agent's networks: --config rlx2/td3-halfcheetah [--set key=value ...] (a preset or YAML file; the
      environment is built to learn its observation and action sizes).
      MLP: --layers 17,256,256,6 (input, hidden..., output widths).
      CNN: --input 84x84x4 --conv 32:8x8/4,64:4x4/2,64:3x3/1 --layers 512,6 (valid padding; --layers are the \
      fully connected widths after flattening).
      """
  )

  @Option(help: "Comma-separated layer widths.", transform: DescribeCommand.integers)
  var layers: [Int] = []

  @Option(help: "Describe the networks of the agent of this preset or YAML file (repeatable, applied in order).")
  var config: [String] = []

  @Option(name: .customLong("set"), help: "Override one key of --config (repeatable).")
  var overrides: [String] = []

  @Option(help: "Input of a CNN, HxWxC.")
  var input: String?

  @Option(
    help: "Comma-separated convolutions, outChannels:KHxKW/stride.",
    transform: DescribeCommand.strings)
  var conv: [String] = []

  @Option(help: "Target network sparsity in [0, 1).")
  var sparsity: Double = 0.9

  @Option(help: "Per-layer distribution: uniform, er or erk.")
  var distribution: SparsityDistribution = .erdosRenyiKernel

  @Flag(help: "Keep the first layer dense.")
  var firstLayerDense = false

  @Option(help: "What the target applies to with fixed layers: network or free-layers.")
  var budget: String = "network"

  @Option(help: "Minibatch size for the training FLOPs.")
  var batchSize: Int = 256

  @Option(help: "RigL's update interval ΔT, to amortise the dense gradient in the training FLOPs.")
  var updateInterval: Int?

  mutating func run() throws {
    if !config.isEmpty {
      let experiment = try Experiment.resolve(layers: config.map(Presets.layer), overrides: overrides)
      let agent = try experiment.makeAgent(makeEnvironment: { try experiment.makeTrainingEnvironment() })
      print("\(experiment.kind.rawValue) on \(experiment.run.environment)")
      for (role, network) in agent.networks {
        let shapes = network.model.maskableLayers.map { SparseNetwork.shape(of: $0.layer) }
        let allocation =
          try network.allocation ?? SparsityAllocator(distribution: .uniform, sparsity: 0).allocate(shapes)
        let interval =
          network.sparsity.isSparse && network.sparsity.method == .rigl ? network.sparsity.updateInterval : nil
        print(
          "\n\(role): \(network.sparsity.isSparse ? network.sparsity.method.rawValue : "dense"), "
            + "\(network.sparsity.distribution.rawValue) distribution, target sparsity \(network.sparsity.sparsity)")
        print(AllocationReport.text(allocation, batchSize: batchSize, denseGradientInterval: interval))
      }
      print("\nkernels: \(KernelVariant.activeSummary)")
      return
    }
    guard !layers.isEmpty else { throw ValidationError("give --layers (and --input/--conv for a CNN) or --config") }
    let overrideBudget: OverrideBudget
    switch budget {
    case "network": overrideBudget = .network
    case "free-layers": overrideBudget = .freeLayers
    default: throw ValidationError("--budget must be network or free-layers, got '\(budget)'")
    }
    guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    if let updateInterval, updateInterval <= 0 {
      throw ValidationError("--update-interval must be positive")
    }
    do {
      let shapes = try LayerStackParser.shapes(layers: layers, input: input, convolutions: conv)
      let allocator = SparsityAllocator(
        distribution: distribution, sparsity: sparsity, firstLayerDense: firstLayerDense,
        overrideBudget: overrideBudget)
      let allocation = try allocator.allocate(shapes)
      print("\(distribution.rawValue) distribution, target sparsity \(sparsity)")
      print(
        AllocationReport.text(
          allocation, batchSize: batchSize, denseGradientInterval: updateInterval))
      print("\nkernels: \(KernelVariant.activeSummary)")
    } catch {
      throw ValidationError(error.description)
    }
  }

  static func integers(_ text: String) throws -> [Int] {
    try text.split(separator: ",").map { part in
      guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else {
        throw ValidationError("'\(part)' in '\(text)' is not an integer")
      }
      return value
    }
  }

  static func strings(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
}

extension SparsityDistribution: ExpressibleByArgument {}
