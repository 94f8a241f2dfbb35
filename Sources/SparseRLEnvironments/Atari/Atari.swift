/// The Atari family of environments: Atari 2600 games on the Arcade Learning Environment of the `ale-py` wheel,
/// which `scripts/setup-ale.sh` installs (see `ALEInstallation`). Without that runtime the ids stay registered,
/// and making one throws `EnvironmentError.unavailable` naming the setup command.
///
/// Two registrations per game:
/// - `ALE/<Game>-v5`: ale-py's own (`AtariEnvironment` with RGB observations, frameskip 4, sticky actions 0.25,
///   the minimal action set, 108,000 frames per episode; no step limit).
/// - `AtariDQN/<Game>-v5`: the Nature-DQN / Dopamine / State of Sparse Training setting, as Gymnasium users build
///   it: `FrameStackObservation(AtariPreprocessing(ALE/<Game>-v5 with frameskip 1), 4)`: no-op reset up to 30,
///   frame skip 4 with max-pooling, 84x84 grayscale, 4 stacked frames `[4, 84, 84]`, no terminal on life loss.
///   Rewards are not clipped here (so episode returns are game scores); DQN clips them (`reward_clipping`).
public enum Atari {
  /// ale-py's v5 ROM ids (every ROM it ships except the two-player-only `combat`, `joust`, `maze_craze` and
  /// `warlords`).
  public static let games = [
    "adventure", "air_raid", "alien", "amidar", "assault", "asterix", "asteroids", "atlantis2", "atlantis",
    "backgammon", "bank_heist", "basic_math", "battle_zone", "beam_rider", "berzerk", "blackjack", "bowling",
    "boxing", "breakout", "carnival", "casino", "centipede", "chopper_command", "crazy_climber", "crossbow",
    "darkchambers", "defender", "demon_attack", "donkey_kong", "double_dunk", "earthworld", "elevator_action",
    "enduro", "entombed", "et", "fishing_derby", "flag_capture", "freeway", "frogger", "frostbite", "galaxian",
    "gopher", "gravitar", "hangman", "haunted_house", "hero", "human_cannonball", "ice_hockey", "jamesbond",
    "journey_escape", "kaboom", "kangaroo", "keystone_kapers", "king_kong", "klax", "koolaid", "krull",
    "kung_fu_master", "laser_gates", "lost_luggage", "mario_bros", "miniature_golf", "montezuma_revenge", "mr_do",
    "ms_pacman", "name_this_game", "othello", "pacman", "phoenix", "pitfall2", "pitfall", "pong", "pooyan",
    "private_eye", "qbert", "riverraid", "road_runner", "robotank", "seaquest", "sir_lancelot", "skiing",
    "solaris", "space_invaders", "space_war", "star_gunner", "superman", "surround", "tennis", "tetris",
    "tic_tac_toe_3d", "time_pilot", "trondead", "turmoil", "tutankham", "up_n_down", "venture", "video_checkers",
    "video_chess", "video_cube", "video_pinball", "wizard_of_wor", "word_zapper", "yars_revenge", "zaxxon",
  ]

  /// The registered ids of this family.
  public static var specs: [EnvironmentSpec] {
    games.map { game in
      EnvironmentSpec(id: "ALE/\(displayName(game))-v5", maxEpisodeSteps: nil) { try AtariEnvironment(game: game) }
    }
      + games.map { game in
        EnvironmentSpec(id: "AtariDQN/\(displayName(game))-v5", maxEpisodeSteps: nil) { try dqn(game) }
      }
  }

  /// The `AtariDQN/<Game>-v5` stack for `game`.
  public static func dqn(_ game: String, terminalOnLifeLoss: Bool = false, installation: ALEInstallation = .default)
    throws -> FrameStackObservation
  {
    let base = try AtariEnvironment(
      game: game, id: "AtariDQN/\(displayName(game))-v5", frameskip: 1, installation: installation)
    return FrameStackObservation(AtariPreprocessing(base, terminalOnLifeLoss: terminalOnLifeLoss), stackSize: 4)
  }

  /// Whether the ALE runtime of `installation` can be loaded.
  public static func isAvailable(_ installation: ALEInstallation = .default) -> Bool {
    (try? ALELibrary.shared(installation)) != nil
  }

  /// ale-py's registered name of a ROM id (`rom.title().replace("_", "")`: `ms_pacman` -> `MsPacman`,
  /// `tic_tac_toe_3d` -> `TicTacToe3D`).
  public static func displayName(_ rom: String) -> String {
    var result = ""
    var previousIsLetter = false
    for character in rom {
      if character == "_" {
        previousIsLetter = false
        continue
      }
      result += previousIsLetter ? character.lowercased() : character.uppercased()
      previousIsLetter = character.isLetter
    }
    return result
  }
}
