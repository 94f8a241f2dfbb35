/// The MinAtar family of environments.
public enum MinAtar {
  /// The registered ids of this family.
  public static var specs: [EnvironmentSpec] { [] }
}
