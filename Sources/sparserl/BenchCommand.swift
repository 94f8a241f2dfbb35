import ArgumentParser
import SparseRLExperiments

/// `sparserl bench ...`: the benchmarks quoted in docs/benchmarks.md.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure kernels, environments and agents (build with -c release).",
    subcommands: [
      BenchKernelsCommand.self, BenchEnvsCommand.self, BenchMuJoCoCommand.self, BenchDMCCommand.self,
      BenchAgentsCommand.self,
      BenchAtariCommand.self, BenchInferenceCommand.self, BenchScalingCommand.self,
    ]
  )
}
