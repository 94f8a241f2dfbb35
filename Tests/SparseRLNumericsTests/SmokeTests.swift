import Testing

@testable import SparseRLNumerics

@Test func randomGeneratorRestoresExactly() throws {
  var a = RandomGenerator(seed: 42)
  _ = (0..<10).map { _ in a.next() }
  var b = try RandomGenerator(seed: a.seed, state: a.state)
  #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
  #expect(a.stream("env").next() != a.stream("replay").next())
}
