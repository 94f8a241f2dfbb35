import Foundation
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLSparsity

/// A sparse parameter with `active` random positions, normal values and random optimizer slots `m` and `v`.
func randomSparseParameter(rows: Int, columns: Int, active: Int, random: inout RandomGenerator)
  -> Parameter
{
  let pattern = InitialMask.random.pattern(
    rows: rows, columns: columns, activeCount: active, denseValues: [], random: &random)
  let parameter = Parameter(
    name: "w", pattern: pattern,
    value: (0..<active).map { _ in random.normal(mean: 0, standardDeviation: 1) })
  parameter.optimizerState["m"] = (0..<active).map { _ in random.uniform(-1, 1) }
  parameter.optimizerState["v"] = (0..<active).map { _ in random.uniform(0, 1) }
  return parameter
}

/// Value, `m` and `v` of every active position, by flat index.
func snapshot(_ parameter: Parameter) -> [Int: [Float]] {
  let indices = parameter.pattern?.activeIndices ?? Array(0..<parameter.denseCount)
  var result = [Int: [Float]]()
  for (slot, flat) in indices.enumerated() {
    result[flat] = [
      parameter.value[slot], parameter.optimizerState["m"]![slot],
      parameter.optimizerState["v"]![slot],
    ]
  }
  return result
}

/// A layer stand-in with a sparse weight and a fixed dense gradient, counting the controller's calls.
final class FakeLayer: MaskableLayer {
  let weight: Parameter
  var gradient: Matrix
  var gradientRequests = 0
  var patternChanges = 0
  init(weight: Parameter, gradient: Matrix) {
    self.weight = weight
    self.gradient = gradient
  }
  var weightUsesPerSample: Int { 1 }
  func denseWeightGradient() -> Matrix {
    gradientRequests += 1
    return gradient
  }
  func weightPatternDidChange() { patternChanges += 1 }
  func outputFeatures(forInput inputFeatures: Int) -> Int { weight.rows }
  func forward(_ input: Matrix) -> Matrix { input }
  func backward(_ outputGradient: Matrix, accumulateParameterGradients: Bool) -> Matrix {
    outputGradient
  }
  var parameters: [Parameter] { [weight] }
}

@Suite struct TopologyTests {
  let constantHalf = DropGrowSchedule(
    updateInterval: 10, initialDropFraction: 0.5, endStep: 1000, decay: .constant)

  @Test func rigLDropsSmallestAndGrowsLargestGradient() throws {
    var random = RandomGenerator(seed: 7)
    for trial in 0..<40 {
      let rows = 1 + random.integer(below: 30)
      let columns = 1 + random.integer(below: 30)
      let active = 1 + random.integer(below: rows * columns)
      let parameter = randomSparseParameter(
        rows: rows, columns: columns, active: active, random: &random)
      let gradient = Matrix(
        rows: rows, columns: columns,
        scalars: (0..<(rows * columns)).map { _ in random.normal(mean: 0, standardDeviation: 1) })
      let before = snapshot(parameter)
      let fraction = random.uniform(0.0, 1.0)
      let schedule = DropGrowSchedule(
        updateInterval: 1, initialDropFraction: fraction, endStep: 10, decay: .constant)
      let rigl = try RigLUpdater(schedule: schedule)
      var state = TopologyLayerState()
      var stream = random.stream("trial\(trial)")
      let change = rigl.update(
        parameter, context: TopologyUpdateContext(layer: 0, step: 1, denseGradient: gradient),
        state: &state,
        random: &stream)

      // Brute-force reference: sort by |w| and |g| (values are continuous, so ties have probability ~0).
      let k = Int((fraction * Double(active)).rounded(.down))
      let byMagnitude = before.keys.sorted { abs(before[$0]![0]) < abs(before[$1]![0]) }
      let expectedDropped = Set(byMagnitude.prefix(k))
      let kept = Set(byMagnitude.dropFirst(k))
      let candidates = (0..<(rows * columns)).filter { !kept.contains($0) }
      let expectedGrown = Set(
        candidates.sorted { abs(gradient.scalars[$0]) > abs(gradient.scalars[$1]) }.prefix(k))
      #expect(Set(change.dropped) == expectedDropped)
      #expect(Set(change.grown) == expectedGrown)
      #expect(parameter.activeCount == active)
      #expect(Set(parameter.pattern!.activeIndices) == kept.union(expectedGrown))

      // Kept and regrown weights keep value and moments; new ones start at 0 with zero moments.
      let after = snapshot(parameter)
      for (flat, entry) in after {
        if let old = before[flat] {
          #expect(entry == old)
        } else {
          #expect(entry == [0, 0, 0])
        }
      }
    }
  }

  @Test func justDroppedRegrownWeightKeepsItsValue() throws {
    // Active 0, 1, 2 with |w| 0.01, 5, 6; k = floor(0.5 * 3) = 1 drops position 0, whose gradient is the largest.
    let pattern = SparsePattern(rows: 2, columns: 3, activeIndices: [0, 1, 2])
    let parameter = Parameter(name: "w", pattern: pattern, value: [0.01, 5, 6])
    parameter.optimizerState["m"] = [0.3, 0.4, 0.5]
    let gradient = Matrix([[9, 0, 0], [1, 2, 3]])
    var state = TopologyLayerState()
    var random = RandomGenerator(seed: 1)
    let change = try RigLUpdater(schedule: constantHalf).update(
      parameter, context: TopologyUpdateContext(layer: 0, step: 10, denseGradient: gradient),
      state: &state,
      random: &random)
    #expect(change.dropped == [0] && change.grown == [0] && change.regrown == [0])
    #expect(parameter.value == [0.01, 5, 6])
    #expect(parameter.optimizerState["m"] == [0.3, 0.4, 0.5])
  }

  @Test func grownWeightInitialisationOptions() throws {
    // Drop position 0 (smallest), grow position 5 (largest gradient among 0, 3, 4, 5).
    let gradient = Matrix([[0, 0, 0], [1, 2, 3]])
    for option in [GrownWeightInitialization.zero, .uniform(limit: 0.25), .sparsityAware] {
      let parameter = Parameter(
        name: "w", pattern: SparsePattern(rows: 2, columns: 3, activeIndices: [0, 1, 2]),
        value: [0.01, 5, 6])
      var state = TopologyLayerState()
      var random = RandomGenerator(seed: 3)
      let rigl = try RigLUpdater(
        schedule: constantHalf, options: DropGrowOptions(grownWeightInitialization: option))
      let change = rigl.update(
        parameter, context: TopologyUpdateContext(layer: 0, step: 10, denseGradient: gradient),
        state: &state,
        random: &random)
      #expect(change.grown == [5])
      #expect(parameter.pattern!.activeIndices == [1, 2, 5])
      let grownValue = parameter.value[2]
      switch option {
      case .zero: #expect(grownValue == 0)
      case .uniform(let limit): #expect(grownValue != 0 && abs(grownValue) < limit)
      case .sparsityAware:
        // Position (1, 2): row 1 has 1 active weight, column 2 has 2: L = sqrt(3 / 1.5).
        #expect(grownValue != 0 && abs(grownValue) < Float((3.0 / 1.5).squareRoot()))
      }
    }
  }

  @Test func momentPolicies() throws {
    // A 2x2 weight, k = 1 each time. Update 1 drops position 0 (smallest |w|) and grows 3 (largest gradient);
    // update 2 drops 3 (grown at 0) and grows 0 back: `keep` restores 0's moment from its drop, `reset` zeroes it.
    for policy in [GrownMomentPolicy.reset, .keep] {
      let parameter = Parameter(
        name: "w", pattern: SparsePattern(rows: 2, columns: 2, activeIndices: [0, 1]),
        value: [0.1, 5])
      parameter.optimizerState["m"] = [0.7, 0.8]
      let rigl = try RigLUpdater(
        schedule: DropGrowSchedule(
          updateInterval: 1, initialDropFraction: 0.5, endStep: 10, decay: .constant),
        options: DropGrowOptions(momentPolicy: policy))
      var state = TopologyLayerState()
      var random = RandomGenerator(seed: 5)
      let first = rigl.update(
        parameter,
        context: TopologyUpdateContext(
          layer: 0, step: 1, denseGradient: Matrix([[0, 0], [0, 1]])),
        state: &state, random: &random)
      #expect(first.dropped == [0] && first.grown == [3])
      #expect(parameter.optimizerState["m"] == [0.8, 0])
      let second = rigl.update(
        parameter,
        context: TopologyUpdateContext(
          layer: 0, step: 2, denseGradient: Matrix([[1, 0], [0, 0]])),
        state: &state, random: &random)
      #expect(second.dropped == [3] && second.grown == [0])
      #expect(parameter.pattern!.activeIndices == [0, 1])
      #expect(parameter.value == [0, 5])  // a weight grown back later starts at 0 again
      #expect(parameter.optimizerState["m"] == [policy == .keep ? 0.7 : 0, 0.8])
    }
  }

  @Test func setAndRigLKeepEveryLayersActiveCount() throws {
    var random = RandomGenerator(seed: 11)
    for trial in 0..<8 {
      let shapes = randomShapes(&random, maxWidth: 40)
      let allocation: SparsityAllocation
      do {
        allocation = try SparsityAllocator(
          distribution: .erdosRenyiKernel, sparsity: random.uniform(0.5, 0.95)
        )
        .allocate(shapes)
      } catch { continue }
      let schedule = DropGrowSchedule(
        updateInterval: 3, initialDropFraction: random.uniform(0.1, 0.9), endStep: 30)
      for method in [
        try SETUpdater(schedule: schedule) as any TopologyMethod,
        try RigLUpdater(schedule: schedule),
      ] {
        let layers = shapes.map { shape in
          FakeLayer(
            weight: Parameter(
              name: "w", rows: shape.rows, columns: shape.columns,
              value: (0..<shape.weightCount).map { _ in random.normal(mean: 0, standardDeviation: 1)
              }),
            gradient: Matrix(rows: shape.rows, columns: shape.columns))
        }
        let controller = TopologyController(
          method: method, layerCount: layers.count, random: random.stream("\(trial)"))
        controller.initialize(
          layers: layers, activeCounts: allocation.activeCounts, initialMask: .largestMagnitude)
        #expect(layers.map(\.weight.activeCount) == allocation.activeCounts)
        for t in 1...36 {
          for layer in layers {
            layer.gradient.scalars = (0..<layer.gradient.count).map { _ in
              random.normal(mean: 0, standardDeviation: 1)
            }
            layer.weight.value = layer.weight.value.map {
              $0 + random.normal(mean: 0, standardDeviation: 0.1)
            }
          }
          let changes = controller.update(step: t, layers: layers)
          #expect(changes.isEmpty == !(t % 3 == 0 && t <= 30))
          #expect(layers.map(\.weight.activeCount) == allocation.activeCounts)
        }
        #expect(controller.state.updatesApplied == 10 && controller.state.lastUpdateStep == 30)
        let expectedGradientRequests = method.needsDenseGradient ? 10 : 0
        #expect(
          layers.allSatisfy {
            $0.gradientRequests == expectedGradientRequests && $0.patternChanges == 11
          })
      }
    }
  }

  /// SET's grown positions are uniform over the candidates. One 4x5 layer with 10 active weights of distinct
  /// magnitudes and k = 5: the 5 smallest are dropped, so the 15 candidates (10 inactive + 5 just dropped) each
  /// should be grown with probability 5/15. Over 3000 seeded updates, Pearson's chi-square over the 15 counts
  /// (df = 14) is compared with the 0.999 quantile (Wilson–Hilferty approximation, 36.12): a correct
  /// implementation fails with probability ≤ 0.1% (less, since draws without replacement reduce the variance),
  /// and the fixed seed makes the outcome deterministic.
  @Test func setGrowsUniformly() throws {
    let active = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    let set = try SETUpdater(schedule: constantHalf)
    var counts = [Int](repeating: 0, count: 20)
    let trials = 3000
    for trial in 0..<trials {
      let parameter = Parameter(
        name: "w", pattern: SparsePattern(rows: 4, columns: 5, activeIndices: active),
        value: (1...10).map { Float($0) })
      var state = TopologyLayerState()
      var random = RandomGenerator(seed: 99).stream("trial\(trial)")
      let change = set.update(
        parameter, context: TopologyUpdateContext(layer: 0, step: 10), state: &state,
        random: &random)
      #expect(change.dropped == [0, 2, 4, 6, 8])
      for position in change.grown { counts[position] += 1 }
    }
    let candidates = (0..<20).filter { ![10, 12, 14, 16, 18].contains($0) }
    #expect(candidates.count == 15)
    #expect([10, 12, 14, 16, 18].allSatisfy { counts[$0] == 0 })
    let expected = Double(trials * 5) / 15
    let chiSquare = candidates.reduce(0.0) { $0 + pow(Double(counts[$1]) - expected, 2) / expected }
    let df = 14.0
    let z999 = 3.090232
    let critical = df * pow(1 - 2 / (9 * df) + z999 * (2 / (9 * df)).squareRoot(), 3)
    #expect(abs(critical - 36.12) < 0.2)
    #expect(chiSquare < critical, "chi-square \(chiSquare) over \(critical)")
  }

  @Test func tiesAreBrokenBySeedNotMemoryOrder() throws {
    // All magnitudes equal: which 4 of 8 are dropped depends only on the seed.
    func dropped(seed: UInt64) throws -> [Int] {
      let parameter = Parameter(
        name: "w", pattern: SparsePattern(rows: 4, columns: 4, activeIndices: Array(0..<8)),
        value: [Float](repeating: 1, count: 8))
      var state = TopologyLayerState()
      var random = RandomGenerator(seed: seed)
      return try RigLUpdater(schedule: constantHalf).update(
        parameter,
        context: TopologyUpdateContext(
          layer: 0, step: 10, denseGradient: Matrix(rows: 4, columns: 4)),
        state: &state, random: &random
      ).dropped
    }
    let results = try (0..<20).map { try dropped(seed: UInt64($0)) }
    #expect(try dropped(seed: 3) == results[3])
    #expect(Set(results).count > 5)
    #expect(results.contains { $0 != [0, 1, 2, 3] })
  }

  @Test func initialMasksAndSparsityAwareInit() {
    var random = RandomGenerator(seed: 21)
    let values = (0..<60).map { _ in random.normal(mean: 0, standardDeviation: 1) }
    let largest = InitialMask.largestMagnitude.pattern(
      rows: 6, columns: 10, activeCount: 15, denseValues: values, random: &random)
    let threshold = values.map { abs($0) }.sorted(by: >)[14]
    #expect(largest.activeIndices == (0..<60).filter { abs(values[$0]) >= threshold })
    let randomMask = InitialMask.random.pattern(
      rows: 6, columns: 10, activeCount: 15, denseValues: [], random: &random)
    #expect(randomMask.nonzeroCount == 15)

    // Conv-like weight: 3 output channels x (2 input channels * 4 kernel positions).
    let pattern = InitialMask.random.pattern(
      rows: 3, columns: 8, activeCount: 10, denseValues: [], random: &random)
    let limits = SparsityAwareInitializer.limits(of: pattern, columnsPerInputUnit: 4)
    let mask = pattern.mask
    for (slot, flat) in pattern.activeIndices.enumerated() {
      let (row, column) = flat.quotientAndRemainder(dividingBy: 8)
      let fanIn = (0..<8).filter { mask[row * 8 + $0] }.count
      let channel = column / 4
      let fanOut = (0..<3).flatMap { r in (0..<4).map { r * 8 + channel * 4 + $0 } }.filter {
        mask[$0]
      }.count
      let expected = Float((3 / max(1, Double(fanIn + fanOut) / 2)).squareRoot())
      #expect(abs(limits[slot] - expected) < 1e-6)
    }
    let drawn = SparsityAwareInitializer.values(
      for: pattern, columnsPerInputUnit: 4, random: &random)
    #expect(zip(drawn, limits).allSatisfy { abs($0) < $1 })
  }

  @Test func controllerStateRoundTripsAndResumesExactly() throws {
    let schedule = DropGrowSchedule(updateInterval: 2, initialDropFraction: 0.4, endStep: 20)
    func makeParameters() -> [Parameter] {
      var random = RandomGenerator(seed: 5)
      return [
        randomSparseParameter(rows: 8, columns: 9, active: 20, random: &random),
        randomSparseParameter(rows: 5, columns: 8, active: 12, random: &random),
      ]
    }
    let uninterrupted = makeParameters()
    let a = TopologyController(
      method: try SETUpdater(schedule: schedule), layerCount: 2, random: RandomGenerator(seed: 8))
    for t in 1...20 { a.update(step: t, parameters: uninterrupted) }

    let resumed = makeParameters()
    let b = TopologyController(
      method: try SETUpdater(schedule: schedule), layerCount: 2, random: RandomGenerator(seed: 8))
    for t in 1...9 { b.update(step: t, parameters: resumed) }
    let saved = try JSONEncoder().encode(b.state)
    let c = TopologyController(
      method: try SETUpdater(schedule: schedule),
      state: try JSONDecoder().decode(TopologyControllerState.self, from: saved))
    #expect(c.state == b.state)
    for t in 10...20 { c.update(step: t, parameters: resumed) }
    #expect(
      zip(uninterrupted, resumed).allSatisfy { $0.pattern == $1.pattern && $0.value == $1.value })
    #expect(c.state.updatesApplied == 10)
  }

  @Test func staticAndDenseNeverChange() throws {
    var random = RandomGenerator(seed: 4)
    let parameter = Parameter(
      name: "w", rows: 4, columns: 4,
      value: (0..<16).map { _ in random.normal(mean: 0, standardDeviation: 1) })
    let dense = TopologyController(method: DenseTopology(), layerCount: 1, random: random)
    dense.initialize(parameters: [parameter], activeCounts: [5])
    #expect(!parameter.isSparse)
    let fixed = TopologyController(method: StaticTopology(), layerCount: 1, random: random)
    fixed.initialize(parameters: [parameter], activeCounts: [5], sparsityAwareInitialization: true)
    let pattern = parameter.pattern
    #expect(parameter.activeCount == 5)
    for t in 0...100 { #expect(fixed.update(step: t, parameters: [parameter]).isEmpty) }
    #expect(parameter.pattern == pattern)
  }
}
