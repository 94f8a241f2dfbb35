import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// Fills a buffer with one episode of `rewards.count` steps; observation t is [t, 10 * t].
private func addEpisode(
  _ buffer: ReplayBuffer, start: Float, rewards: [Float], terminatedAtEnd: Bool, truncatedAtEnd: Bool
) {
  for (t, reward) in rewards.enumerated() {
    let s = start + Float(t)
    let last = t == rewards.count - 1
    buffer.add(
      observation: [s, 10 * s], action: [s], reward: reward, nextObservation: [s + 1, 10 * (s + 1)],
      terminated: last && terminatedAtEnd, truncated: last && truncatedAtEnd)
  }
}

@Suite struct ReplayBufferTests {
  @Test func oneStepTransitionsReadBackExactly() {
    let buffer = ReplayBuffer(capacity: 16, observationWidth: 2, actionWidth: 1)
    addEpisode(buffer, start: 0, rewards: [1, 2, 3], terminatedAtEnd: true, truncatedAtEnd: false)
    #expect(buffer.count == 3)
    // Slots: s0 s1 s2 s3(final). Transition at slot 1: s1 -> s2, reward 2.
    let batch = buffer.window(slots: [0, 1, 2], steps: 1, gamma: 0.9, includeIntermediate: false)
    #expect(batch.observations.row(0) == [0, 1, 2])
    #expect(batch.observations.row(1) == [0, 10, 20])
    #expect(batch.nextObservations.row(0) == [1, 2, 3])
    #expect(batch.actions.row(0) == [0, 1, 2])
    #expect(batch.rewards == [1, 2, 3])
    #expect(batch.bootstrapDiscounts == [0.9, 0.9, 0])
  }

  @Test func nStepStopsAtTerminalWithoutBootstrap() {
    let buffer = ReplayBuffer(capacity: 32, observationWidth: 2, actionWidth: 1)
    addEpisode(buffer, start: 0, rewards: [1, 2, 4], terminatedAtEnd: true, truncatedAtEnd: false)
    addEpisode(buffer, start: 100, rewards: [8, 16, 32, 64], terminatedAtEnd: false, truncatedAtEnd: true)
    // Episode 1 occupies slots 0...3 (3 = final obs); episode 2 slots 4...8.
    let gamma: Float = 0.5
    let batch = buffer.window(slots: [0, 1, 2], steps: 3, gamma: gamma, includeIntermediate: true)
    // From s0: 1 + 0.5*2 + 0.25*4 = 3, terminal inside the window: no bootstrap.
    #expect(batch.rewards[0] == 3)
    #expect(batch.bootstrapDiscounts[0] == 0)
    #expect(batch.steps[0] == 3)
    // From s1: 2 + 0.5*4 = 4, stops at the terminal after two steps.
    #expect(batch.rewards[1] == 4)
    #expect(batch.bootstrapDiscounts[1] == 0)
    #expect(batch.steps[1] == 2)
    #expect(batch.terminated[1])
    // Intermediate states: s1 and s2 for the first window; s2 (k=1) only for the second.
    #expect(batch.intermediateObservations[0].row(0)[0...1] == [1, 2])
    #expect(batch.intermediateDiscounts[0][0...1] == [0.5, 0.5])
    #expect(batch.intermediateObservations[1][0, 0] == 2)
    #expect(batch.intermediateDiscounts[1][0...1] == [0.25, 0])
    #expect(batch.intermediateDiscounts[0][2] == 0 && batch.intermediateDiscounts[1][2] == 0)
  }

  @Test func nStepBootstrapsFromFinalObservationAtTruncation() {
    let buffer = ReplayBuffer(capacity: 32, observationWidth: 2, actionWidth: 1)
    addEpisode(buffer, start: 100, rewards: [8, 16, 32, 64], terminatedAtEnd: false, truncatedAtEnd: true)
    addEpisode(buffer, start: 200, rewards: [1, 1], terminatedAtEnd: false, truncatedAtEnd: false)
    let gamma: Float = 0.5
    // Slots 0...3 hold s100...s103, slot 4 the final observation s104; slot 5 starts the next episode.
    let batch = buffer.window(slots: [2, 3], steps: 3, gamma: gamma, includeIntermediate: false)
    #expect(batch.rewards[0] == 32 + 0.5 * 64)
    #expect(batch.steps[0] == 2)
    #expect(batch.bootstrapDiscounts[0] == 0.25)
    #expect(batch.nextObservations[0, 0] == 104)
    #expect(batch.rewards[1] == 64)
    #expect(batch.bootstrapDiscounts[1] == 0.5)
    #expect(batch.nextObservations[0, 1] == 104)
    #expect(!batch.terminated[0] && !batch.terminated[1])
  }

  @Test func windowStopsAtNewestObservation() {
    let buffer = ReplayBuffer(capacity: 32, observationWidth: 2, actionWidth: 1)
    addEpisode(buffer, start: 0, rewards: [1, 1], terminatedAtEnd: false, truncatedAtEnd: false)
    let batch = buffer.window(slots: [1], steps: 3, gamma: 0.5, includeIntermediate: true)
    #expect(batch.steps[0] == 1)
    #expect(batch.bootstrapDiscounts[0] == 0.5)
    #expect(batch.nextObservations[0, 0] == 2)
    #expect(batch.intermediateDiscounts[0][0] == 0)
  }

  @Test func ringEvictsOldestAndKeepsCount() {
    let buffer = ReplayBuffer(capacity: 5, observationWidth: 2, actionWidth: 1)
    addEpisode(buffer, start: 0, rewards: [1, 2, 3, 4, 5, 6, 7], terminatedAtEnd: false, truncatedAtEnd: false)
    // 8 observations written into 5 slots: s3...s7 remain, 4 transitions (s7 has no action yet).
    #expect(buffer.count == 4)
    var generator = RandomGenerator(seed: 1)
    let batch = buffer.sample(batchSize: 200, steps: 1, gamma: 1, using: &generator)
    #expect(Set(batch.observations.row(0)) == [3, 4, 5, 6])
    for b in 0..<batch.count { #expect(batch.nextObservations[0, b] == batch.observations[0, b] + 1) }
  }

  @Test func removeOldestShrinksByTransitions() {
    let buffer = ReplayBuffer(capacity: 64, observationWidth: 2, actionWidth: 1, storesPolicyActions: true)
    for t in 0..<20 {
      let s = Float(t)
      buffer.add(
        observation: [s, 0], action: [s], reward: 0, nextObservation: [s + 1, 0], terminated: false,
        truncated: t == 9, policyAction: [-s])
    }
    #expect(buffer.count == 20)
    #expect(buffer.removeOldest(2) == 2)
    #expect(buffer.count == 18)
    let oldest = buffer.oldestTransitions(3)
    #expect(oldest.observations.row(0) == [2, 3, 4])
    #expect(oldest.actions.row(0) == [2, 3, 4])
    #expect(oldest.policyActions.row(0) == [-2, -3, -4])
    // Removing across the episode boundary skips the final-observation slot.
    #expect(buffer.removeOldest(10) == 10)
    #expect(buffer.oldestTransitions(1).observations[0, 0] == 12)
  }

  @Test func compactEncodingsRoundTrip() {
    var bits = ObservationStorage(width: 130, capacity: 3, encoding: .bit)
    var generator = RandomGenerator(seed: 7)
    let frame = (0..<130).map { _ in Float(generator.integer(below: 2)) }
    bits.write(frame, at: 2)
    #expect(bits.read(2) == frame)
    #expect(bits.byteCount == 3 * 3 * 8)
    var bytes = ObservationStorage(width: 4, capacity: 2, encoding: .byte)
    bytes.write([0, 1, 254, 255], at: 1)
    #expect(bytes.read(1) == [0, 1, 254, 255])
  }

  @Test func samplingIsUniformOverTransitions() {
    let buffer = ReplayBuffer(capacity: 64, observationWidth: 2, actionWidth: 1)
    addEpisode(buffer, start: 0, rewards: Array(repeating: 0, count: 5), terminatedAtEnd: true, truncatedAtEnd: false)
    addEpisode(buffer, start: 5, rewards: Array(repeating: 0, count: 5), terminatedAtEnd: true, truncatedAtEnd: false)
    var generator = RandomGenerator(seed: 3)
    let draws = 20_000
    let batch = buffer.sample(batchSize: draws, gamma: 1, using: &generator)
    var counts = [Int](repeating: 0, count: 10)
    for b in 0..<draws { counts[Int(batch.observations[0, b])] += 1 }
    // Chi-square with 9 degrees of freedom; 27.88 is the 0.999 quantile.
    let expected = Double(draws) / 10
    let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    #expect(chiSquare < 27.88)
  }
}
