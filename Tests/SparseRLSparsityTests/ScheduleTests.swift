import Foundation
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLSparsity

@Suite struct ScheduleTests {
  @Test func cosineDropFractionMatchesItsFormula() {
    let schedule = DropGrowSchedule(updateInterval: 250, initialDropFraction: 0.3, endStep: 10_000)
    var random = RandomGenerator(seed: 1)
    for _ in 0..<200 {
      let t = random.integer(below: 12_000)
      let expected = 0.3 * 0.5 * (1 + cos(Double.pi * Double(min(t, 10_000)) / 10_000))
      #expect(abs(schedule.dropFraction(at: t) - expected) < 1e-12)
      #expect(schedule.isUpdateStep(t) == (t > 0 && t % 250 == 0 && t <= 10_000))
      let active = random.integer(below: 5000)
      #expect(
        schedule.dropCount(at: t, activeCount: active) == Int(floor(expected * Double(active))))
    }
    #expect(schedule.dropFraction(at: 0) == 0.3)
    #expect(abs(schedule.dropFraction(at: 5000) - 0.15) < 1e-12)
    #expect(abs(schedule.dropFraction(at: 10_000)) < 1e-12)
    let constant = DropGrowSchedule(
      updateInterval: 1, initialDropFraction: 0.3, endStep: 10, decay: .constant)
    #expect(constant.dropFraction(at: 7) == 0.3)
    #expect(throws: SparsityError.self) {
      try DropGrowSchedule(updateInterval: 0, initialDropFraction: 0.3, endStep: 10).validate()
    }
    #expect(throws: SparsityError.self) {
      try DropGrowSchedule(updateInterval: 1, initialDropFraction: 1.5, endStep: 10).validate()
    }
  }

  @Test func cubicScheduleMatchesItsFormula() {
    let schedule = CubicPruningSchedule(beginStep: 200, endStep: 800, frequency: 50)
    var random = RandomGenerator(seed: 2)
    for _ in 0..<200 {
      let t = random.integer(below: 1000)
      let p = min(1, max(0, Double(t - 200) / 600))
      let expected = 0.9 + (0 - 0.9) * pow(1 - p, 3)
      #expect(abs(schedule.sparsity(at: t, finalSparsity: 0.9) - expected) < 1e-12)
      #expect(schedule.isPruningStep(t) == (t >= 200 && t <= 800 && (t - 200) % 50 == 0))
    }
    #expect(CubicPruningSchedule(totalSteps: 1000, frequency: 50) == schedule)
    // A misaligned end step still gets a final pruning step.
    let misaligned = CubicPruningSchedule(beginStep: 0, endStep: 95, frequency: 10)
    #expect(
      misaligned.isPruningStep(95) && !misaligned.isPruningStep(96) && misaligned.isPruningStep(90))
    #expect(throws: SparsityError.self) {
      try CubicPruningSchedule(beginStep: 5, endStep: 5, frequency: 1).validate()
    }
  }

  @Test func pruningReachesItsFinalSparsityAndThenFreezes() throws {
    var random = RandomGenerator(seed: 3)
    let shapes: [WeightShape] = [
      .linear(inputs: 12, outputs: 20), .linear(inputs: 20, outputs: 20),
      .linear(inputs: 20, outputs: 3),
    ]
    let allocation = try SparsityAllocator(distribution: .erdosRenyiKernel, sparsity: 0.8).allocate(
      shapes)
    let schedule = CubicPruningSchedule(beginStep: 20, endStep: 77, frequency: 10)
    let method = try GradualMagnitudePruning(
      schedule: schedule, finalActiveCounts: allocation.activeCounts)
    let parameters = shapes.map { shape in
      Parameter(
        name: "w", rows: shape.rows, columns: shape.columns,
        value: (0..<shape.weightCount).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    }
    let controller = TopologyController(method: method, layerCount: 3, random: random)
    controller.initialize(parameters: parameters, activeCounts: allocation.activeCounts)
    #expect(parameters.allSatisfy { !$0.isSparse })  // pruning starts dense
    var patternsAtEnd: [SparsePattern?] = []
    for t in 1...120 {
      let before = parameters.map { snapshotMagnitudes($0) }
      let changes = controller.update(step: t, parameters: parameters)
      #expect(changes.isEmpty == !schedule.isPruningStep(t))
      for (index, parameter) in parameters.enumerated() {
        let n = shapes[index].weightCount
        if schedule.isPruningStep(t) {
          // Active count follows n - round(n * s_t) (never growing), s_f from the allocation.
          let finalSparsity = 1 - Double(allocation.activeCounts[index]) / Double(n)
          let expected =
            n - Int((Double(n) * schedule.sparsity(at: t, finalSparsity: finalSparsity)).rounded())
          #expect(parameter.activeCount == min(before[index].count, expected))
          // The kept weights are the largest-magnitude ones of those active before.
          let kept = Set(parameter.pattern?.activeIndices ?? Array(0..<n))
          let keptMin =
            before[index].filter { kept.contains($0.key) }.map(\.value).min() ?? .infinity
          let droppedMax = before[index].filter { !kept.contains($0.key) }.map(\.value).max() ?? 0
          #expect(keptMin >= droppedMax)
        }
      }
      if t == 77 {
        #expect(parameters.map(\.activeCount) == allocation.activeCounts)
        patternsAtEnd = parameters.map(\.pattern)
      }
      if t > 77 { #expect(parameters.map(\.pattern) == patternsAtEnd) }
      // Training moves the weights between pruning steps.
      for parameter in parameters {
        parameter.value = parameter.value.map {
          $0 + random.normal(mean: 0, standardDeviation: 0.3)
        }
      }
    }
  }

  @Test func widthScaledDenseMatchesAParameterBudget() throws {
    let widths = [17, 256, 256, 6]
    let full = WidthScaledDense.parameterCount(widths: widths, includeBiases: false)
    #expect(full == 17 * 256 + 256 * 256 + 256 * 6)
    let same = try WidthScaledDense(matching: full, widths: widths)
    #expect(abs(same.multiplier - 1) < 1e-9 && same.widths == widths)
    // A 90%-sparse budget: 7142 weights. Continuous count (17 + 6) * 256 w + 65536 w^2 = 7142.
    let target = 7142
    let scaled = try WidthScaledDense(matching: target, widths: widths)
    let w = scaled.multiplier
    #expect(abs(23 * 256 * w + 65536 * w * w - Double(target)) < 1e-6)
    let hidden = Int((256 * w).rounded())
    #expect(scaled.widths == [17, hidden, hidden, 6])
    #expect(scaled.parameterCount == 17 * hidden + hidden * hidden + hidden * 6)
    let withBiases = try WidthScaledDense(matching: target, widths: widths, includeBiases: true)
    #expect(withBiases.multiplier < w)
    #expect(throws: SparsityError.self) { try WidthScaledDense(matching: 10, widths: [17, 6]) }
  }
}

/// |w| of every active position, by flat index.
func snapshotMagnitudes(_ parameter: Parameter) -> [Int: Float] {
  let indices = parameter.pattern?.activeIndices ?? Array(0..<parameter.denseCount)
  var result = [Int: Float]()
  for (slot, flat) in indices.enumerated() { result[flat] = abs(parameter.value[slot]) }
  return result
}
