import ArgumentParser
import SparseRLExperiments
import SparseRLNumerics

/// The `sparserl` command-line tool.
@main
struct SparseRLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sparserl",
    abstract: "Train deep reinforcement-learning agents whose networks are sparse from the first step to the last.",
    version: sparseRLVersion,
    subcommands: [
      TrainCommand.self, ResumeCommand.self, EvaluateCommand.self, BenchCommand.self, DescribeCommand.self,
      EnvsCommand.self, PresetsCommand.self, SweepCommand.self, ReportCommand.self, ExportCommand.self,
      RunsCommand.self, ShowCommand.self,
    ]
  )

  /// Selects the kernel variant before any command runs, so that an invalid `SPARSERL_KERNELS` stops the process
  /// (status 2, with a message naming the allowed values) before a command has written anything.
  static func main() {
    _ = KernelVariant.active
    main(nil)
  }
}
