import Foundation

/// Runs the Python reference implementations (gymnasium, MinAtar, mujoco, tensorboard, rliable) that
/// `scripts/setup-python.sh` installs into the project-local virtual environment `.venv`.
///
/// Tests that compare against a reference use `PythonReference.isAvailable` as their enabling condition.
/// When `SPARSERL_REQUIRE_REFERENCES=1` (set by `scripts/test.sh`, hence in CI) a missing interpreter is a
/// failure instead: `isAvailable` then traps with a message naming the setup command.
public enum PythonReference {
  /// The package root (two levels above this file's folder).
  public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Folder of the reference scripts.
  public static let scriptsFolder = packageRoot.appendingPathComponent("Tests/References")

  /// The interpreter: `$SPARSERL_PYTHON`, else `.venv/bin/python` under the package root.
  public static var interpreter: URL {
    if let path = ProcessInfo.processInfo.environment["SPARSERL_PYTHON"] { return URL(fileURLWithPath: path) }
    return packageRoot.appendingPathComponent(".venv/bin/python")
  }

  /// Whether references are required (missing ones are then an error, not a skip).
  public static var isRequired: Bool { ProcessInfo.processInfo.environment["SPARSERL_REQUIRE_REFERENCES"] == "1" }

  /// Whether the reference interpreter exists.
  public static var isAvailable: Bool {
    let exists = FileManager.default.isExecutableFile(atPath: interpreter.path)
    if !exists && isRequired {
      fatalError(
        "Python reference interpreter not found at \(interpreter.path); run scripts/setup-python.sh")
    }
    return exists
  }

  /// Errors from running a reference script.
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// Runs `Tests/References/<script>` with `arguments`, feeding `input` on standard input, and returns its
  /// standard output. Throws with the script's standard error when it exits non-zero.
  public static func run(script: String, arguments: [String] = [], input: Data = Data()) throws -> Data {
    let process = Process()
    process.executableURL = interpreter
    process.arguments = [scriptsFolder.appendingPathComponent(script).path] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    process.environment = environment
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Read both pipes concurrently so that neither can fill up and block the child.
    let errorData = LockedData()
    let errorReader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
    errorReader.start()
    stdin.fileHandleForWriting.write(input)
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.isSet { Thread.sleep(forTimeInterval: 0.001) }
    guard process.terminationStatus == 0 else {
      throw Failure(
        description: "reference script \(script) exited with \(process.terminationStatus): "
          + (String(data: errorData.value, encoding: .utf8) ?? ""))
    }
    return output
  }

  /// Runs a script with a JSON-encodable request on standard input and decodes its JSON answer.
  public static func call<Request: Encodable, Response: Decodable>(
    script: String, arguments: [String] = [], request: Request, as: Response.Type = Response.self
  ) throws -> Response {
    let data = try run(script: script, arguments: arguments, input: JSONEncoder().encode(request))
    return try JSONDecoder().decode(Response.self, from: data)
  }
}

private final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ value: Data) { lock.withLock { data = value } }
  var isSet: Bool { lock.withLock { data != nil } }
  var value: Data { lock.withLock { data ?? Data() } }
}
