import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the Arcade Learning Environment runtime lives: the folder `scripts/setup-ale.sh` fills.
///
/// Layout: `lib/libsparserl_ale.so` (the C shim of `scripts/ale/sparserl_ale.cpp`, which finds the ALE library
/// `lib/libale.so` of the `ale-py` wheel next to itself) and `roms/` (the wheel's ROM files, `<game>.bin`).
/// The folder is `$SPARSERL_ALE_HOME` when that is set, else `.ale` in the package root (located from this
/// source file's path at build time).
public struct ALEInstallation: Equatable, Sendable {
  /// The shell command that installs the runtime.
  public static let setupCommand = "scripts/setup-ale.sh"

  /// The folder holding `lib/` and `roms/`.
  public let home: URL

  /// An installation in `home` (not checked until loaded).
  public init(home: URL) { self.home = home }

  /// The installation the process environment selects (see `init(environment:)`).
  public static var `default`: ALEInstallation {
    ALEInstallation(environment: ProcessInfo.processInfo.environment)
  }

  /// The installation `environment` selects: `SPARSERL_ALE_HOME` when set and not empty, else `.ale` in the
  /// package root.
  public init(environment: [String: String]) {
    if let path = environment["SPARSERL_ALE_HOME"], !path.isEmpty {
      self.init(home: URL(fileURLWithPath: path))
    } else {
      self.init(home: MuJoCoInstallation.packageRoot.appendingPathComponent(".ale"))
    }
  }

  /// The shim library.
  public var shimPath: URL { home.appendingPathComponent("lib/libsparserl_ale.so") }

  /// The ROM file of `rom` (a snake_case ROM id such as `space_invaders`).
  public func romPath(_ rom: String) -> URL {
    home.appendingPathComponent("roms").appendingPathComponent("\(rom).bin")
  }
}

/// Why the ALE runtime could not be used.
enum ALELibraryError: Error, CustomStringConvertible {
  /// The shim or the ALE library is missing or unusable.
  case notInstalled(String)
  /// ALE reported an error (a missing or unsupported ROM, a bad setting or state).
  case failed(String)

  var description: String {
    switch self {
    case .notInstalled(let reason):
      "\(reason); run \(ALEInstallation.setupCommand) (or set SPARSERL_ALE_HOME to a folder it made)"
    case .failed(let reason): "ALE: \(reason)"
    }
  }
}

/// The ALE C++ library, reached through the shim's flat C functions (loaded once per installation with
/// `dlopen`; the table of function pointers is immutable afterwards and shared by every emulator).
final class ALELibrary: Sendable {
  typealias Handle = UnsafeMutableRawPointer
  typealias ErrorBuffer = UnsafeMutablePointer<CChar>

  /// The interface version of the shim this code expects (`SRL_ABI_VERSION` in the C++ source).
  static let abiVersion: Int32 = 1

  let installation: ALEInstallation
  let version: String
  let create: @convention(c) (ErrorBuffer, Int32) -> Handle?
  let free: @convention(c) (Handle) -> Void
  let setInt: @convention(c) (Handle, UnsafePointer<CChar>, Int32, ErrorBuffer, Int32) -> Int32
  let setFloat: @convention(c) (Handle, UnsafePointer<CChar>, Float, ErrorBuffer, Int32) -> Int32
  let setBool: @convention(c) (Handle, UnsafePointer<CChar>, Int32, ErrorBuffer, Int32) -> Int32
  let loadROM: @convention(c) (Handle, UnsafePointer<CChar>, ErrorBuffer, Int32) -> Int32
  let reset: @convention(c) (Handle) -> Void
  let act: @convention(c) (Handle, Int32, Float) -> Int32
  let gameOver: @convention(c) (Handle, Int32) -> Int32
  let gameTruncated: @convention(c) (Handle) -> Int32
  let lives: @convention(c) (Handle) -> Int32
  let frameNumber: @convention(c) (Handle) -> Int32
  let episodeFrameNumber: @convention(c) (Handle) -> Int32
  let actionSet: @convention(c) (Handle, Int32, UnsafeMutablePointer<Int32>, Int32) -> Int32
  let screenSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Void
  let screenGrayscale: @convention(c) (Handle, UnsafeMutablePointer<UInt8>) -> Void
  let screenRGB: @convention(c) (Handle, UnsafeMutablePointer<UInt8>) -> Void
  let cloneState: @convention(c) (Handle, UnsafeMutablePointer<UInt8>?, Int) -> Int
  let restoreState: @convention(c) (Handle, UnsafePointer<UInt8>, Int, ErrorBuffer, Int32) -> Int32

  private init(installation: ALEInstallation) throws(ALELibraryError) {
    self.installation = installation
    let path = installation.shimPath.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw .notInstalled("ALE runtime not found: \(path) does not exist")
    }
    guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
      throw .notInstalled("cannot load \(path): \(reason)")
    }
    func symbol<T>(_ name: String, as type: T.Type) throws(ALELibraryError) -> T {
      guard let address = dlsym(library, name) else {
        throw .notInstalled("\(path) has no symbol \(name) (rebuild it with the current setup script)")
      }
      return unsafeBitCast(address, to: type)
    }
    let abi = try symbol("srl_ale_abi_version", as: (@convention(c) () -> Int32).self)()
    guard abi == Self.abiVersion else {
      throw .notInstalled("\(path) has interface version \(abi), this build expects \(Self.abiVersion)")
    }
    let versionInto = try symbol("srl_ale_version", as: (@convention(c) (ErrorBuffer, Int32) -> Void).self)
    var buffer = [CChar](repeating: 0, count: 64)
    versionInto(&buffer, Int32(buffer.count))
    version = MuJoCoLibrary.string(fromNulTerminated: buffer)
    create = try symbol("srl_ale_create", as: (@convention(c) (ErrorBuffer, Int32) -> Handle?).self)
    free = try symbol("srl_ale_free", as: (@convention(c) (Handle) -> Void).self)
    setInt = try symbol(
      "srl_ale_set_int",
      as: (@convention(c) (Handle, UnsafePointer<CChar>, Int32, ErrorBuffer, Int32) -> Int32).self)
    setFloat = try symbol(
      "srl_ale_set_float",
      as: (@convention(c) (Handle, UnsafePointer<CChar>, Float, ErrorBuffer, Int32) -> Int32).self)
    setBool = try symbol(
      "srl_ale_set_bool",
      as: (@convention(c) (Handle, UnsafePointer<CChar>, Int32, ErrorBuffer, Int32) -> Int32).self)
    loadROM = try symbol(
      "srl_ale_load_rom", as: (@convention(c) (Handle, UnsafePointer<CChar>, ErrorBuffer, Int32) -> Int32).self)
    reset = try symbol("srl_ale_reset", as: (@convention(c) (Handle) -> Void).self)
    act = try symbol("srl_ale_act", as: (@convention(c) (Handle, Int32, Float) -> Int32).self)
    gameOver = try symbol("srl_ale_game_over", as: (@convention(c) (Handle, Int32) -> Int32).self)
    gameTruncated = try symbol("srl_ale_game_truncated", as: (@convention(c) (Handle) -> Int32).self)
    lives = try symbol("srl_ale_lives", as: (@convention(c) (Handle) -> Int32).self)
    frameNumber = try symbol("srl_ale_frame_number", as: (@convention(c) (Handle) -> Int32).self)
    episodeFrameNumber = try symbol("srl_ale_episode_frame_number", as: (@convention(c) (Handle) -> Int32).self)
    actionSet = try symbol(
      "srl_ale_action_set",
      as: (@convention(c) (Handle, Int32, UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    screenSize = try symbol(
      "srl_ale_screen_size",
      as: (@convention(c) (Handle, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Void).self)
    screenGrayscale = try symbol(
      "srl_ale_screen_grayscale", as: (@convention(c) (Handle, UnsafeMutablePointer<UInt8>) -> Void).self)
    screenRGB = try symbol(
      "srl_ale_screen_rgb", as: (@convention(c) (Handle, UnsafeMutablePointer<UInt8>) -> Void).self)
    cloneState = try symbol(
      "srl_ale_clone_state", as: (@convention(c) (Handle, UnsafeMutablePointer<UInt8>?, Int) -> Int).self)
    restoreState = try symbol(
      "srl_ale_restore_state",
      as: (@convention(c) (Handle, UnsafePointer<UInt8>, Int, ErrorBuffer, Int32) -> Int32).self)
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var loaded: [URL: ALELibrary] = [:]

  /// The library of `installation`, loaded on first use (a loaded library stays loaded).
  static func shared(_ installation: ALEInstallation = .default) throws(ALELibraryError) -> ALELibrary {
    lock.lock()
    defer { lock.unlock() }
    if let library = loaded[installation.home] { return library }
    let library = try ALELibrary(installation: installation)
    loaded[installation.home] = library
    return library
  }
}

/// One ALE emulator instance (an `ale::ALEInterface`), with safe Swift calls over the shim.
final class ALEEmulator {
  let library: ALELibrary
  private let handle: ALELibrary.Handle
  /// Screen height and width in pixels (valid after `loadROM`).
  private(set) var height = 0
  private(set) var width = 0

  init(library: ALELibrary) throws(ALELibraryError) {
    self.library = library
    var message = [CChar](repeating: 0, count: 1024)
    guard let handle = library.create(&message, Int32(message.count)) else {
      throw .failed("cannot create the emulator: \(MuJoCoLibrary.string(fromNulTerminated: message))")
    }
    self.handle = handle
  }

  deinit { library.free(handle) }

  /// Calls `body` with an error buffer and throws its message when `body` returns 0.
  private func checked(_ what: String, _ body: (ALELibrary.ErrorBuffer, Int32) -> Int32) throws(ALELibraryError) {
    var message = [CChar](repeating: 0, count: 1024)
    let ok = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, Int32($0.count)) }
    guard ok != 0 else { throw .failed("\(what): \(MuJoCoLibrary.string(fromNulTerminated: message))") }
  }

  func setInt(_ key: String, _ value: Int32) throws(ALELibraryError) {
    try checked("setInt(\(key))") { library.setInt(handle, key, value, $0, $1) }
  }

  func setFloat(_ key: String, _ value: Float) throws(ALELibraryError) {
    try checked("setFloat(\(key))") { library.setFloat(handle, key, value, $0, $1) }
  }

  func setBool(_ key: String, _ value: Bool) throws(ALELibraryError) {
    try checked("setBool(\(key))") { library.setBool(handle, key, value ? 1 : 0, $0, $1) }
  }

  /// Loads a ROM file; this applies the settings and reseeds ALE's generator from `random_seed`.
  func loadROM(_ path: String) throws(ALELibraryError) {
    try checked("loadROM(\(path))") { library.loadROM(handle, path, $0, $1) }
    var h: Int32 = 0
    var w: Int32 = 0
    library.screenSize(handle, &h, &w)
    (height, width) = (Int(h), Int(w))
  }

  func resetGame() { library.reset(handle) }
  /// One frame of the ALE action number `action`; returns its reward.
  func act(_ action: Int32, strength: Float = 1) -> Int { Int(library.act(handle, action, strength)) }
  func gameOver(withTruncation: Bool) -> Bool { library.gameOver(handle, withTruncation ? 1 : 0) != 0 }
  var gameTruncated: Bool { library.gameTruncated(handle) != 0 }
  var lives: Int { Int(library.lives(handle)) }
  var frameNumber: Int { Int(library.frameNumber(handle)) }
  var episodeFrameNumber: Int { Int(library.episodeFrameNumber(handle)) }

  /// The minimal (`full == false`) or legal action set, as ALE action numbers.
  func actionSet(full: Bool) -> [Int32] {
    var actions = [Int32](repeating: 0, count: 32)
    let count = library.actionSet(handle, full ? 1 : 0, &actions, Int32(actions.count))
    precondition(count <= actions.count, "ALE reports \(count) actions")
    return Array(actions.prefix(Int(count)))
  }

  /// Copies the grayscale screen (`height x width` bytes, row-major) into `buffer`.
  func grayscale(into buffer: UnsafeMutablePointer<UInt8>) { library.screenGrayscale(handle, buffer) }
  /// Copies the RGB screen (`height x width x 3` bytes, channels last) into `buffer`.
  func rgb(into buffer: UnsafeMutablePointer<UInt8>) { library.screenRGB(handle, buffer) }

  /// The complete serialized emulator state, including ALE's generator.
  func cloneState() -> [UInt8] {
    let size = library.cloneState(handle, nil, 0)
    var bytes = [UInt8](repeating: 0, count: size)
    let written = bytes.withUnsafeMutableBufferPointer { library.cloneState(handle, $0.baseAddress, size) }
    precondition(written == size, "ALE state size changed while copying")
    return bytes
  }

  func restoreState(_ bytes: [UInt8]) throws(ALELibraryError) {
    try checked("restoreState") { error, capacity in
      bytes.withUnsafeBufferPointer { library.restoreState(handle, $0.baseAddress!, $0.count, error, capacity) }
    }
  }
}
