#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension BinaryArchive {
  /// Writes the encoding to `path` atomically: to a temporary file in the same directory, flushed with `fsync`,
  /// then renamed over `path`, so a crash leaves either the old file or the complete new one.
  public func write(toFile path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    let bytes = encoded()
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw ArchiveError.io(path: temporary, reason: Self.errnoDescription()) }
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { raw in
        posixWrite(descriptor, raw.baseAddress! + written, bytes.count - written)
      }
      if result < 0 {
        if errno == EINTR { continue }
        let reason = Self.errnoDescription()
        close(descriptor)
        unlink(temporary)
        throw ArchiveError.io(path: temporary, reason: reason)
      }
      written += result
    }
    guard fsync(descriptor) == 0 else {
      let reason = Self.errnoDescription()
      close(descriptor)
      unlink(temporary)
      throw ArchiveError.io(path: temporary, reason: "fsync: " + reason)
    }
    close(descriptor)
    guard rename(temporary, path) == 0 else {
      let reason = Self.errnoDescription()
      unlink(temporary)
      throw ArchiveError.io(path: path, reason: "rename: " + reason)
    }
  }

  /// Reads and decodes the archive stored at `path`.
  public init(contentsOfFile path: String) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw ArchiveError.io(path: path, reason: Self.errnoDescription()) }
    defer { close(descriptor) }
    var data = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw ArchiveError.io(path: path, reason: Self.errnoDescription())
      }
      if count == 0 { break }
      data.append(contentsOf: chunk[0..<count])
    }
    try self.init(decoding: data)
  }

  private static func errnoDescription() -> String {
    String(cString: strerror(errno))
  }
}

/// POSIX `write`, named apart from the archive's own `write(toFile:)`.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
