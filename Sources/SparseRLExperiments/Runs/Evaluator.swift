import Foundation
import SparseRLAgents
import SparseRLEnvironments
import SparseRLNumerics

/// Returns of a set of evaluation episodes.
public struct EvaluationResult: Codable, Equatable, Sendable {
  /// The return of each episode.
  public var returns: [Double]
  /// The length of each episode.
  public var lengths: [Int]

  /// The mean return.
  public var meanReturn: Double { returns.reduce(0, +) / Double(max(returns.count, 1)) }
  /// The population standard deviation of the returns.
  public var standardDeviation: Double {
    let mean = meanReturn
    return (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(returns.count, 1))).squareRoot()
  }
  /// The mean episode length.
  public var meanLength: Double { Double(lengths.reduce(0, +)) / Double(max(lengths.count, 1)) }

  /// The eval.csv row.
  public var csvValues: [String: Double] {
    [
      "mean_return": meanReturn, "std_return": standardDeviation, "min_return": returns.min() ?? 0,
      "max_return": returns.max() ?? 0, "mean_length": meanLength,
    ]
  }
}

/// Runs evaluation episodes of an agent's evaluation policy (greedy or deterministic) on its own environment,
/// optionally with Gaussian observation noise (the robustness study of The State of Sparse Training).
///
/// Evaluation `index` seeds its environment from the run seed and the index alone, so an evaluation gives the same
/// result whether the run was interrupted or not.
public struct Evaluator {
  /// The environment id.
  public let environment: String
  /// The run's seed.
  public let seed: UInt64

  /// An evaluator of `environment` for a run seeded with `seed`.
  public init(environment: String, seed: UInt64) {
    self.environment = environment
    self.seed = seed
  }

  /// Plays `episodes` episodes; `noise` is the standard deviation of the observation noise (0: none).
  public func evaluate(agent: any Agent, episodes: Int, index: Int, noise: Double = 0) throws -> EvaluationResult {
    try evaluate(episodes: episodes, index: index, noise: noise, act: agent.evaluationAction(for:))
  }

  /// Plays `episodes` episodes with the actions `act` chooses (for a policy loaded from a policy file), on the same
  /// seeded episodes as `evaluate(agent:episodes:index:noise:)`.
  public func evaluate(
    episodes: Int, index: Int, noise: Double = 0, act: ([Float]) throws -> Action
  ) throws -> EvaluationResult {
    var environment: any Environment = try EnvironmentRegistry.make(self.environment)
    let streams = RandomGenerator(seed: seed).stream("evaluation-\(index)")
    if noise > 0 {
      environment = ObservationNoise(environment, standardDeviation: Float(noise), seed: streams.stream("noise").seed)
    }
    var returns: [Double] = []
    var lengths: [Int] = []
    var seedGenerator = streams
    for episode in 0..<episodes {
      var (observation, _) = try environment.reset(seed: episode == 0 ? seedGenerator.next() : nil)
      var total = 0.0
      var length = 0
      while true {
        let step = try environment.step(act(observation))
        total += step.reward
        length += 1
        observation = step.observation
        if step.isLast { break }
      }
      returns.append(total)
      lengths.append(length)
    }
    return EvaluationResult(returns: returns, lengths: lengths)
  }
}
