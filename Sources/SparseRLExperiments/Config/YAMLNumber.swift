/// How the resolved `config.yaml` writes a number: the way people write it (`0.99`, `0.005`, `3e-4` becomes
/// `0.0003`, `1.0`, `1.0e-5`), as the shortest decimal that reads back as exactly the same `Double`, in a form
/// that every YAML reader takes for a float.
///
/// The digits are Swift's shortest round-trip representation (`Double.description`); only its exponent is
/// tidied. Scientific notation appears where `description` uses it, for magnitudes below 1e-4 and from 2^53 up,
/// and is written as YAML 1.1 (PyYAML) requires of a float: a dot in the mantissa and a signed exponent
/// (`1e-05` -> `1.0e-5`, `1e+16` -> `1.0e+16`; YAML 1.1 reads `1e-5` as a string). Non-finite values are spelled
/// as YAML spells them (`.inf`, `-.inf`, `.nan`).
enum YAMLNumber {
  /// The YAML text of `value`.
  static func text(_ value: Double) -> String {
    if value.isNaN { return ".nan" }
    if value.isInfinite { return value > 0 ? ".inf" : "-.inf" }
    let shortest = value.description
    guard let marker = shortest.firstIndex(of: "e") else { return shortest }
    let mantissa = shortest[..<marker].contains(".") ? String(shortest[..<marker]) : shortest[..<marker] + ".0"
    var exponent = shortest[shortest.index(after: marker)...]
    var sign = "+"
    if let first = exponent.first, first == "-" || first == "+" {
      if first == "-" { sign = "-" }
      exponent = exponent.dropFirst()
    }
    let digits = exponent.drop { $0 == "0" }
    return "\(mantissa)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
  }
}
