import Foundation
import Testing

/// The package must stay usable as a versioned SwiftPM dependency, which SwiftPM refuses when a target a
/// product builds carries `unsafeFlags`. Reads the manifest as SwiftPM resolves it (`swift package
/// dump-package`, JSON) and checks every target in the closure of every product.
@Suite struct PackageManifestTests {
  /// The package root: this file is `Tests/SparseRLNumericsTests/PackageManifestTests.swift`.
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// `swift package dump-package` of the package, parsed. Uses its own scratch directory so that it does not wait
  /// for the lock of the `swift test` running it.
  static func dumpPackage() throws -> [String: Any] {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sparserl-dump-package-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "swift", "package", "--package-path", packageRoot.path, "--scratch-path", scratch.path, "dump-package",
    ]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ManifestError(description: "swift package dump-package failed: \(errorText)")
    }
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ManifestError(description: "dump-package did not print a JSON object")
    }
    return object
  }

  struct ManifestError: Error, CustomStringConvertible {
    var description: String
  }

  /// Names of the package's own targets that `target` depends on directly (`byName` or `target` entries; product
  /// dependencies belong to other packages).
  static func localDependencies(of target: [String: Any]) -> [String] {
    let dependencies = target["dependencies"] as? [[String: Any]] ?? []
    return dependencies.compactMap { dependency in
      let entry = (dependency["byName"] ?? dependency["target"]) as? [Any]
      return entry?.first as? String
    }
  }

  /// Whether any of the target's settings (Swift, C, C++ or linker) is `unsafeFlags`.
  static func hasUnsafeFlags(_ target: [String: Any]) -> Bool {
    let settings = target["settings"] as? [[String: Any]] ?? []
    return settings.contains { setting in
      (setting["kind"] as? [String: Any])?["unsafeFlags"] != nil
    }
  }

  @Test func noProductTargetUsesUnsafeFlags() throws {
    let manifest = try Self.dumpPackage()
    let targets = try #require(manifest["targets"] as? [[String: Any]])
    let products = try #require(manifest["products"] as? [[String: Any]])
    let byName = Dictionary(
      targets.compactMap { target in (target["name"] as? String).map { ($0, target) } },
      uniquingKeysWith: { first, _ in first })
    // Every target a product builds: the product's targets and, transitively, their local dependencies.
    var pending = products.flatMap { $0["targets"] as? [String] ?? [] }
    var closure = Set<String>()
    while let name = pending.popLast() {
      guard closure.insert(name).inserted, let target = byName[name] else { continue }
      pending += Self.localDependencies(of: target)
    }
    // The closure must reach the kernels through the library's dependencies, or the check proves nothing.
    #expect(closure.isSuperset(of: ["SparseRLNumerics", "CSparseRLKernels", "SparseRLExperiments", "sparserl"]))
    let unsafe = closure.sorted().filter { byName[$0].map(Self.hasUnsafeFlags) ?? false }
    #expect(unsafe.isEmpty, "product targets with unsafeFlags: \(unsafe)")
  }
}
