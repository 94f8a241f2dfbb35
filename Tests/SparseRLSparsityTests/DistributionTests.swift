import Foundation
import SparseRLNumerics
import Testing

@testable import SparseRLSparsity

/// Random stacks of Linear and Conv2d shapes for property tests.
func randomShapes(_ random: inout RandomGenerator, maxWidth: Int = 300) -> [WeightShape] {
  let layerCount = 1 + random.integer(below: 5)
  var shapes = [WeightShape]()
  for _ in 0..<layerCount {
    if random.integer(below: 3) == 0 {
      let k = 1 + random.integer(below: 5)
      shapes.append(
        .conv2d(
          kernelHeight: k, kernelWidth: k, inChannels: 1 + random.integer(below: min(32, maxWidth)),
          outChannels: 1 + random.integer(below: min(64, maxWidth)),
          outputPositions: 1 + random.integer(below: 100)))
    } else {
      shapes.append(
        .linear(
          inputs: 1 + random.integer(below: maxWidth), outputs: 1 + random.integer(below: maxWidth))
      )
    }
  }
  return shapes
}

/// The RigL code's ER/ERK solve, written independently: remove the single layer with the largest raw score while
/// `eps * max score > 1`. Returns the indices made dense and the final eps.
func referenceSolve(scores: [Double], sizes: [Int], budget: Int) -> (dense: Set<Int>, eps: Double?)
{
  var dense = Set<Int>()
  while true {
    let solving = scores.indices.filter { !dense.contains($0) }
    if solving.isEmpty { return (dense, nil) }
    var rhs = Double(budget)
    for index in dense { rhs -= Double(sizes[index]) }
    var divisor = 0.0
    for index in solving { divisor += scores[index] * Double(sizes[index]) }
    let eps = rhs / divisor
    let maxScore = solving.map { scores[$0] }.max()!
    if eps * maxScore > 1 {
      for index in solving where scores[index] == maxScore { dense.insert(index) }
    } else {
      return (dense, eps)
    }
  }
}

@Suite struct DistributionTests {
  @Test func allocationsMeetTheTargetWithinTheIntegerRule() throws {
    var random = RandomGenerator(seed: 2024)
    var checked = 0
    for _ in 0..<300 {
      let shapes = randomShapes(&random)
      let sparsity = random.uniform(0.0, 0.99)
      let firstDense = random.integer(below: 3) == 0
      for distribution in SparsityDistribution.allCases {
        let allocator = SparsityAllocator(
          distribution: distribution, sparsity: sparsity, firstLayerDense: firstDense)
        let allocation: SparsityAllocation
        do { allocation = try allocator.allocate(shapes) } catch { continue }  // infeasible for this stack
        checked += 1
        let total = shapes.reduce(0) { $0 + $1.weightCount }
        // Network total is exactly round((1 - S) * N).
        #expect(
          allocation.activeCount
            == Int((Double(total) * (1 - sparsity)).rounded(.toNearestOrAwayFromZero)))
        #expect(allocation.totalCount == total)
        let free = shapes.indices.filter { !(firstDense && $0 == 0) }
        for index in shapes.indices {
          let layer = allocation.layers[index]
          #expect(layer.activeCount >= 1 && layer.activeCount <= layer.totalCount)
          #expect(layer.idealDensity <= 1 + 1e-12)
          if free.contains(index) {
            // Each free layer within one weight of its ideal count.
            #expect(
              abs(Double(layer.activeCount) - layer.idealDensity * Double(layer.totalCount)) < 1
                + 1e-9)
          } else {
            #expect(layer.activeCount == layer.totalCount && layer.source == .override)
          }
          if layer.source == .forcedDense { #expect(layer.activeCount == layer.totalCount) }
        }
        let freeIdeal = free.filter { allocation.layers[$0].source == .distribution }
        switch distribution {
        case .uniform:
          let densities = freeIdeal.map { allocation.layers[$0].idealDensity }
          #expect(densities.allSatisfy { abs($0 - densities[0]) < 1e-12 })
        case .erdosRenyi, .erdosRenyiKernel:
          let scores = shapes.map {
            distribution == .erdosRenyi ? $0.erdosRenyiScore : $0.erdosRenyiKernelScore
          }
          let fixedActive = firstDense ? shapes[0].weightCount : 0
          let budget = allocation.activeCount - fixedActive
          let reference = referenceSolve(
            scores: free.map { scores[$0] }, sizes: free.map { shapes[$0].weightCount },
            budget: budget)
          let forced = Set(
            free.indices.filter { allocation.layers[free[$0]].source == .forcedDense })
          #expect(forced == reference.dense)
          if let eps = reference.eps {
            for index in freeIdeal {
              #expect(abs(allocation.layers[index].idealDensity - eps * scores[index]) < 1e-9)
            }
          }
        }
      }
    }
    #expect(checked > 500)
  }

  /// Worked by hand, S = 0.9, N = 400 + 10000 + 200 = 10600, target 1060 active:
  /// scores r = 104/400 = 0.26, 200/10000 = 0.02, 102/200 = 0.51;
  /// solve 1: eps = 1060 / (0.26*400 + 0.02*10000 + 0.51*200) = 1060/406 = 2.6108; 0.51 * eps = 1.33 > 1 -> dense;
  /// solve 2: eps = (1060 - 200) / (104 + 200) = 2.828947; counts 294.21 and 565.79 -> floors 294 + 565 = 859,
  /// one unit left goes to the larger fraction (0.79): 294, 566, 200.
  @Test func erkMatchesAHandWorkedExample() throws {
    let shapes: [WeightShape] = [
      .linear(inputs: 4, outputs: 100), .linear(inputs: 100, outputs: 100),
      .linear(inputs: 100, outputs: 2),
    ]
    let allocation = try SparsityAllocator(distribution: .erdosRenyiKernel, sparsity: 0.9).allocate(
      shapes)
    #expect(allocation.activeCounts == [294, 566, 200])
    #expect(allocation.layers.map(\.source) == [.distribution, .distribution, .forcedDense])
    #expect(abs(allocation.epsilon! - 860.0 / 304.0) < 1e-12)
    let er = try SparsityAllocator(distribution: .erdosRenyi, sparsity: 0.9).allocate(shapes)
    #expect(er.activeCounts == [294, 566, 200])  // ER equals ERK for 2-D kernels
  }

  @Test func convolutionScores() {
    let conv = WeightShape.conv2d(
      kernelHeight: 3, kernelWidth: 3, inChannels: 4, outChannels: 8, outputPositions: 64)
    #expect(conv.erdosRenyiKernelScore == 18.0 / 288.0)
    #expect(conv.erdosRenyiScore == 12.0 / 32.0)
    #expect(conv.rows == 8 && conv.columns == 36 && conv.usesPerSample == 64)
  }

  @Test func uniformFirstLayerDenseBudgets() throws {
    let shapes: [WeightShape] = [
      .linear(inputs: 17, outputs: 256), .linear(inputs: 256, outputs: 256),
      .linear(inputs: 256, outputs: 6),
    ]
    // Network budget: round(0.1 * 71424) = 7142 active, 4352 of them in the dense first layer, 2790 shared by
    // 67072 free weights: ideal 2790*65536/67072 = 2726.11 and 2790*1536/67072 = 63.89 -> 2726 + 64.
    let network = try SparsityAllocator(
      distribution: .uniform, sparsity: 0.9, firstLayerDense: true
    ).allocate(shapes)
    #expect(network.activeCounts == [4352, 2726, 64])
    // Free-layer budget (RigL code): round(0.1 * 67072) = 6707 shared: 6553.6 and 153.6, floors 6553 + 153, and
    // the one unit left goes to whichever fraction is larger in floating point (both are .6 in exact arithmetic).
    let free = try SparsityAllocator(
      distribution: .uniform, sparsity: 0.9, firstLayerDense: true, overrideBudget: .freeLayers
    ).allocate(shapes)
    #expect(free.activeCounts[0] == 4352)
    #expect(free.activeCounts[1] + free.activeCounts[2] == 6707)
    #expect(
      Set([free.activeCounts[1], free.activeCounts[2]]).isSubset(of: [6553, 6554, 153, 154]))
  }

  @Test func overridesAndBadInputThrow() throws {
    let shapes: [WeightShape] = [
      .linear(inputs: 10, outputs: 10), .linear(inputs: 10, outputs: 10),
    ]
    let overridden = try SparsityAllocator(
      distribution: .erdosRenyiKernel, sparsity: 0.5, overrides: [1: 0.8]
    )
    .allocate(shapes)
    #expect(overridden.activeCounts == [80, 20])
    #expect(throws: SparsityError.self) {
      try SparsityAllocator(distribution: .uniform, sparsity: 0.9, overrides: [1: 0]).allocate(
        shapes)
    }
    #expect(throws: SparsityError.self) {
      try SparsityAllocator(distribution: .uniform, sparsity: 1).allocate(shapes)
    }
    #expect(throws: SparsityError.self) {
      try SparsityAllocator(distribution: .uniform, sparsity: 0.5, overrides: [5: 0.1]).allocate(
        shapes)
    }
    #expect(throws: SparsityError.self) {
      try SparsityAllocator(distribution: .uniform, sparsity: 0.999).allocate([
        .linear(inputs: 10, outputs: 10)
      ])
    }
    #expect(throws: SparsityError.self) {
      try SparsityAllocator(distribution: .uniform, sparsity: 0.5).allocate([
        .linear(inputs: 0, outputs: 10)
      ])
    }
  }

  @Test func largestRemainderRule() {
    // Ideal 1.5, 2.5, 3.0 summing to 7: floors 1, 2, 3 = 6; one unit to the first of the tied .5 fractions.
    #expect(
      SparsityAllocator.largestRemainder(ideal: [1.5, 2.5, 3.0], capacity: [10, 10, 10], total: 7)
        == [2, 2, 3])
    #expect(
      SparsityAllocator.largestRemainder(ideal: [0.2, 0.7, 0.1], capacity: [5, 5, 5], total: 1) == [
        0, 1, 0,
      ])
  }
}
