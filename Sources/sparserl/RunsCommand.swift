import ArgumentParser
import Foundation
import SparseRLExperiments

/// `sparserl runs [DIR] [--sort KEY] [--reverse]`: the runs under a folder, one line each.
struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List the runs under a folder: status, agent, environment, method, sparsity, steps, score, speed.",
    discussion: "Run directories are found up to four levels deep. `sparserl show RUN` prints one of them.")

  @Argument(help: "The folder holding run directories.")
  var folder = "runs"

  @Option(help: "Order by \(RunBrowser.SortKey.allCases.map(\.rawValue).joined(separator: ", ")).")
  var sort: RunBrowser.SortKey = .name

  @Flag(help: "Largest (or last) first.")
  var reverse = false

  func run() throws {
    let url = URL(fileURLWithPath: folder)
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
      throw CommandFailure("\(folder) is not a folder")
    }
    let entries = RunBrowser.sorted(RunBrowser.find(in: url), by: sort)
    guard !entries.isEmpty else { throw CommandFailure("no run directories under \(folder)") }
    print(RunBrowser.table(reverse ? entries.reversed() : entries))
  }
}

/// `sparserl show RUN`: one run's summary, configuration differences from its presets and last metrics.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a run: its summary, how its configuration differs from its presets, its last metrics.")

  @Argument(help: "The run directory.")
  var runDir: String

  func run() throws {
    print(try RunBrowser.details(of: RunDirectory.open(URL(fileURLWithPath: runDir))))
  }
}

extension RunBrowser.SortKey: ExpressibleByArgument {}
