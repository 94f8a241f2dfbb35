import SparseRLNetworks
import SparseRLNumerics
import SparseRLSparsity
import Testing

@testable import SparseRLAgents

@Suite struct SparseNetworkTests {
  private func makeNetwork(_ sparsity: NetworkSparsity, seed: UInt64 = 1) throws -> SparseNetwork {
    var random = RandomGenerator(seed: seed)
    let model = try NetworkArchitecture(hiddenSizes: [64, 64]).build(inputShape: [8], outputs: 2, random: &random)
    return try SparseNetwork(model: model, sparsity: sparsity, totalUpdates: 100, random: random.stream("topology"))
  }

  /// One gradient update on a random batch with the loss sum(outputs).
  private func trainStep(_ network: SparseNetwork, _ random: inout RandomGenerator) -> Bool {
    let input = Matrix(rows: 8, columns: 16, scalars: (0..<128).map { _ in Float(random.normal()) })
    network.model.zeroGradients()
    let output = network.model.forward(input)
    _ = network.model.backward(
      Matrix(rows: output.rows, columns: output.columns, repeating: 1), accumulateParameterGradients: true)
    return network.afterBackward()
  }

  @Test func rigLNetworkKeepsItsSparsityAndChangesTopologyOnSchedule() throws {
    var settings = NetworkSparsity(method: .rigl, sparsity: 0.9)
    settings.updateInterval = 10
    let network = try makeNetwork(settings)
    let cost = network.cost
    #expect(abs(network.currentSparsity - 0.9) < 0.001)
    #expect(cost.activeWeights == network.allocation?.activeCount)
    let before = network.model.maskableLayers.map { $0.layer.weight.pattern }
    var random = RandomGenerator(seed: 2)
    for step in 1...25 {
      #expect(trainStep(network, &random))
      #expect(network.topologyUpdates == step / 10)
    }
    let after = network.model.maskableLayers.map { $0.layer.weight.pattern }
    #expect(before != after)
    #expect(network.cost.activeWeights == cost.activeWeights)
  }

  @Test func denseAndStaticNetworksNeverChange() throws {
    let dense = try makeNetwork(NetworkSparsity())
    #expect(dense.currentSparsity == 0)
    #expect(dense.model.maskableLayers.allSatisfy { !$0.layer.weight.isSparse })
    let fixed = try makeNetwork(NetworkSparsity(method: .static, sparsity: 0.8))
    let pattern = fixed.model.maskableLayers.map { $0.layer.weight.pattern }
    var random = RandomGenerator(seed: 3)
    for _ in 0..<30 { _ = trainStep(fixed, &random) }
    #expect(fixed.model.maskableLayers.map { $0.layer.weight.pattern } == pattern)
    #expect(fixed.topologyUpdates == 0)
  }

  @Test func optimizerStepIsSkippedOnTopologyUpdatesWhenAsked() throws {
    var settings = NetworkSparsity(method: .set, sparsity: 0.5)
    settings.updateInterval = 4
    settings.skipOptimizerStepOnTopologyUpdate = true
    let network = try makeNetwork(settings)
    var random = RandomGenerator(seed: 4)
    let taken = (1...8).map { _ in trainStep(network, &random) }
    #expect(taken == [true, true, true, false, true, true, true, false])
  }

  @Test func archiveRestoresWeightsMasksAndSchedule() throws {
    var settings = NetworkSparsity(method: .rigl, sparsity: 0.8)
    settings.updateInterval = 5
    let original = try makeNetwork(settings)
    var random = RandomGenerator(seed: 5)
    for _ in 0..<7 { _ = trainStep(original, &random) }
    let restored = try makeNetwork(settings, seed: 99)
    try restored.load(BinaryArchive(decoding: original.archive().encoded()))
    #expect(restored.updates == 7)
    #expect(restored.controller.state == original.controller.state)
    var a = RandomGenerator(seed: 6)
    var b = a
    for _ in 0..<6 {
      _ = trainStep(original, &a)
      _ = trainStep(restored, &b)
    }
    for (x, y) in zip(original.model.parameters, restored.model.parameters) {
      #expect(x.value == y.value)
      #expect(x.pattern == y.pattern)
    }
  }

  /// RigL updates interleaved with Adam steps and Polyak target updates: inactive weights are exactly zero in the
  /// dense view of the online and the target network after every step, the target follows the online mask,
  /// grown weights start at zero with zero Adam moments, and weights kept by the update keep their moments.
  @Test func rigLWithAdamAndPolyakTargetsKeepsInactiveWeightsAtZero() throws {
    var settings = NetworkSparsity(method: .rigl, sparsity: 0.9)
    settings.updateInterval = 5
    let network = try makeNetwork(settings)
    let target = network.model.copy()
    let optimizer = Adam(parameters: network.model.parameters, learningRate: 1e-2)
    var random = RandomGenerator(seed: 8)
    var topologyChanges = 0
    for step in 1...30 {
      let before = network.model.maskableLayers.map { $0.layer.weight.activeIndicesAndMoments }
      let takeStep = trainStep(network, &random)
      let after = network.model.maskableLayers.map { $0.layer.weight.activeIndicesAndMoments }
      if step % 5 == 0 {
        for (old, new) in zip(before, after) where old.indices != new.indices {
          topologyChanges += 1
          for (position, flat) in new.indices.enumerated() {
            if let kept = old.indices.firstIndex(of: flat) {
              #expect(new.m[position] == old.m[kept] && new.v[position] == old.v[kept])
            } else {
              #expect(new.values[position] == 0 && new.m[position] == 0 && new.v[position] == 0)
            }
          }
        }
      }
      if takeStep { optimizer.step() }
      TargetUpdate.polyak(target: target, online: network.model, tau: 0.1)
      for ((_, online), (_, copy)) in zip(network.model.maskableLayers, target.maskableLayers) {
        #expect(copy.weight.pattern == online.weight.pattern)
        for (weight, active) in [(online.weight, online.weight.mask), (copy.weight, copy.weight.mask)] {
          let dense = weight.denseValue().scalars
          #expect(zip(dense, active).allSatisfy { value, isActive in isActive || value == 0 })
        }
      }
    }
    #expect(topologyChanges > 0)
  }
}

extension Parameter {
  /// Active flat indices with their values and Adam moments (zeros before the first optimizer step).
  fileprivate var activeIndicesAndMoments: (indices: [Int], values: [Float], m: [Float], v: [Float]) {
    let zeros = [Float](repeating: 0, count: activeCount)
    return (
      pattern?.activeIndices ?? Array(0..<denseCount), value, optimizerState["m"] ?? zeros,
      optimizerState["v"] ?? zeros
    )
  }
}
