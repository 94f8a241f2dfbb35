import SparseRLNumerics

extension ReplayBuffer {
  /// The stored contents (only the live slots, oldest first) and ring positions, for checkpoints.
  public func archive() -> BinaryArchive {
    var archive = BinaryArchive()
    archive["capacity"] = .int(capacity)
    archive["observation_width"] = .int(observationWidth)
    archive["action_width"] = .int(actionWidth)
    archive["encoding"] = .string(observations.encoding.rawValue)
    archive["stores_policy_actions"] = .bool(storesPolicyActions)
    archive["start"] = .int(start)
    archive["end"] = .int(end)
    archive["continuing"] = .bool(continuing)
    archive["count"] = .int(count)
    let slots = (start..<end).map { $0 % storageSlots }
    let rowWidth = observations.encoding == .bit ? observations.wordsPerRow : observationWidth
    switch observations.encoding {
    case .float: archive["observations"] = .floats(Self.gather(observations.floats, slots, rowWidth))
    case .byte: archive["observations"] = .bytes(Self.gather(observations.bytes, slots, rowWidth))
    case .bit: archive["observations"] = .uint64s(Self.gather(observations.words, slots, rowWidth))
    case .frames: observations.frames!.archive(slots, into: &archive)
    }
    archive["actions"] = .floats(Self.gather(actions, slots, actionWidth))
    if storesPolicyActions { archive["policy_actions"] = .floats(Self.gather(policyActions, slots, actionWidth)) }
    archive["rewards"] = .floats(Self.gather(rewards, slots, 1))
    archive["flags"] = .bytes(slots.map { flags[$0].rawValue })
    return archive
  }

  /// Restores what `archive()` saved into a buffer of the same capacity, widths and encoding, in a storage of
  /// as many slots as were saved (at least two).
  public func load(_ archive: BinaryArchive) throws {
    func expect<T: Equatable>(_ name: String, _ found: T, _ expected: T) throws {
      guard found == expected else {
        throw ArchiveError.invalidValue(
          entry: archive.qualified(name), reason: "saved \(found), this buffer has \(expected)")
      }
    }
    try expect("capacity", try archive.int("capacity"), capacity)
    try expect("observation_width", try archive.int("observation_width"), observationWidth)
    try expect("action_width", try archive.int("action_width"), actionWidth)
    try expect("encoding", try archive.string("encoding"), observations.encoding.rawValue)
    try expect("stores_policy_actions", try archive.bool("stores_policy_actions"), storesPolicyActions)
    let newStart = try archive.int("start")
    let newEnd = try archive.int("end")
    guard newStart >= 0, newEnd >= newStart, newEnd - newStart <= capacity else {
      throw ArchiveError.invalidValue(
        entry: archive.qualified("end"), reason: "invalid ring range \(newStart)..<\(newEnd)")
    }
    let live = newEnd - newStart
    let ring = min(capacity, max(2, live))
    let slots = (newStart..<newEnd).map { $0 % ring }
    let rowWidth = observations.encoding == .bit ? observations.wordsPerRow : observationWidth
    // Read and check every entry before changing anything, so a failed load leaves the buffer as it was.
    let savedFloats = observations.encoding == .float ? try archive.floats("observations", count: live * rowWidth) : []
    let savedBytes = observations.encoding == .byte ? try archive.bytes("observations", count: live * rowWidth) : []
    let savedWords = observations.encoding == .bit ? try archive.uint64s("observations", count: live * rowWidth) : []
    let savedFrames =
      observations.encoding == .frames
      ? try FrameStackStorage.load(
        archive, slots: slots, stack: observations.stack, width: observationWidth, capacity: ring) : nil
    let savedActions = try archive.floats("actions", count: live * actionWidth)
    let savedPolicyActions = storesPolicyActions ? try archive.floats("policy_actions", count: live * actionWidth) : []
    let savedRewards = try archive.floats("rewards", count: live)
    let savedFlags = try archive.bytes("flags", count: live)
    let savedContinuing = try archive.bool("continuing")
    let savedCount = try archive.int("count")
    guard savedCount == savedFlags.filter({ Flags(rawValue: $0).contains(.hasTransition) }).count else {
      throw ArchiveError.invalidValue(
        entry: archive.qualified("count"), reason: "\(savedCount) does not match the stored transitions")
    }
    var restored = ObservationStorage(
      width: observationWidth, capacity: ring, encoding: observations.encoding, stack: observations.stack)
    switch observations.encoding {
    case .float: Self.scatter(savedFloats, slots, rowWidth, into: &restored.floats)
    case .byte: Self.scatter(savedBytes, slots, rowWidth, into: &restored.bytes)
    case .bit: Self.scatter(savedWords, slots, rowWidth, into: &restored.words)
    case .frames: restored.frames = savedFrames
    }
    observations = restored
    storageSlots = ring
    actions = [Float](repeating: 0, count: ring * actionWidth)
    Self.scatter(savedActions, slots, actionWidth, into: &actions)
    policyActions = storesPolicyActions ? [Float](repeating: 0, count: ring * actionWidth) : []
    if storesPolicyActions { Self.scatter(savedPolicyActions, slots, actionWidth, into: &policyActions) }
    rewards = [Float](repeating: 0, count: ring)
    Self.scatter(savedRewards, slots, 1, into: &rewards)
    flags = [Flags](repeating: [], count: ring)
    for (slot, raw) in zip(slots, savedFlags) { flags[slot] = Flags(rawValue: raw) }
    start = newStart
    end = newEnd
    continuing = savedContinuing
    count = savedCount
  }

  private static func gather<T>(_ source: [T], _ slots: [Int], _ width: Int) -> [T] {
    var result: [T] = []
    result.reserveCapacity(slots.count * width)
    for slot in slots { result += source[(slot * width)..<((slot + 1) * width)] }
    return result
  }

  private static func scatter<T>(_ values: [T], _ slots: [Int], _ width: Int, into destination: inout [T]) {
    for (k, slot) in slots.enumerated() {
      for j in 0..<width { destination[slot * width + j] = values[k * width + j] }
    }
  }
}
