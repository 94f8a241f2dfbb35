import Testing

@testable import SparseRLNumerics

@Test func randomGeneratorRestoresExactly() throws {
  var a = RandomGenerator(seed: 42)
  _ = (0..<10).map { _ in a.next() }
  var b = try RandomGenerator(seed: a.seed, state: a.state)
  #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
  var env = a.stream("env")
  var replay = a.stream("replay")
  #expect(env.next() != replay.next())
}
