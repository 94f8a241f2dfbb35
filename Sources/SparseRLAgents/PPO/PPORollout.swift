import SparseRLNumerics

/// One PPO rollout: `steps` steps of `environments` sub-environments, stored time-major (sample
/// `t * environments + e`) in preallocated arrays.
///
/// Each step records the observation acted on, the action (raw, before clipping to the action space), its
/// log-probability and value under the rollout's policy, the reward, the end flags and, for a truncated
/// episode, the value of the episode's final observation (`VectorStep.finalObservations`), which GAE
/// bootstraps from (see `advantages`).
public struct PPORollout: Sendable {
  /// Sub-environments.
  public let environments: Int
  /// Steps per sub-environment.
  public let steps: Int
  /// Elements of an observation.
  public let observationWidth: Int
  /// Elements of a stored action (1 for a discrete action index).
  public let actionWidth: Int
  /// Steps recorded so far (0...steps).
  public private(set) var filled = 0
  /// `[steps * environments * observationWidth]`, sample-major.
  public private(set) var observations: [Float]
  /// `[steps * environments * actionWidth]`, sample-major.
  public private(set) var actions: [Float]
  /// `[steps * environments]`: log π(a|s) of each stored action under the policy that chose it.
  public private(set) var logProbabilities: [Float]
  /// `[steps * environments]`: the value estimate V(s) of each stored observation.
  public private(set) var values: [Float]
  /// `[steps * environments]`: the reward of each step.
  public private(set) var rewards: [Float]
  /// `[steps * environments]`: whether the step ended its episode in a terminal state (no bootstrap).
  public private(set) var terminated: [Bool]
  /// `[steps * environments]`: whether the step ended its episode by a time limit (bootstrap).
  public private(set) var truncated: [Bool]
  /// The value of the final observation where the episode was truncated (unused elsewhere).
  public private(set) var finalValues: [Float]

  /// An empty rollout.
  public init(environments: Int, steps: Int, observationWidth: Int, actionWidth: Int) {
    self.environments = environments
    self.steps = steps
    self.observationWidth = observationWidth
    self.actionWidth = actionWidth
    let n = environments * steps
    observations = [Float](repeating: 0, count: n * observationWidth)
    actions = [Float](repeating: 0, count: n * actionWidth)
    logProbabilities = [Float](repeating: 0, count: n)
    values = [Float](repeating: 0, count: n)
    rewards = [Float](repeating: 0, count: n)
    terminated = [Bool](repeating: false, count: n)
    truncated = [Bool](repeating: false, count: n)
    finalValues = [Float](repeating: 0, count: n)
  }

  /// Samples in a full rollout.
  public var count: Int { environments * steps }
  /// Whether every step has been recorded.
  public var isFull: Bool { filled == steps }

  /// Records the acting half of a step for every sub-environment: observations `[width x environments]`,
  /// actions `[actionWidth x environments]`, their log-probabilities and values.
  public mutating func recordActing(
    observations batch: Matrix, actions chosen: Matrix, logProbabilities logP: [Float], values v: [Float]
  ) {
    precondition(!isFull, "the rollout is full")
    precondition(batch.columns == environments && chosen.columns == environments)
    for e in 0..<environments {
      let sample = filled * environments + e
      for j in 0..<observationWidth { observations[sample * observationWidth + j] = batch[j, e] }
      for k in 0..<actionWidth { actions[sample * actionWidth + k] = chosen[k, e] }
      logProbabilities[sample] = logP[e]
      values[sample] = v[e]
    }
  }

  /// Records the outcome of the step and advances: rewards, end flags and the final-observation value of each
  /// truncated sub-environment (`finalValues[e]`, ignored where `truncated[e]` is false).
  public mutating func recordOutcome(
    rewards r: [Float], terminated term: [Bool], truncated trunc: [Bool], finalValues f: [Float]
  ) {
    for e in 0..<environments {
      let sample = filled * environments + e
      rewards[sample] = r[e]
      terminated[sample] = term[e]
      truncated[sample] = trunc[e]
      finalValues[sample] = trunc[e] ? f[e] : 0
    }
    filled += 1
  }

  /// Starts over (storage is kept).
  public mutating func clear() { filled = 0 }

  /// GAE advantages and value targets of a full rollout, time-major. `lastValues[e]` is the value of the
  /// observation sub-environment `e` is in after the rollout. The bootstrap value after step t is the value of
  /// the next stored observation, the final observation's value at a truncation, and `lastValues` after the
  /// last step; at a terminal nothing is bootstrapped (`GeneralizedAdvantage`).
  public func advantages(lastValues: [Float], gamma: Float, lambda: Float) -> (advantages: [Float], returns: [Float]) {
    precondition(isFull, "GAE needs a full rollout")
    var advantages = [Float](repeating: 0, count: count)
    var returns = [Float](repeating: 0, count: count)
    for e in 0..<environments {
      let indices = (0..<steps).map { $0 * environments + e }
      let nextValues = (0..<steps).map { t -> Float in
        let sample = indices[t]
        if truncated[sample] { return finalValues[sample] }
        return t + 1 < steps ? values[indices[t + 1]] : lastValues[e]
      }
      let result = GeneralizedAdvantage.estimate(
        rewards: indices.map { rewards[$0] }, values: indices.map { values[$0] }, nextValues: nextValues,
        terminated: indices.map { terminated[$0] }, truncated: indices.map { truncated[$0] }, gamma: gamma,
        lambda: lambda)
      for (t, sample) in indices.enumerated() {
        advantages[sample] = result.advantages[t]
        returns[sample] = result.returns[t]
      }
    }
    return (advantages, returns)
  }

  /// Everything recorded, for checkpoints.
  public func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["filled"] = .int(filled)
    archive["observations"] = .floats(observations)
    archive["actions"] = .floats(actions)
    archive["log_probabilities"] = .floats(logProbabilities)
    archive["values"] = .floats(values)
    archive["rewards"] = .floats(rewards)
    archive["final_values"] = .floats(finalValues)
    archive["terminated"] = .bytes(terminated.map { $0 ? 1 : 0 })
    archive["truncated"] = .bytes(truncated.map { $0 ? 1 : 0 })
    return archive
  }

  /// Restores what `archive()` saved from a rollout of the same shape.
  public mutating func load(_ archive: BinaryArchive) throws {
    let n = count
    let newFilled = try archive.int("filled")
    guard (0...steps).contains(newFilled) else {
      throw ArchiveError.invalidValue(entry: archive.qualified("filled"), reason: "\(newFilled) not in 0...\(steps)")
    }
    let loaded = (
      try archive.floats("observations", count: n * observationWidth),
      try archive.floats("actions", count: n * actionWidth),
      try archive.floats("log_probabilities", count: n), try archive.floats("values", count: n),
      try archive.floats("rewards", count: n), try archive.floats("final_values", count: n),
      try archive.bytes("terminated", count: n).map { $0 != 0 },
      try archive.bytes("truncated", count: n).map { $0 != 0 }
    )
    filled = newFilled
    (observations, actions, logProbabilities, values, rewards, finalValues, terminated, truncated) = loaded
  }
}
