import SparseRLNumerics
import Testing

@testable import SparseRLAgents

@Suite struct RLx2Tests {
  @Test func policyDistanceIsHalfTheMeanSquaredNormalisedDifference() {
    let current = Matrix([[0.5, -1], [0, 0.2]])
    let stored = Matrix([[0.1, -0.5], [0, -0.2]])
    // (0.4^2 + 0.5^2 + 0 + 0.4^2) / 2 / 4 = (0.16 + 0.25 + 0.16) / 8.
    #expect(abs(DynamicReplayCapacity.policyDistance(current: current, stored: stored) - 0.57 / 8) < 1e-7)
  }

  @Test func shrinkRuleNeedsDriftAndASizeAboveTheMinimum() {
    var settings = ReplaySettings(capacity: 2000, minCapacity: 500)
    settings.dynamicCapacity = true
    let rule = DynamicReplayCapacity(settings: settings, batchSize: 256)
    #expect(rule.sampleCount == 2048)
    #expect(rule.removalCount(size: 1000, distance: 0.3) == 100)
    #expect(rule.removalCount(size: 1000, distance: 0.2) == 0)  // D must exceed D0
    #expect(rule.removalCount(size: 500, distance: 0.9) == 0)  // not above the minimum
    #expect(rule.removalCount(size: 501, distance: 0.9) == 50)
    #expect(rule.isCheckStep(10_000) && !rule.isCheckStep(9_999) && !rule.isCheckStep(0))
  }

  @Test func bufferDropsItsOldestTenPercentAndGrowsBack() {
    var settings = ReplaySettings(capacity: 200, minCapacity: 50)
    settings.dynamicCapacity = true
    settings.distanceBatches = 1
    var rule = DynamicReplayCapacity(settings: settings, batchSize: 30)
    let buffer = ReplayBuffer(capacity: 200, observationWidth: 1, actionWidth: 1, storesPolicyActions: true)
    // One long episode: observation t, stored policy action 0.2 for the first 30 transitions, 0.9 after.
    for t in 0..<100 {
      buffer.add(
        observation: [Float(t)], action: [0], reward: 0, nextObservation: [Float(t + 1)], terminated: false,
        truncated: false, policyAction: [t < 30 ? 0.2 : 0.9])
    }
    // The current policy says 1 everywhere: over the oldest 30, D = (0.8^2) / 2 = 0.32 > 0.2.
    let (distance, removed) = rule.check(buffer: buffer) { observations in
      Matrix(rows: 1, columns: observations.columns, repeating: 1)
    }
    #expect(abs(distance - 0.32) < 1e-6)
    #expect(removed == 10 && buffer.count == 90)
    #expect(buffer.oldestTransitions(1).observations.scalars == [10])
    // Oldest 30 now include 20 at 0.2 and 10 at 0.9: D = (20 * 0.32 + 10 * 0.005) / 30 = 0.215 > 0.2.
    #expect(
      abs(rule.check(buffer: buffer) { Matrix(rows: 1, columns: $0.columns, repeating: 1) }.distance - 0.215) < 1e-6)
    #expect(buffer.count == 81)
    // A policy that matches the stored actions keeps the buffer, which grows by one per transition.
    let kept = rule.check(buffer: buffer) { observations in
      Matrix(rows: 1, columns: observations.columns, repeating: 0.2)
    }
    #expect(kept.removed == 0 && buffer.count == 81)
    buffer.add(
      observation: [100], action: [0], reward: 0, nextObservation: [101], terminated: false, truncated: false,
      policyAction: [0.9])
    #expect(buffer.count == 82)
    #expect(rule.shrinks == 2 && rule.lastDistance == kept.distance)
  }

  @Test func tinyWidthMatchesTheSparseWeightCount() {
    let m = TD3Config.tinyWidthMultiplier(hiddenSizes: [256, 256], inputs: 17, outputs: 6, density: 0.1)
    let h = 256 * m
    let weights = 17 * h + h * h + h * 6
    let dense = Double(17 * 256 + 256 * 256 + 256 * 6)
    #expect(abs(weights - 0.1 * dense) < 1e-6 * dense)
    #expect(m > 0.1 && m < 0.4)
  }

  @Test func variantsAreConfigurationsOfTheSameAgent() {
    let base = SACConfig()
    let rlx2 = base.variant(.rlx2, actorSparsity: 0.9, criticSparsity: 0.8, observationWidth: 17, actionWidth: 6)
    #expect(rlx2.actorSparsity.method == .rigl && rlx2.actorSparsity.sparsity == 0.9)
    #expect(rlx2.criticSparsity.sparsity == 0.8 && rlx2.criticSparsity.initialMask == .largestMagnitude)
    #expect(rlx2.actorSparsity.updateInterval == 10_000 && rlx2.actorSparsity.dropFraction == 0.5)
    #expect(rlx2.nStep == 3 && rlx2.nStepDelay == 300_000 && rlx2.replay.dynamicCapacity)
    #expect(rlx2.replay.capacity == 3_000_000 && rlx2.replay.minCapacity == 200_000)
    let rigl = base.variant(.rigl, actorSparsity: 0.9, criticSparsity: 0.8, observationWidth: 17, actionWidth: 6)
    // As the authors' code: every sparse baseline starts from the largest-magnitude mask.
    #expect(rigl.actorSparsity.method == .rigl && rigl.actorSparsity.initialMask == .largestMagnitude)
    #expect(rlx2.replay.warmupStoredAction == .taken && SACConfig().replay.warmupStoredAction == .noiseFree)
    #expect(rigl.nStep == 1 && !rigl.replay.dynamicCapacity)
    let ss = TD3Config().variant(.static, actorSparsity: 0.9, criticSparsity: 0.8, observationWidth: 17, actionWidth: 6)
    #expect(ss.actorSparsity.method == .static && ss.criticSparsity.distribution == .erdosRenyi)
    let tiny = TD3Config().variant(.tiny, actorSparsity: 0.9, criticSparsity: 0.8, observationWidth: 17, actionWidth: 6)
    #expect(tiny.actorSparsity.method == .dense && tiny.actor.widthMultiplier < 1 && tiny.critic.widthMultiplier < 1)
    #expect(tiny.critic.widthMultiplier > tiny.actor.widthMultiplier)
  }
}
