/// The MinAtar family of environments (Young & Tian 2019): five 10x10 miniatures of Atari games with binary
/// channel observations, ported from the reference package `MinAtar` 1.0.15.
public enum MinAtar {
  /// The games, in the reference's registration order.
  public static let games: [any MinAtarGame.Type] = [
    Asterix.self, Breakout.self, Freeway.self, Seaquest.self, SpaceInvaders.self,
  ]

  /// The registered ids, as the reference registers them with Gymnasium: `MinAtar/<Game>-v0` plays all six
  /// actions, `MinAtar/<Game>-v1` the game's minimal action set. Neither has a time limit (Freeway ends itself
  /// after 2,500 frames). Sticky actions (0.1) and difficulty ramping are on, as in the reference's defaults.
  public static var specs: [EnvironmentSpec] {
    games.flatMap { game in
      [false, true].map { minimal in specification(game, useMinimalActionSet: minimal) }
    }
  }

  private static func specification<Game: MinAtarGame>(
    _ game: Game.Type, useMinimalActionSet: Bool
  ) -> EnvironmentSpec {
    let id = "MinAtar/\(Game.displayName)-v\(useMinimalActionSet ? 1 : 0)"
    return EnvironmentSpec(id: id, maxEpisodeSteps: nil) {
      MinAtarEnvironment(game, id: id, useMinimalActionSet: useMinimalActionSet)
    }
  }
}
