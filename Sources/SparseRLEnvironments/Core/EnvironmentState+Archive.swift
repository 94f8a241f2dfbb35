import Foundation
import SparseRLNumerics

extension ArchiveValue {
  /// An environment's state as the UTF-8 bytes of its JSON encoding, keys sorted so that equal states give
  /// equal bytes.
  public static func environmentState(_ state: EnvironmentState) throws -> ArchiveValue {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return .bytes(Array(try encoder.encode(state)))
  }
}

extension BinaryArchive {
  /// The environment state stored under `name` by `ArchiveValue.environmentState(_:)`.
  public func environmentState(_ name: String) throws -> EnvironmentState {
    let data = Data(try bytes(name))
    do {
      return try JSONDecoder().decode(EnvironmentState.self, from: data)
    } catch {
      throw ArchiveError.invalidValue(entry: qualified(name), reason: "not an environment state: \(error)")
    }
  }
}
