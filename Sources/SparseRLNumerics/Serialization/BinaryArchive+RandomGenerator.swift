extension ArchiveValue {
  /// A random generator, exactly: its seed followed by its four state words.
  public static func generator(_ generator: RandomGenerator) -> ArchiveValue {
    .uint64s([generator.seed] + generator.state)
  }
}

extension BinaryArchive {
  /// The generator stored under `name` by `ArchiveValue.generator(_:)`.
  public func generator(_ name: String) throws -> RandomGenerator {
    let words = try uint64s(name, count: 5)
    do {
      return try RandomGenerator(seed: words[0], state: Array(words[1...]))
    } catch {
      throw ArchiveError.invalidValue(entry: qualified(name), reason: "\(error)")
    }
  }
}
