/// A hierarchical wall-clock profile of named phases, for `sparserl bench agents --profile`.
///
/// Code marks a phase with `Profiler.measure("optimizer") { ... }`; phases nest, so the same label under
/// different parents is a different entry (`update/critic1 forward/0 Linear 23x256`). When `isEnabled` is false
/// (the default) `measure` only runs its body: one load of a global flag, no clock read, no allocation, so
/// the marks can stay in training code. When enabled, each call reads the clock twice and looks its label up
/// in its parent's children (a dictionary), which allocates: profile and count allocations in separate passes.
///
/// Not thread-safe: only the thread that runs the training loop may measure (kernel worker threads never do).
public enum Profiler {
  /// One phase of the profile: its path of labels from the root, its call count and total time.
  public struct Entry: Sendable {
    /// Labels from the outermost phase to this one.
    public let path: [String]
    /// How many times the phase ran.
    public let calls: Int
    /// Total wall-clock time inside the phase (its sub-phases included), in seconds.
    public let seconds: Double
  }

  private final class Node {
    let label: String
    var children: [String: Int] = [:]
    var order: [Int] = []
    var calls = 0
    var nanoseconds: Int64 = 0
    init(label: String) { self.label = label }
  }

  nonisolated(unsafe) private static var enabled = false
  nonisolated(unsafe) private static var nodes = [Node(label: "")]
  nonisolated(unsafe) private static var current = 0
  nonisolated(unsafe) private static var labels: [ObjectIdentifier: (object: AnyObject, label: String)] = [:]

  /// Whether `measure` records. Set it from the training thread, between steps.
  public static var isEnabled: Bool {
    get { enabled }
    set { enabled = newValue }
  }

  /// Runs `body`, adding its duration to the phase `label` under the innermost running phase when enabled.
  @inline(__always) @discardableResult
  public static func measure<Result>(_ label: @autoclosure () -> String, _ body: () throws -> Result) rethrows
    -> Result
  {
    guard enabled else { return try body() }
    return try record(label(), body)
  }

  private static func record<Result>(_ label: String, _ body: () throws -> Result) rethrows -> Result {
    let parent = current
    let index: Int
    if let existing = nodes[parent].children[label] {
      index = existing
    } else {
      index = nodes.count
      nodes.append(Node(label: label))
      nodes[parent].children[label] = index
      nodes[parent].order.append(index)
    }
    current = index
    let start = ContinuousClock.now
    defer {
      let elapsed = ContinuousClock.now - start
      let parts = elapsed.components
      nodes[index].nanoseconds += parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
      nodes[index].calls += 1
      current = parent
    }
    return try body()
  }

  /// Forgets every recorded phase and every label.
  public static func reset() {
    nodes = [Node(label: "")]
    current = 0
    labels = [:]
  }

  /// Names `object` (a network) for the profile; `label(for:)` returns it until `reset()`.
  public static func setLabel(_ label: String, for object: AnyObject) {
    labels[ObjectIdentifier(object)] = (object, label)
  }

  /// The label given to `object` with `setLabel`, or `nil`.
  public static func label(for object: AnyObject) -> String? { labels[ObjectIdentifier(object)]?.label }

  /// Every recorded phase, depth first, children in the order they first ran.
  public static func entries() -> [Entry] {
    var result: [Entry] = []
    func visit(_ index: Int, _ path: [String]) {
      for child in nodes[index].order {
        let node = nodes[child]
        let childPath = path + [node.label]
        result.append(Entry(path: childPath, calls: node.calls, seconds: Double(node.nanoseconds) * 1e-9))
        visit(child, childPath)
      }
    }
    visit(0, [])
    return result
  }
}
