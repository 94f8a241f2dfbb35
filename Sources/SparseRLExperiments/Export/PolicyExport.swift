import Foundation
import SparseRLPolicy

/// `sparserl export`: writes a run's evaluation policy as ONNX, C or a policy file.
public enum PolicyExport {
  /// The export formats.
  public enum Format: String, CaseIterable, Sendable {
    /// An ONNX model (`.onnx`).
    case onnx
    /// A C header/source pair (`.h` and `.c`).
    case c
    /// The project's own policy file (`.srl`), loadable by `SparseRLPolicy`.
    case srl
  }

  /// What was written.
  public struct Written: Sendable {
    /// The files, in the order written.
    public var files: [URL]
    /// Total bytes of the files.
    public var fileBytes: Int
    /// For C: bytes of the weight data in the compiled object.
    public var dataBytes: Int?

    /// One line per file and the sizes.
    public var summary: String {
      var lines = files.map { "wrote \($0.path)" }
      lines.append("size: \(fileBytes) bytes on disk" + (dataBytes.map { ", \($0) bytes of weight data" } ?? ""))
      return lines.joined(separator: "\n")
    }
  }

  /// Exports the policy of `source` (a run directory or a policy file, see `RunPolicy.load`) in `format` to
  /// `output` (default: `<run>/policy.onnx`, `<run>/policy.h` + `.c`, `<run>/policy-export.srl`; for C the path
  /// without extension is the stem).
  public static func export(source: URL, format: Format, output: URL?) throws -> Written {
    let policy = try RunPolicy.load(source)
    let isDirectory = (try? source.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
    let folder = isDirectory ? source : source.deletingLastPathComponent()
    func size(_ url: URL) -> Int {
      ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.intValue ?? 0
    }
    switch format {
    case .onnx:
      let url = output ?? folder.appendingPathComponent("policy.onnx")
      try AtomicFile.write(try ONNXPolicyExport.model(policy), to: url)
      return Written(files: [url], fileBytes: size(url), dataBytes: nil)
    case .c:
      let stemURL = (output ?? folder.appendingPathComponent("policy"))
      let stemFolder =
        stemURL.pathExtension == "c" || stemURL.pathExtension == "h"
        ? stemURL.deletingPathExtension() : stemURL
      let written = try CPolicyExport.write(
        policy, folder: stemFolder.deletingLastPathComponent(), stem: stemFolder.lastPathComponent)
      return Written(
        files: [written.header, written.source], fileBytes: size(written.header) + size(written.source),
        dataBytes: written.dataBytes)
    case .srl:
      let url = output ?? folder.appendingPathComponent("policy-export.srl")
      try AtomicFile.write(policy.encoded(), to: url)
      return Written(files: [url], fileBytes: size(url), dataBytes: nil)
    }
  }
}
