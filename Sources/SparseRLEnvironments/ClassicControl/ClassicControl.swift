/// The ClassicControl family of environments.
public enum ClassicControl {
  /// The registered ids of this family.
  public static var specs: [EnvironmentSpec] { [] }
}
