import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLSparsity

@Suite struct GrownGradientTests {
  /// With `denseGradientForGrownWeights`, a weight grown by RigL carries that iteration's dense gradient (so
  /// the optimizer step of the update iteration moves it); without it, it starts at zero gradient. Kept
  /// weights keep their own gradient either way.
  @Test func grownWeightsTakeTheDenseGradientOnlyWhenAsked() throws {
    // Drop position 0 (smallest |w|), grow position 5 (largest |g| among 0, 3, 4, 5).
    let gradient = Matrix([[0.5, 0.7, 0.9], [1, 2, 3]])
    let schedule = DropGrowSchedule(updateInterval: 1, initialDropFraction: 0.34, endStep: 100, decay: .constant)
    for applies in [false, true] {
      let parameter = Parameter(
        name: "w", pattern: SparsePattern(rows: 2, columns: 3, activeIndices: [0, 1, 2]), value: [0.01, 5, 6])
      parameter.gradient = [0.5, 0.7, 0.9]  // the sparse gradient: the dense one at the active positions
      var state = TopologyLayerState()
      var random = RandomGenerator(seed: 3)
      let rigl = try RigLUpdater(
        schedule: schedule, options: DropGrowOptions(denseGradientForGrownWeights: applies))
      let change = rigl.update(
        parameter, context: TopologyUpdateContext(layer: 0, step: 1, denseGradient: gradient), state: &state,
        random: &random)
      #expect(change.grown == [5] && change.dropped == [0])
      #expect(parameter.pattern!.activeIndices == [1, 2, 5])
      #expect(parameter.gradient == [0.7, 0.9, applies ? 3 : 0])
    }
  }
}
