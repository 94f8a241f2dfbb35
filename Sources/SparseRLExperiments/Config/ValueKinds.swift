/// The kind of value a configuration key holds, read from the Swift type of its default.
enum ValueKind: Equatable {
  case integer, number, boolean, text
}

/// Records the kind of every scalar of an `Encodable` value by its dotted key path (list elements under `[]`),
/// so that `ConfigTree` type-checks user values against the Swift types rather than against the text of the
/// defaults (YAML writes the Double 0.0 as `0`, which would read back as an integer).
final class ValueKindRecorder: Encoder {
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] = [:]
  private(set) var kinds: [String: ValueKind] = [:]
  private let prefix: [String]

  init(prefix: [String] = [], sharing parent: ValueKindRecorder? = nil) {
    self.prefix = prefix
    self.root = parent?.root ?? nil
  }

  private weak var root: ValueKindRecorder?
  private var owner: ValueKindRecorder { root ?? self }

  /// The kinds of every scalar in `value`, by snake_case dotted path.
  static func kinds<T: Encodable>(of value: T) throws -> [String: ValueKind] {
    let recorder = ValueKindRecorder()
    try value.encode(to: recorder)
    return recorder.kinds
  }

  fileprivate func record(_ path: [String], _ kind: ValueKind) {
    owner.kinds[path.joined(separator: ".")] = kind
  }

  fileprivate func child(_ path: [String]) -> ValueKindRecorder {
    let child = ValueKindRecorder(prefix: path, sharing: nil)
    child.root = owner
    return child
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    KeyedEncodingContainer(KeyedRecorder<Key>(recorder: self, path: prefix))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedRecorder(recorder: self, path: prefix + ["[]"]) }

  func singleValueContainer() -> any SingleValueEncodingContainer { SingleRecorder(recorder: self, path: prefix) }
}

private func kind<T>(of type: T.Type) -> ValueKind? {
  switch type {
  case is Bool.Type: .boolean
  case is String.Type: .text
  case is Double.Type, is Float.Type: .number
  case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type, is UInt.Type, is UInt8.Type,
    is UInt16.Type, is UInt32.Type, is UInt64.Type:
    .integer
  default: nil
  }
}

private func snake(_ key: any CodingKey) -> String { ConfigTree.snakeCase(key.stringValue) }

private struct KeyedRecorder<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let recorder: ValueKindRecorder
  let path: [String]
  var codingPath: [any CodingKey] { [] }
  mutating func encodeNil(forKey key: Key) {}
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    let keyPath = path + [snake(key)]
    if let kind = kind(of: T.self) {
      recorder.record(keyPath, kind)
    } else {
      try value.encode(to: recorder.child(keyPath))
    }
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    KeyedEncodingContainer(KeyedRecorder<NestedKey>(recorder: recorder, path: path + [snake(key)]))
  }
  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    UnkeyedRecorder(recorder: recorder, path: path + [snake(key), "[]"])
  }
  mutating func superEncoder() -> any Encoder { recorder.child(path) }
  mutating func superEncoder(forKey key: Key) -> any Encoder { recorder.child(path + [snake(key)]) }
}

private struct UnkeyedRecorder: UnkeyedEncodingContainer {
  let recorder: ValueKindRecorder
  let path: [String]
  var codingPath: [any CodingKey] { [] }
  var count = 0
  mutating func encodeNil() { count += 1 }
  mutating func encode<T: Encodable>(_ value: T) throws {
    count += 1
    if let kind = kind(of: T.self) { recorder.record(path, kind) } else { try value.encode(to: recorder.child(path)) }
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    KeyedEncodingContainer(KeyedRecorder<NestedKey>(recorder: recorder, path: path))
  }
  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    UnkeyedRecorder(recorder: recorder, path: path + ["[]"])
  }
  mutating func superEncoder() -> any Encoder { recorder.child(path) }
}

private struct SingleRecorder: SingleValueEncodingContainer {
  let recorder: ValueKindRecorder
  let path: [String]
  var codingPath: [any CodingKey] { [] }
  mutating func encodeNil() {}
  mutating func encode<T: Encodable>(_ value: T) throws {
    if let kind = kind(of: T.self) { recorder.record(path, kind) } else { try value.encode(to: recorder.child(path)) }
  }
}
