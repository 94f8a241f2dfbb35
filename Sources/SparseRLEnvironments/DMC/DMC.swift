/// The DeepMind Control Suite family: dm_control 1.0.50's suite tasks listed in `tasks`, simulated by the MuJoCo
/// C library that `scripts/setup-mujoco.sh` installs, on the models that script exports from the installed
/// `dm-control` package (see `DMCEnvironment`).
///
/// Ids: `dmc/<domain>-<task>` (dm_control's stepping: one control step per `step`, 1000 steps per episode),
/// and `dmc/<domain>-<task>?action_repeat=K` for K control steps per `step` with summed rewards and
/// `1000 / K` steps per episode (K must divide 1000; the scaling paper's DMC runs use K = 2).
/// Without the runtime the ids stay registered, and making one throws `EnvironmentError.unavailable` naming
/// the setup command.
public enum DMC {
  /// Control steps per episode of every registered task (the suite's time limit over its control timestep).
  public static let episodeControlSteps = 1000

  /// The registered ids with dm_control's own stepping (action repeat 1).
  public static var specs: [EnvironmentSpec] { tasks.map { spec($0, actionRepeat: 1) } }

  /// `base` with the action-repeat option.
  public static func id(_ base: String, actionRepeat: Int) -> String {
    "\(base)?action_repeat=\(actionRepeat)"
  }

  /// The spec of an id with options (`dmc/<domain>-<task>?action_repeat=K`), or `nil` when `id` is not of that
  /// form. Throws `EnvironmentError.unknownEnvironment` for a DMC task with an invalid option.
  public static func optionSpec(_ id: String) throws -> EnvironmentSpec? {
    guard id.hasPrefix("dmc/"), let question = id.firstIndex(of: "?") else { return nil }
    let base = String(id[..<question])
    guard let task = tasks.first(where: { $0.id == base }) else { return nil }
    let option = id[id.index(after: question)...]
    let prefix = "action_repeat="
    let valid = [2, 4, 5, 8].map { Self.id(base, actionRepeat: $0) }
    guard option.hasPrefix(prefix), let repeatCount = Int(option.dropFirst(prefix.count)),
      repeatCount >= 1, episodeControlSteps % repeatCount == 0
    else {
      throw EnvironmentError.unknownEnvironment(id: id, suggestions: valid)
    }
    return spec(task, actionRepeat: repeatCount)
  }

  /// Makes the bare environment `id` (without its time limit) from `installation`.
  public static func make(
    _ id: String, actionRepeat: Int = 1, installation: MuJoCoInstallation = .default
  ) throws -> DMCEnvironment {
    guard let task = tasks.first(where: { $0.id == id }) else {
      throw EnvironmentError.unknownEnvironment(
        id: id, suggestions: EnvironmentRegistry.suggestions(for: id, among: tasks.map(\.id)))
    }
    return try DMCEnvironment(task: task, actionRepeat: actionRepeat, installation: installation)
  }

  /// The registered tasks (keep in sync with `TASKS` in `scripts/mujoco/export_dmc_models.py`).
  static var tasks: [any DMCTask] {
    [
      DMCCheetahRun(), DMCWalker.walk, DMCWalker.run, DMCHopperHop(), DMCQuadrupedRun(),
      DMCHumanoid.stand, DMCHumanoid.walk, DMCHumanoid.run,
      DMCDog.stand, DMCDog.walk, DMCDog.trot, DMCDog.run,
    ]
  }

  private static func spec(_ task: any DMCTask, actionRepeat: Int) -> EnvironmentSpec {
    EnvironmentSpec(
      id: actionRepeat == 1 ? task.id : id(task.id, actionRepeat: actionRepeat),
      maxEpisodeSteps: episodeControlSteps / actionRepeat
    ) {
      try DMCEnvironment(task: task, actionRepeat: actionRepeat)
    }
  }
}
