/// The SparseRL release version, printed by `sparserl --version` and written into every run record.
public let sparseRLVersion = "0.1.0"
