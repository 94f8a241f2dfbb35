import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the MuJoCo runtime lives: the folder `scripts/setup-mujoco.sh` fills.
///
/// Layout: `lib/libsparserl_mujoco.so` (the C shim of `scripts/mujoco/sparserl_mujoco.c`, which finds
/// `lib/libmujoco.so.<version>` next to itself) and `assets/` (Gymnasium's model XML files).
/// The folder is `$SPARSERL_MUJOCO_HOME` when that is set, else `.mujoco` in the package root (located from
/// this source file's path at build time).
public struct MuJoCoInstallation: Equatable, Sendable {
  /// The shell command that installs the runtime.
  public static let setupCommand = "scripts/setup-mujoco.sh"

  /// The folder holding `lib/` and `assets/`.
  public let home: URL

  /// An installation in `home` (not checked until loaded).
  public init(home: URL) { self.home = home }

  /// The installation the process environment selects (see `init(environment:)`).
  public static var `default`: MuJoCoInstallation {
    MuJoCoInstallation(environment: ProcessInfo.processInfo.environment)
  }

  /// The installation `environment` selects: `SPARSERL_MUJOCO_HOME` when set and not empty, else `.mujoco` in
  /// the package root.
  public init(environment: [String: String]) {
    if let path = environment["SPARSERL_MUJOCO_HOME"], !path.isEmpty {
      self.init(home: URL(fileURLWithPath: path))
    } else {
      self.init(home: Self.packageRoot.appendingPathComponent(".mujoco"))
    }
  }

  /// The package root (four levels above this file: MuJoCo, SparseRLEnvironments, Sources).
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The shim library.
  public var shimPath: URL { home.appendingPathComponent("lib/libsparserl_mujoco.so") }

  /// The model file called `name` (e.g. `half_cheetah.xml`).
  public func modelPath(_ name: String) -> URL {
    home.appendingPathComponent("assets").appendingPathComponent(name)
  }
}

/// The MuJoCo C library, reached through the shim's flat C functions (loaded once per installation with
/// `dlopen`; the table of function pointers is immutable afterwards and shared by every simulation).
final class MuJoCoLibrary: Sendable {
  typealias Handle = UnsafeMutableRawPointer

  /// The interface version of the shim this code expects (`SRL_ABI_VERSION` in the C source).
  static let abiVersion: Int32 = 2

  let installation: MuJoCoInstallation
  let libraryVersion: Int32
  let load: @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>, Int32) -> Handle?
  let free: @convention(c) (Handle) -> Void
  let size: @convention(c) (Handle, Int32) -> Int32
  let timestep: @convention(c) (Handle) -> Double
  let array: @convention(c) (Handle, Int32) -> UnsafeMutablePointer<Double>?
  let bodyID: @convention(c) (Handle, UnsafePointer<CChar>) -> Int32
  let reset: @convention(c) (Handle) -> Void
  let forward: @convention(c) (Handle) -> Void
  let step: @convention(c) (Handle, Int32) -> Void
  let stepOnly: @convention(c) (Handle, Int32) -> Void
  let getState: @convention(c) (Handle, UnsafeMutablePointer<Double>) -> Void
  let setState: @convention(c) (Handle, UnsafePointer<Double>) -> Void
  let warningCount: @convention(c) () -> Int
  let nameID: @convention(c) (Handle, Int32, UnsafePointer<CChar>) -> Int32
  let jointInfo: @convention(c) (Handle, Int32, UnsafeMutablePointer<Int32>) -> Int32
  let sensorInfo: @convention(c) (Handle, Int32, UnsafeMutablePointer<Int32>) -> Int32
  let stepLegacy: @convention(c) (Handle, Int32) -> Void
  let forwardWithoutActuation: @convention(c) (Handle) -> Void
  let step1: @convention(c) (Handle) -> Void
  let lastWarningInto: @convention(c) (UnsafeMutablePointer<CChar>, Int32) -> Void

  private init(installation: MuJoCoInstallation) throws(MuJoCoLibraryError) {
    self.installation = installation
    let path = installation.shimPath.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw .notInstalled("MuJoCo runtime not found: \(path) does not exist")
    }
    guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
      throw .notInstalled("cannot load \(path): \(reason)")
    }
    func symbol<T>(_ name: String, as type: T.Type) throws(MuJoCoLibraryError) -> T {
      guard let address = dlsym(library, name) else {
        throw .notInstalled(
          "\(path) has no symbol \(name) (rebuild it with the current setup script)")
      }
      return unsafeBitCast(address, to: type)
    }
    let abi = try symbol("srl_mj_abi_version", as: (@convention(c) () -> Int32).self)()
    guard abi == Self.abiVersion else {
      throw .notInstalled(
        "\(path) has interface version \(abi), this build expects \(Self.abiVersion)")
    }
    libraryVersion = try symbol("srl_mj_library_version", as: (@convention(c) () -> Int32).self)()
    load = try symbol(
      "srl_mj_load",
      as: (@convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>, Int32) -> Handle?)
        .self)
    free = try symbol("srl_mj_free", as: (@convention(c) (Handle) -> Void).self)
    size = try symbol("srl_mj_size", as: (@convention(c) (Handle, Int32) -> Int32).self)
    timestep = try symbol("srl_mj_timestep", as: (@convention(c) (Handle) -> Double).self)
    array = try symbol(
      "srl_mj_array", as: (@convention(c) (Handle, Int32) -> UnsafeMutablePointer<Double>?).self)
    bodyID = try symbol(
      "srl_mj_body_id", as: (@convention(c) (Handle, UnsafePointer<CChar>) -> Int32).self)
    reset = try symbol("srl_mj_reset", as: (@convention(c) (Handle) -> Void).self)
    forward = try symbol("srl_mj_forward", as: (@convention(c) (Handle) -> Void).self)
    step = try symbol("srl_mj_step", as: (@convention(c) (Handle, Int32) -> Void).self)
    stepOnly = try symbol("srl_mj_step_only", as: (@convention(c) (Handle, Int32) -> Void).self)
    getState = try symbol(
      "srl_mj_get_state", as: (@convention(c) (Handle, UnsafeMutablePointer<Double>) -> Void).self)
    setState = try symbol(
      "srl_mj_set_state", as: (@convention(c) (Handle, UnsafePointer<Double>) -> Void).self)
    warningCount = try symbol("srl_mj_warning_count", as: (@convention(c) () -> Int).self)
    nameID = try symbol(
      "srl_mj_name_id", as: (@convention(c) (Handle, Int32, UnsafePointer<CChar>) -> Int32).self)
    jointInfo = try symbol(
      "srl_mj_joint_info",
      as: (@convention(c) (Handle, Int32, UnsafeMutablePointer<Int32>) -> Int32).self)
    sensorInfo = try symbol(
      "srl_mj_sensor_info",
      as: (@convention(c) (Handle, Int32, UnsafeMutablePointer<Int32>) -> Int32).self)
    stepLegacy = try symbol("srl_mj_step_legacy", as: (@convention(c) (Handle, Int32) -> Void).self)
    forwardWithoutActuation = try symbol(
      "srl_mj_forward_without_actuation", as: (@convention(c) (Handle) -> Void).self)
    step1 = try symbol("srl_mj_step1", as: (@convention(c) (Handle) -> Void).self)
    lastWarningInto = try symbol(
      "srl_mj_last_warning", as: (@convention(c) (UnsafeMutablePointer<CChar>, Int32) -> Void).self)
  }

  /// The last warning MuJoCo reported in this process (empty when none).
  var lastWarning: String {
    var buffer = [CChar](repeating: 0, count: 1024)
    lastWarningInto(&buffer, Int32(buffer.count))
    return Self.string(fromNulTerminated: buffer)
  }

  /// The text of a NUL-terminated C character buffer.
  static func string(fromNulTerminated buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// MuJoCo's version as text, e.g. `4.0.0`.
  var versionString: String {
    let version = Int(libraryVersion)
    return "\(version / 1_000_000).\(version / 1000 % 1000).\(version % 1000)"
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var loaded: [URL: MuJoCoLibrary] = [:]

  /// The library of `installation`, loaded on first use (a loaded library stays loaded).
  static func shared(_ installation: MuJoCoInstallation = .default) throws(MuJoCoLibraryError)
    -> MuJoCoLibrary
  {
    lock.lock()
    defer { lock.unlock() }
    if let library = loaded[installation.home] { return library }
    let library = try MuJoCoLibrary(installation: installation)
    loaded[installation.home] = library
    return library
  }
}

/// Why the MuJoCo runtime could not be used.
enum MuJoCoLibraryError: Error, CustomStringConvertible {
  /// The shim or the MuJoCo library is missing or unusable.
  case notInstalled(String)
  /// A model file failed to load or compile.
  case modelFailed(path: String, reason: String)

  var description: String {
    switch self {
    case .notInstalled(let reason):
      "\(reason); run \(MuJoCoInstallation.setupCommand) (or set SPARSERL_MUJOCO_HOME to a folder it made)"
    case .modelFailed(let path, let reason):
      "MuJoCo could not load \(path): \(reason)"
    }
  }
}
