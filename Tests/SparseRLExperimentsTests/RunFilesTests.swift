import Foundation
import Testing

@testable import SparseRLExperiments

private func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("sparserl-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// A toy payload format for the store tests: bytes followed by their sum modulo 256.
private func encode(_ bytes: [UInt8]) -> [UInt8] { bytes + [bytes.reduce(0, &+)] }
private struct BadChecksum: Error {}
private func decode(_ bytes: [UInt8]) throws -> [UInt8] {
  guard let last = bytes.last, bytes.dropLast().reduce(0, &+) == last else { throw BadChecksum() }
  return Array(bytes.dropLast())
}

@Suite struct RunFilesTests {
  @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
    let folder = try temporaryFolder()
    let file = folder.appendingPathComponent("a.txt")
    try AtomicFile.write("first", to: file)
    try AtomicFile.write("second", to: file)
    #expect(try String(contentsOf: file, encoding: .utf8) == "second")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.txt"])
    #expect(throws: AtomicFile.Failure.self) {
      try AtomicFile.write("x", to: folder.appendingPathComponent("missing/b.txt"))
    }
  }

  @Test func checkpointStoreKeepsNewestAndFallsBackPastCorruptFiles() throws {
    let folder = try temporaryFolder()
    let store = CheckpointStore(folder: folder, keep: 3)
    for step in [100, 200, 300, 400] { try store.save(encode([UInt8(step / 100), 7]), step: step) }
    #expect(store.steps() == [200, 300, 400])
    // Corrupt the newest (flip a byte) and truncate the second newest.
    let newest = folder.appendingPathComponent(CheckpointStore.fileName(step: 400))
    var bytes = try [UInt8](Data(contentsOf: newest))
    bytes[0] ^= 0xFF
    try Data(bytes).write(to: newest)
    let second = folder.appendingPathComponent(CheckpointStore.fileName(step: 300))
    try Data([3]).write(to: second)
    var rejected: [String] = []
    let loaded = store.loadNewest(decode: decode, onRejected: { url, _ in rejected.append(url.lastPathComponent) })
    #expect(loaded?.step == 200)
    #expect(loaded?.value == [2, 7])
    #expect(rejected == [CheckpointStore.fileName(step: 400), CheckpointStore.fileName(step: 300)])
  }

  @Test func metricsCSVAppendsTruncatesAndFormatsStably() throws {
    let folder = try temporaryFolder()
    let url = folder.appendingPathComponent("train.csv")
    do {
      let csv = try MetricsCSV(url: url, columns: ["return", "loss"])
      try csv.append(step: 10, values: ["return": 1.5])
      try csv.append(step: 20, values: ["return": 2, "loss": 0.1])
      try csv.append(step: 30, values: ["loss": .nan])
    }
    #expect(try String(contentsOf: url, encoding: .utf8) == "step,return,loss\n10,1.5,\n20,2,0.1\n30,,nan\n")
    try MetricsCSV.truncate(url: url, toRowsThrough: 20)
    let reopened = try MetricsCSV(url: url, columns: ["return", "loss"])
    try reopened.append(step: 40, values: ["return": -0.25])
    #expect(try String(contentsOf: url, encoding: .utf8) == "step,return,loss\n10,1.5,\n20,2,0.1\n40,-0.25,\n")
    #expect(throws: AtomicFile.Failure.self) { try MetricsCSV(url: url, columns: ["other"]) }
  }

  @Test func progressFormatsDurationsAndNumbers() {
    #expect(ProgressReporter.duration(12.4) == "12s")
    #expect(ProgressReporter.duration(65) == "1m05s")
    #expect(ProgressReporter.duration(7380) == "2h03m")
    #expect(ProgressReporter.duration(.infinity) == "?")
    #expect(ProgressReporter.short(1234.6) == "1235")
    #expect(ProgressReporter.short(0.012345) == "0.0123")
  }
}

/// Two writers of one run or one study: the second is refused with the holder's process id, nothing is written,
/// and the lock is free again once released (the kernel also frees it when the holder dies).
@Suite struct ExclusiveLockTests {
  @Test func aSecondTrainerOfOneRunIsRefusedUntilTheFirstReleases() throws {
    let run = try RunDirectory.create(at: try temporaryFolder().appendingPathComponent("run"))
    let first = try run.lock()
    #expect(try String(contentsOf: run.lockFile, encoding: .utf8) == "\(ProcessInfo.processInfo.processIdentifier)\n")
    do {
      _ = try run.lock()
      Issue.record("a second lock of one run was granted")
    } catch let busy as ExclusiveLock.Busy {
      #expect(
        busy.description.contains(
          "process \(ProcessInfo.processInfo.processIdentifier) is already training \(run.url.path)"))
    }
    first.release()
    #expect(try String(contentsOf: run.lockFile, encoding: .utf8) == "")
    let again = try run.lock()
    again.release()
    // What a trainer killed before writing anything leaves does not make the folder "not empty".
    _ = try RunDirectory.create(at: run.url)
  }

  @Test func aSecondSweepOfOneStudyIsRefused() throws {
    let study = StudyDirectory(url: try temporaryFolder().appendingPathComponent("study"))
    let first = try study.lock()
    #expect(throws: ExclusiveLock.Busy.self) { _ = try study.lock() }
    first.release()
    _ = try study.lock()
  }
}
