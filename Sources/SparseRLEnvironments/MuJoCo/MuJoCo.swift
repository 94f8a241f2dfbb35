/// The MuJoCo family of environments: Gymnasium 1.4.0's v5 locomotion and control tasks, simulated by the
/// MuJoCo C library that `scripts/setup-mujoco.sh` installs (see `MuJoCoInstallation`).
///
/// Without that runtime the ids stay registered, and making one throws `EnvironmentError.unavailable` naming
/// the setup command.
public enum MuJoCo {
  /// The registered ids of this family, with Gymnasium's time limits and reward thresholds.
  public static var specs: [EnvironmentSpec] {
    [
      spec(HalfCheetahTask(), maxEpisodeSteps: 1000, rewardThreshold: 4800),
      spec(PlanarWalkerTask.hopper, maxEpisodeSteps: 1000, rewardThreshold: 3800),
      spec(PlanarWalkerTask.walker2d, maxEpisodeSteps: 1000, rewardThreshold: nil),
      spec(AntTask(), maxEpisodeSteps: 1000, rewardThreshold: 6000),
      spec(HumanoidTask(), maxEpisodeSteps: 1000, rewardThreshold: nil),
      spec(InvertedPendulumTask(), maxEpisodeSteps: 1000, rewardThreshold: 950),
      spec(SwimmerTask(), maxEpisodeSteps: 1000, rewardThreshold: 360),
      spec(ReacherTask(), maxEpisodeSteps: 50, rewardThreshold: -3.75),
    ]
  }

  /// Whether the MuJoCo runtime of `installation` can be loaded.
  public static func isAvailable(_ installation: MuJoCoInstallation = .default) -> Bool {
    (try? MuJoCoLibrary.shared(installation)) != nil
  }

  /// Makes the bare environment `id` (without its time limit) from `installation`.
  public static func make(_ id: String, installation: MuJoCoInstallation = .default) throws
    -> MuJoCoEnvironment
  {
    guard let task = tasks.first(where: { $0.id == id }) else {
      throw EnvironmentError.unknownEnvironment(id: id, suggestions: tasks.map(\.id))
    }
    return try MuJoCoEnvironment(task: task, installation: installation)
  }

  private static var tasks: [any MuJoCoTask] {
    [
      HalfCheetahTask(), PlanarWalkerTask.hopper, PlanarWalkerTask.walker2d, AntTask(),
      HumanoidTask(),
      InvertedPendulumTask(), SwimmerTask(), ReacherTask(),
    ]
  }

  private static func spec(_ task: any MuJoCoTask, maxEpisodeSteps: Int, rewardThreshold: Double?)
    -> EnvironmentSpec
  {
    EnvironmentSpec(id: task.id, maxEpisodeSteps: maxEpisodeSteps, rewardThreshold: rewardThreshold)
    {
      try MuJoCoEnvironment(task: task)
    }
  }
}
