import Foundation
import SparseRLExperiments

/// The table of `bench mujoco` and `bench dmc`: each environment's steps per second beside bare `mj_step` and
/// its Python reference (`referenceName`, run through `script` with `python` unless `skipReference`).
struct SimulatorTable {
  var firstColumn: String
  var referenceName: String
  var script: String

  func print(ids: [String], steps: Int, python: String?, skipReference: Bool) throws {
    let python = python ?? ".venv/bin/python"
    let script = URL(fileURLWithPath: script)
    let compare =
      !skipReference && FileManager.default.isExecutableFile(atPath: python)
      && FileManager.default.fileExists(atPath: script.path)
    Swift.print(
      "| \(firstColumn) | Swift env steps/s | bare mj_step steps/s | overhead | \(referenceName) steps/s | speed-up |")
    Swift.print("|---|---|---|---|---|---|")
    for id in ids {
      let result = try SimulatorBenchmark(id: id, steps: steps).run(
        python: compare ? URL(fileURLWithPath: python) : nil, script: compare ? script : nil)
      let reference = result.referenceStepsPerSecond
      Swift.print(
        "| \(id) | \(Int(result.environmentStepsPerSecond)) | \(Int(result.simulatorStepsPerSecond)) | "
          + "\(Int((result.overhead * 100).rounded()))% | \(reference.map { "\(Int($0))" } ?? "-") | "
          + "\(reference.map { String(format: "%.1fx", result.environmentStepsPerSecond / $0) } ?? "-") |")
    }
  }
}
