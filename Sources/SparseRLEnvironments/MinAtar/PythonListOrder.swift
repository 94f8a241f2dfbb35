/// Helpers that reproduce how the reference's Python loops walk and shrink lists, where that is observable.
///
/// The reference iterates `for item in reversed(list)` and, inside the loop, mutates `item` in place and removes
/// elements with `list.remove(value)`, which deletes the first element *equal* to `value`. CPython's reversed
/// iterator visits indices `count-1, count-2, ...` and stops once the index is outside the list. When an earlier
/// element equal to the visited one is removed, the visited element shifts down one place and is visited again.
/// `ReversedVisit` tracks where the visited element is so that a loop written with it behaves exactly the same.
struct ReversedVisit {
  /// The next index to visit.
  private var next: Int
  /// The index of the element being visited, or `nil` once it left the list.
  private(set) var current: Int?

  init(count: Int) {
    next = count - 1
    current = nil
  }

  /// Moves to the next element of a list that now has `count` elements; `false` when the loop is over.
  mutating func advance(count: Int) -> Bool {
    guard next >= 0 && next < count else { return false }
    current = next
    next -= 1
    return true
  }

  /// Python's `list.remove(value)` on the list being visited, keeping track of the visited element.
  mutating func remove<Element: Equatable>(_ value: Element, from list: inout [Element]) {
    let removed = list.removeFirstEqual(to: value)
    if let visited = current {
      if removed == visited {
        current = nil
      } else if removed < visited {
        current = visited - 1
      }
    }
  }
}

extension Array where Element: Equatable {
  /// Python's `list.remove(value)`: removes the first element equal to `value` and returns its former index.
  /// `value` must be in the list.
  @discardableResult
  mutating func removeFirstEqual(to value: Element) -> Int {
    guard let index = firstIndex(of: value) else {
      preconditionFailure("list.remove(x): x not in list")
    }
    remove(at: index)
    return index
  }
}
