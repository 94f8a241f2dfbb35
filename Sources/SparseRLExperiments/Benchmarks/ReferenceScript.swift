import Foundation

/// Runs the Python side of a benchmark (a script printing JSON) with the project's reference interpreter, the
/// benchmarks' one way to time a reference implementation beside SparseRL.
enum ReferenceScript {
  /// A reference that could not be measured, and why.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Runs `script` with `python` and `arguments`, one BLAS thread, no bytecode files, and returns its standard
  /// output. Throws `Failure` naming a missing interpreter or script, or the script's exit status and stderr.
  static func run(python: URL, script: URL, arguments: [String]) throws -> Data {
    guard FileManager.default.isExecutableFile(atPath: python.path) else {
      throw Failure(description: "no Python interpreter at \(python.path) (run scripts/setup-python.sh)")
    }
    guard FileManager.default.fileExists(atPath: script.path) else {
      throw Failure(description: "reference script not found at \(script.path) (run from the package root)")
    }
    let process = Process()
    process.executableURL = python
    process.arguments = [script.path] + arguments
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["OMP_NUM_THREADS"] = "1"
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Drain stderr on another thread so that neither pipe can fill up and block the script.
    let errorText = ErrorText()
    let reader = Thread { errorText.set(errors.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(
        description: "\(script.lastPathComponent) exited with status \(process.terminationStatus): \(errorText.value)")
    }
    return data
  }
}

private final class ErrorText: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ value: Data) { lock.withLock { data = value } }
  var value: String {
    while lock.withLock({ data == nil }) { Thread.sleep(forTimeInterval: 0.001) }
    return lock.withLock { String(decoding: data ?? Data(), as: UTF8.self) }
  }
}
