/// The MuJoCo family of environments.
public enum MuJoCo {
  /// The registered ids of this family.
  public static var specs: [EnvironmentSpec] { [] }
}
