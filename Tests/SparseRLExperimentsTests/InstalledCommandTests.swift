import Foundation
import Testing

/// The folder of the build products (`swift test` builds `sparserl` and its resource bundle next to the tests).
private var buildProducts: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

/// The result of running a program to its end.
private struct Completed {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs `executable` with `arguments` in `folder`, with this process's environment plus `environment`.
private func run(
  _ executable: URL, _ arguments: [String], in folder: URL, environment: [String: String] = [:]
) throws -> Completed {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  process.currentDirectoryURL = folder
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  try process.run()
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return Completed(
    status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
    errors: String(decoding: errorData, as: UTF8.self))
}

/// The preset names of the package's configs/ folder, read from the source tree.
private func sourcePresetNames() throws -> [String] {
  let folder = packageRoot.appendingPathComponent("configs")
  // Study files (configs/studies/) are not presets.
  let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter {
    $0.hasSuffix(".yaml") && !$0.hasPrefix("studies/")
  }
  return files.map { String($0.dropLast(5)) }.sorted()
}

private func copy(_ source: URL, to destination: URL) throws {
  try FileManager.default.createDirectory(
    at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
  try FileManager.default.copyItem(at: source, to: destination)
}

@Suite struct InstalledCommandTests {
  /// The built `sparserl` copied with its presets to a prefix, in the layout of `scripts/install.sh` (bin/ and
  /// share/sparserl/configs) and in SwiftPM's (the resource bundle beside the binary), lists every preset and
  /// trains one, run from a folder without configs/; the binary alone says it found no presets and fails.
  @Test(.timeLimit(.minutes(5)))
  func copiedBinaryFindsItsPresetsFromAnywhere() throws {
    let built = buildProducts.appendingPathComponent("sparserl")
    try #require(FileManager.default.isExecutableFile(atPath: built.path), "build sparserl first: \(built.path)")
    let bundle = try #require(
      try FileManager.default.contentsOfDirectory(atPath: buildProducts.path).first {
        $0.hasSuffix("_SparseRLExperiments.resources")
      })
    let root = try temporaryFolder("install")
    let elsewhere = root.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    let expected = try sourcePresetNames()
    #expect(expected.count >= 50)

    let installed = root.appendingPathComponent("prefix")
    try copy(built, to: installed.appendingPathComponent("bin/sparserl"))
    try copy(
      buildProducts.appendingPathComponent(bundle).appendingPathComponent("configs"),
      to: installed.appendingPathComponent("share/sparserl/configs"))
    let swiftPM = root.appendingPathComponent("swiftpm")
    try copy(built, to: swiftPM.appendingPathComponent("sparserl"))
    try copy(buildProducts.appendingPathComponent(bundle), to: swiftPM.appendingPathComponent(bundle))

    for executable in [installed.appendingPathComponent("bin/sparserl"), swiftPM.appendingPathComponent("sparserl")] {
      let presets = try run(executable, ["presets"], in: elsewhere)
      #expect(presets.status == 0, "\(presets.errors)")
      #expect(presets.output.split(separator: "\n").map(String.init) == expected)
    }

    let runFolder = elsewhere.appendingPathComponent("tiny")
    let train = try run(
      installed.appendingPathComponent("bin/sparserl"),
      ["train", "sparse-training/dqn-cartpole", "--run-dir", runFolder.path, "--plain"]
        + tinyDQNOverrides.flatMap { ["--set", $0] }, in: elsewhere)
    #expect(train.status == 0, "\(train.errors)")
    let record = try String(contentsOf: runFolder.appendingPathComponent("run.json"), encoding: .utf8)
    #expect(record.contains("\"status\" : \"finished\"") && record.contains("\"environment_steps\" : 300"))
    let config = try String(contentsOf: runFolder.appendingPathComponent("config.yaml"), encoding: .utf8)
    #expect(config.contains("# - preset sparse-training/dqn-cartpole\n"))

    // `runs` and `show` on that run, from the installed binary.
    let runs = try run(
      installed.appendingPathComponent("bin/sparserl"), ["runs", ".", "--sort", "score"], in: elsewhere)
    #expect(runs.status == 0 && runs.output.contains("tiny ") && runs.output.contains("CartPole-v1"), "\(runs.errors)")
    let show = try run(installed.appendingPathComponent("bin/sparserl"), ["show", "tiny"], in: elsewhere)
    #expect(show.status == 0 && show.output.contains("total_steps: 100000 -> 300"), "\(show.output)\(show.errors)")

    let alone = root.appendingPathComponent("alone/sparserl")
    try copy(built, to: alone)
    let none = try run(alone, ["presets"], in: elsewhere)
    #expect(none.status != 0)
    #expect(none.errors.contains("no configuration presets found"), "\(none.errors)")
    let untrainable = try run(alone, ["train", "sparse-training/dqn-cartpole"], in: elsewhere)
    #expect(untrainable.status != 0 && untrainable.errors.contains("no presets were found"), "\(untrainable.errors)")
  }

  /// An invalid `SPARSERL_KERNELS` stops every command before it does anything, with status 2 and a message
  /// naming the variable, the value and the allowed values; `train` creates no run folder.
  @Test func invalidKernelVariantStopsWithStatus2() throws {
    let built = buildProducts.appendingPathComponent("sparserl")
    try #require(FileManager.default.isExecutableFile(atPath: built.path), "build sparserl first: \(built.path)")
    let folder = try temporaryFolder("kernels")
    let runFolder = folder.appendingPathComponent("run")
    for arguments in [["presets"], ["train", "sparse-training/dqn-cartpole", "--run-dir", runFolder.path]] {
      let result = try run(built, arguments, in: folder, environment: ["SPARSERL_KERNELS": "fastest"])
      #expect(result.status == 2, "\(arguments): status \(result.status)")
      #expect(
        result.errors.contains("SPARSERL_KERNELS=fastest is not a kernel variant")
          && result.errors.contains("auto (or unset), portable and avx2"), "\(result.errors)")
      #expect(result.output.isEmpty, "\(result.output)")
    }
    #expect(!FileManager.default.fileExists(atPath: runFolder.path))
    let valid = try run(built, ["presets"], in: folder, environment: ["SPARSERL_KERNELS": "portable"])
    #expect(valid.status == 0, "\(valid.errors)")
  }
}
