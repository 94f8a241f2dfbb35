import SparseRLNumerics
import Testing

@testable import SparseRLNetworks

@Suite struct NetworkArchiveTests {
  func train(_ network: Sequential, _ optimizer: any Optimizer, steps: Int, seed: UInt64) {
    var random = RandomGenerator(seed: seed)
    for _ in 0..<steps {
      let x = Matrix(rows: 4, columns: 6, scalars: (0..<24).map { _ in random.normal(mean: 0, standardDeviation: 1) })
      network.zeroGradients()
      let y = network.forward(x)
      _ = network.backward(y, accumulateParameterGradients: true)
      optimizer.step()
    }
  }

  func bitPatterns(_ network: any Layer) -> [String: [UInt32]] {
    var result: [String: [UInt32]] = [:]
    for (name, p) in network.namedParameters {
      result[name] = p.value.map(\.bitPattern)
      for (key, slot) in p.optimizerState { result[name + "/" + key] = slot.map(\.bitPattern) }
    }
    return result
  }

  @Test func roundTripIsBitExactAndResumesIdentically() throws {
    let network = makeNetwork(seed: 50)
    let optimizer = AdamW(parameters: network.parameters, learningRate: 3e-3, weightDecay: 0.01)
    train(network, optimizer, steps: 5, seed: 1)
    optimizer.learningRate = 1.25e-3
    let bytes = TrainingStateArchive.archive(network: network, optimizer: optimizer).encoded()

    // A different network of the same architecture (other values and other sparsity patterns).
    let restored = makeNetwork(seed: 51)
    let restoredOptimizer = AdamW(parameters: restored.parameters)
    try TrainingStateArchive.load(try BinaryArchive(decoding: bytes), network: restored, optimizer: restoredOptimizer)

    #expect(bitPatterns(restored) == bitPatterns(network))
    for (a, b) in zip(network.parameters, restored.parameters) { #expect(a.pattern == b.pattern) }
    #expect(restoredOptimizer.stepCount == 5 && restoredOptimizer.learningRate == 1.25e-3)
    #expect(restoredOptimizer.weightDecay == 0.01)

    train(network, optimizer, steps: 3, seed: 2)
    train(restored, restoredOptimizer, steps: 3, seed: 2)
    #expect(bitPatterns(restored) == bitPatterns(network))
  }

  /// Small layers store 16-bit indices; archives from before sized indices (32-bit everywhere) load to the
  /// same network; a layer wider than 65,536 columns keeps 32-bit column indices.
  @Test func indexWidthsAreSizedAndLegacyArchivesLoad() throws {
    let network = makeNetwork(seed: 60)
    let archive = NetworkArchive.archive(of: network)
    let fc = try archive.archive("2.fc1.weight")
    let pattern = network.pattern(named: "2.fc1.weight")!
    #expect(try fc.uint16s("columnIndex").map(Int32.init) == pattern.columnIndex)
    #expect(try fc.uint16s("rowStart").map(Int32.init) == pattern.rowStart)
    var legacy = archive
    for (name, parameter) in network.namedParameters {
      guard let pattern = parameter.pattern else { continue }
      var entry = try legacy.archive(name)
      entry["rowStart"] = .int32s(pattern.rowStart)
      entry["columnIndex"] = .int32s(pattern.columnIndex)
      legacy[name] = .archive(entry)
    }
    let restored = makeNetwork(seed: 61)
    try NetworkArchive.load(try BinaryArchive(decoding: legacy.encoded()), into: restored)
    #expect(bitPatterns(restored) == bitPatterns(network))
    for (a, b) in zip(network.parameters, restored.parameters) { #expect(a.pattern == b.pattern) }

    let wide = SparsePattern(rows: 2, columns: 70_000, activeIndices: [5, 69_999, 70_000 + 65_536])
    var entry = BinaryArchive()
    SparseStorageLayout.encode(wide, into: &entry)
    #expect(try entry.int32s("columnIndex") == [5, 69_999, 65_536])
    #expect(try entry.uint16s("rowStart") == [0, 2, 3])
    #expect(try SparseStorageLayout.decode(entry, rows: 2, columns: 70_000) == wide)
  }

  @Test func rejectsAnotherArchitectureWithoutChangingTheNetwork() throws {
    let network = makeNetwork(seed: 52)
    let archive = NetworkArchive.archive(of: network)
    var random = RandomGenerator(seed: 3)
    let wider = Sequential(Linear(inFeatures: 4, outFeatures: 7, random: &random))
    let before = bitPatterns(wider)
    #expect(throws: ArchiveError.self) { try NetworkArchive.load(archive, into: wider) }
    #expect(bitPatterns(wider) == before)

    // Same names, wrong shape (the output layer's 3x6 weight saved under the first layer's name).
    let small = Sequential(Linear(inFeatures: 4, outFeatures: 6, random: &random))
    var renamed = BinaryArchive()
    var weight = try archive.archive("4.weight")
    weight["value"] = .floats([Float](repeating: 0, count: 24))
    weight["rowStart"] = nil
    weight["columnIndex"] = nil
    renamed["0.weight"] = .archive(weight)
    renamed["0.bias"] = .archive(try archive.archive("0.bias"))
    #expect(throws: ArchiveError.shapeMismatch(entry: "0.weight", expected: "6x4", found: "3x6")) {
      try NetworkArchive.load(renamed, into: small)
    }
    // A missing parameter is named by its path.
    var partial = NetworkArchive.archive(of: small)
    partial["0.bias"] = nil
    #expect(throws: ArchiveError.missingEntry("0.bias")) { try NetworkArchive.load(partial, into: small) }
    // An invalid pattern is rejected, not trapped on.
    var badPattern = NetworkArchive.archive(of: network)
    var fc = try badPattern.archive("2.fc1.weight")
    var columnIndex = try fc.uint16s("columnIndex")
    columnIndex[0] = 99
    fc["columnIndex"] = .uint16s(columnIndex)
    badPattern["2.fc1.weight"] = .archive(fc)
    #expect(throws: ArchiveError.self) { try NetworkArchive.load(badPattern, into: makeNetwork(seed: 53)) }
  }

  @Test func optimizerKindIsChecked() throws {
    let network = makeNetwork(seed: 54)
    let archive = TrainingStateArchive.archive(
      network: network, optimizer: SGD(parameters: network.parameters, learningRate: 0.1))
    let adam = Adam(parameters: network.parameters)
    #expect(throws: ArchiveError.invalidValue(entry: "optimizer.kind", reason: "saved by SGD, loading into Adam")) {
      try TrainingStateArchive.load(archive, network: network, optimizer: adam)
    }
  }
}
