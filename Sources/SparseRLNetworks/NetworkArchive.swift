import SparseRLNumerics

/// Saving and restoring a network's parameters, sparsity patterns and per-element optimizer state as a
/// `BinaryArchive`, bit-exactly.
///
/// Layout: one nested archive per parameter, named by its dotted path (`0.weight`), with entries `rows`,
/// `columns` (`Int`), `value` (`[Float]`, stored entries), for a sparse parameter `rowStart` and `columnIndex`
/// (CSR, index widths sized to the layer as `SparseStorageLayout` says: `[UInt16]` or `[Int32]`), and `state`,
/// a nested archive of the optimizer slots (`[Float]` each). Gradients are transient and not saved (loading
/// zeroes them). Archives written before index widths were sized (`[Int32]` everywhere) load unchanged.
public enum NetworkArchive {
  /// The archive of `network`'s parameters.
  public static func archive(of network: any Layer) -> BinaryArchive {
    var archive = BinaryArchive()
    for (name, parameter) in network.namedParameters {
      var entry = BinaryArchive()
      entry["rows"] = .int(parameter.rows)
      entry["columns"] = .int(parameter.columns)
      entry["value"] = .floats(parameter.value)
      if let pattern = parameter.pattern { SparseStorageLayout.encode(pattern, into: &entry) }
      var state = BinaryArchive()
      for (key, slot) in parameter.optimizerState { state[key] = .floats(slot) }
      entry["state"] = .archive(state)
      archive[name] = .archive(entry)
    }
    return archive
  }

  /// Restores `network`'s parameters from `archive`. Everything is validated before anything changes, so a
  /// failed load leaves the network untouched. Throws on a missing or unexpected parameter, a shape or length
  /// mismatch, or an invalid pattern.
  public static func load(_ archive: BinaryArchive, into network: any Layer) throws {
    let named = network.namedParameters
    let expected = Set(named.map(\.name))
    if let extra = archive.names.first(where: { !expected.contains($0) }) {
      throw ArchiveError.invalidValue(entry: archive.qualified(extra), reason: "the network has no such parameter")
    }
    var decoded: [(Parameter, SparsePattern?, [Float], [String: [Float]])] = []
    for (name, parameter) in named {
      let entry = try archive.archive(name)
      let rows = try entry.int("rows")
      let columns = try entry.int("columns")
      guard rows == parameter.rows && columns == parameter.columns else {
        throw ArchiveError.shapeMismatch(
          entry: entry.path, expected: "\(parameter.rows)x\(parameter.columns)", found: "\(rows)x\(columns)")
      }
      var pattern: SparsePattern? = nil
      if entry.contains("rowStart") || entry.contains("columnIndex") {
        pattern = try SparseStorageLayout.decode(entry, rows: rows, columns: columns)
      }
      let count = pattern?.nonzeroCount ?? rows * columns
      let value = try entry.floats("value", count: count)
      let stateArchive = try entry.archive("state")
      var state: [String: [Float]] = [:]
      for key in stateArchive.names { state[key] = try stateArchive.floats(key, count: count) }
      decoded.append((parameter, pattern, value, state))
    }
    for (parameter, pattern, value, state) in decoded {
      if let pattern { parameter.setPattern(pattern) } else { parameter.makeDense() }
      parameter.value = value
      parameter.optimizerState = state
      parameter.zeroGradient()
    }
    for (_, layer) in network.maskableLayers { layer.weightPatternDidChange() }
  }
}

/// A network and its optimizer saved together: entries `parameters` (see `NetworkArchive`) and `optimizer`
/// (the optimizer's `archive()`).
public enum TrainingStateArchive {
  /// The archive of a network and, optionally, its optimizer.
  public static func archive(network: any Layer, optimizer: (any Optimizer)?) -> BinaryArchive {
    var archive = BinaryArchive()
    archive["parameters"] = .archive(NetworkArchive.archive(of: network))
    if let optimizer { archive["optimizer"] = .archive(optimizer.archive()) }
    return archive
  }

  /// Restores a network and, optionally, its optimizer's scalars. Validates the optimizer entry first.
  public static func load(_ archive: BinaryArchive, network: any Layer, optimizer: (any Optimizer)?) throws {
    let parameters = try archive.archive("parameters")
    if let optimizer {
      let saved = try archive.archive("optimizer")
      let backup = optimizer.archive()
      try optimizer.load(from: saved)
      do { try NetworkArchive.load(parameters, into: network) } catch {
        try optimizer.load(from: backup)
        throw error
      }
    } else {
      try NetworkArchive.load(parameters, into: network)
    }
  }
}
