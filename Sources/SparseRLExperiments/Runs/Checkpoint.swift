import Foundation
import SparseRLNumerics

/// What a checkpoint holds besides the agent: the loop's own counters, so that evaluations, checkpoints and the
/// final score continue exactly where they were.
struct TrainerState: Equatable {
  var environmentSteps = 0
  var evaluationSteps: [Int] = []
  var evaluationMeans: [Double] = []
  var wallTimeSeconds = 0.0

  func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["environment_steps"] = .int(environmentSteps)
    archive["evaluation_steps"] = .uint64s(evaluationSteps.map { UInt64($0) })
    archive["evaluation_means"] = .doubles(evaluationMeans)
    archive["wall_time_seconds"] = .double(wallTimeSeconds)
    return archive
  }

  init() {}

  init(_ archive: BinaryArchive) throws {
    environmentSteps = try archive.int("environment_steps")
    evaluationSteps = try archive.uint64s("evaluation_steps").map { Int($0) }
    evaluationMeans = try archive.doubles("evaluation_means", count: evaluationSteps.count)
    wallTimeSeconds = try archive.double("wall_time_seconds")
  }
}

/// The checkpoint file: one `BinaryArchive` (magic, version, length and CRC32C over the payload) holding the
/// resolved configuration it belongs to, the loop's state and the agent's state.
enum CheckpointFormat {
  static let kind = "sparserl-checkpoint"

  static func encode(config: String, trainer: TrainerState, agent: BinaryArchive) -> [UInt8] {
    var archive = BinaryArchive()
    archive["kind"] = .string(kind)
    archive["config"] = .string(config)
    archive["trainer"] = .archive(trainer.archive())
    archive["agent"] = .archive(agent)
    return archive.encoded()
  }

  /// Decodes and checks a checkpoint; `config` must be the run's resolved configuration.
  static func decode(_ bytes: [UInt8], config: String) throws -> (trainer: TrainerState, agent: BinaryArchive) {
    let archive = try BinaryArchive(decoding: bytes)
    guard try archive.string("kind") == kind else {
      throw RunDirectory.Problem(description: "not a SparseRL checkpoint")
    }
    guard try archive.string("config") == config else {
      throw RunDirectory.Problem(
        description: "the checkpoint was written with another configuration than the run's config.yaml")
    }
    return (try TrainerState(archive.archive("trainer")), try archive.archive("agent"))
  }
}
