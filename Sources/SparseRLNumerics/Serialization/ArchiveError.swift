/// Why an archive could not be decoded or an entry could not be read. Every case names the problem and, where
/// it has one, the entry (by its dotted path) or the byte offset.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
  /// The data does not start with the archive's magic bytes: it is not a SparseRL archive.
  case badMagic(found: [UInt8])
  /// The archive was written in a format version this build cannot read.
  case unsupportedVersion(found: UInt32, supported: UInt32)
  /// The payload's CRC32C differs from the stored one: the data is corrupted.
  case checksumMismatch(stored: UInt32, computed: UInt32)
  /// The data ends before a field that needs `needed` bytes at offset `offset` (`what` says which field).
  case truncated(atByte: Int, needed: Int, available: Int, what: String)
  /// Bytes follow the end of the declared payload.
  case trailingBytes(count: Int)
  /// An entry type tag that this version does not know.
  case unknownEntryType(tag: UInt8, entry: String, atByte: Int)
  /// A string (entry name or value) that is not valid UTF-8.
  case invalidString(atByte: Int)
  /// Two entries with the same name at one level.
  case duplicateEntry(String)
  /// A required entry is absent.
  case missingEntry(String)
  /// An entry exists with a different type than requested.
  case typeMismatch(entry: String, expected: String, found: String)
  /// An entry has the right type but not the expected size or shape.
  case shapeMismatch(entry: String, expected: String, found: String)
  /// An entry holds a value that is not acceptable (for example an unknown kind name).
  case invalidValue(entry: String, reason: String)
  /// Reading or writing the file failed.
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .badMagic(let found):
      return "not a SparseRL archive: bad magic bytes \(found.map { String($0, radix: 16) })"
    case .unsupportedVersion(let found, let supported):
      return "unsupported archive format version \(found) (this build reads version \(supported))"
    case .checksumMismatch(let stored, let computed):
      return "archive checksum mismatch: stored CRC32C \(hex(stored)), computed \(hex(computed)); the data is corrupted"
    case .truncated(let offset, let needed, let available, let what):
      return "archive truncated at byte \(offset): \(what) needs \(needed) bytes, \(available) available"
    case .trailingBytes(let count):
      return "archive has \(count) unexpected bytes after its payload"
    case .unknownEntryType(let tag, let entry, let offset):
      return "unknown entry type tag \(tag) for entry '\(entry)' at byte \(offset)"
    case .invalidString(let offset):
      return "invalid UTF-8 string at byte \(offset)"
    case .duplicateEntry(let name):
      return "duplicate archive entry '\(name)'"
    case .missingEntry(let name):
      return "missing archive entry '\(name)'"
    case .typeMismatch(let entry, let expected, let found):
      return "archive entry '\(entry)' has type \(found), expected \(expected)"
    case .shapeMismatch(let entry, let expected, let found):
      return "shape mismatch for archive entry '\(entry)': expected \(expected), found \(found)"
    case .invalidValue(let entry, let reason):
      return "invalid value for archive entry '\(entry)': \(reason)"
    case .io(let path, let reason):
      return "archive I/O error on '\(path)': \(reason)"
    }
  }

  private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
