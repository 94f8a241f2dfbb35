import Foundation

/// The PyTorch and JAX agents `sparserl bench agents --references` measures beside ours: Stable-Baselines3's and
/// SBX's TD3 and SAC, run by `scripts/bench_references.py` in the optional `.venv-references`
/// (`scripts/setup-references.sh`) with the settings of `AgentBenchmark`'s SAC/TD3 rows.
public struct ReferenceAgents {
  /// One reference measurement.
  public struct Result: Sendable, Decodable {
    /// `SB3-TD3`, `SB3-SAC`, `SBX-TD3` or `SBX-SAC`.
    public let agent: String
    /// `SB3` (PyTorch) or `SBX` (JAX).
    public let library: String
    /// `TD3` or `SAC`.
    public let algorithm: String
    /// The environment id.
    public let environment: String
    /// Training steps timed (after the warm-up and the skipped first updates).
    public let steps: Int
    /// Training steps per second.
    public let stepsPerSecond: Double
    /// The thread count given to PyTorch and XLA.
    public let threads: Int
    /// What PyTorch reported after `torch.set_num_threads`.
    public let torchThreads: Int

    /// The table's label, e.g. `SB3 TD3 (PyTorch)`.
    public var label: String { "\(library) \(algorithm) (\(library == "SB3" ? "PyTorch" : "JAX"))" }
  }

  /// What the script printed: the results and the library versions.
  public struct Report: Sendable, Decodable {
    /// One result per agent and thread count.
    public let results: [Result]
    /// Package versions, e.g. `torch`, `jax`.
    public let versions: [String: String]
  }

  /// The interpreter of `.venv-references`.
  public let python: URL
  /// `scripts/bench_references.py`.
  public let script: URL

  /// References run by `script` with `python`.
  public init(python: URL, script: URL) {
    self.python = python
    self.script = script
  }

  /// Why the references cannot run (no interpreter or no script), or `nil` when they can.
  public var unavailableReason: String? {
    if !FileManager.default.isExecutableFile(atPath: python.path) {
      return "no reference interpreter at \(python.path): run scripts/setup-references.sh first (it creates the "
        + "optional .venv-references with Stable-Baselines3, SBX, PyTorch and JAX from PyPI)"
    }
    if !FileManager.default.fileExists(atPath: script.path) {
      return "reference script not found at \(script.path) (run from the package root)"
    }
    return nil
  }

  /// Measures every reference agent on `environment` at each thread count of `threads`, with the benchmark's
  /// warm-up and timed steps and replay capacities (TD3's and SAC's).
  public func measure(
    environment: String, threads: [Int], steps: Int, warmupSteps: Int, bufferSizes: (td3: Int, sac: Int)
  ) throws -> Report {
    let arguments =
      ["--env", environment, "--steps", String(steps), "--warmup-steps", String(warmupSteps), "--threads"]
      + threads.map(String.init) + ["--buffer-size", String(bufferSizes.td3), String(bufferSizes.sac)]
    let data = try ReferenceScript.run(python: python, script: script, arguments: arguments)
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(Report.self, from: data)
  }
}
