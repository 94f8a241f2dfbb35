import Foundation
import SparseRLEnvironments
import SparseRLNumerics

/// Helpers that agents use to put the parts of their state that are not networks into a `BinaryArchive`:
/// random generators (seed and the four state words), environment states (their `Codable` form as JSON bytes)
/// and observation vectors.
enum AgentStateCoding {
  /// A generator as a nested archive: `seed` and `state` (`[UInt64]`).
  static func archive(_ generator: RandomGenerator) -> ArchiveValue {
    var archive = BinaryArchive()
    archive["seed"] = .uint64s([generator.seed])
    archive["state"] = .uint64s(generator.state)
    return .archive(archive)
  }

  /// The generator saved under `name` by `archive(_:)`.
  static func generator(_ name: String, in archive: BinaryArchive) throws -> RandomGenerator {
    let entry = try archive.archive(name)
    let seed = try entry.uint64s("seed", count: 1)[0]
    do {
      return try RandomGenerator(seed: seed, state: try entry.uint64s("state", count: 4))
    } catch let error as RandomGeneratorError {
      throw ArchiveError.invalidValue(entry: entry.qualified("state"), reason: error.description)
    }
  }

  /// An environment state as the UTF-8 bytes of its JSON encoding.
  static func archive(_ state: EnvironmentState) throws -> ArchiveValue {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return .bytes(Array(try encoder.encode(state)))
  }

  /// The environment state saved under `name` by `archive(_:)`.
  static func environmentState(_ name: String, in archive: BinaryArchive) throws -> EnvironmentState {
    let bytes = try archive.bytes(name)
    do {
      return try JSONDecoder().decode(EnvironmentState.self, from: Data(bytes))
    } catch {
      throw ArchiveError.invalidValue(entry: archive.qualified(name), reason: "not an environment state: \(error)")
    }
  }
}
