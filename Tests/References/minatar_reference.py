"""Reference answers from the MinAtar package (kenjyoung/MinAtar 1.0.15) for the Swift MinAtar parity tests.

Reads one JSON request on standard input and writes one JSON answer on standard output.

Modes:
- "transitions": for each game, samples states from random play of the reference (plus perturbations that reach
  rare branches), then for every state and every one of the six actions applies the game's `act` with sticky
  actions bypassed and the game's random generator replaced by scripted uniforms (integers are drawn as
  low + floor(u * (high - low)), exactly as the Swift scripted source does). Returns the states, the scripted
  uniforms and, per action, the next state, reward, terminal flag, channel-major observation and number of
  uniforms consumed. Also returns reset cases (a scripted reset).
- "episodes": runs episodes of the registered Gymnasium ids under a uniformly random policy and returns the
  episode returns and lengths.
"""
import copy
import json
import sys

import numpy as np

FIELDS = {
    "breakout": ["ball_x", "ball_y", "ball_dir", "pos", "brick_map", "strike", "last_x", "last_y", "terminal"],
    "asterix": ["player_x", "player_y", "entities", "shot_timer", "spawn_speed", "spawn_timer", "move_speed",
                "move_timer", "ramp_timer", "ramp_index", "terminal", "ramping"],
    "freeway": ["cars", "pos", "move_timer", "terminate_timer", "terminal"],
    "seaquest": ["oxygen", "diver_count", "sub_x", "sub_y", "sub_or", "f_bullets", "e_bullets", "e_fish", "e_subs",
                 "divers", "e_spawn_speed", "e_spawn_timer", "d_spawn_timer", "move_speed", "ramp_index",
                 "shot_timer", "surface", "terminal", "ramping"],
    "space_invaders": ["pos", "f_bullet_map", "e_bullet_map", "alien_map", "alien_dir", "enemy_move_interval",
                       "alien_move_timer", "alien_shot_timer", "ramp_index", "shot_timer", "terminal", "ramping"],
}


def plain(value):
    """Converts NumPy values inside a state to plain JSON values (grids to nested 0/1 lists)."""
    if isinstance(value, np.ndarray):
        return value.astype(int).tolist()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def get_state(game, name):
    return {field: plain(getattr(game, field)) for field in FIELDS[name]}


def set_state(game, name, state):
    for field in FIELDS[name]:
        value = state[field]
        if field.endswith("_map"):
            value = np.array(value, dtype=float)
        setattr(game, field, copy.deepcopy(value))


def observation_bits(game):
    return "".join("1" if cell else "0" for cell in np.transpose(game.state(), (2, 0, 1)).reshape(-1))


def scripted_uniforms(rng, count):
    """Uniforms as integers k in [0, 2^53): the uniform is k * 2^-53, exact on both sides of the JSON bridge."""
    return [int(k) for k in rng.integers(0, 2**53, size=count)]


class ScriptedRandom:
    """Stands in for the game's numpy RandomState: every draw consumes the next scripted uniform."""

    def __init__(self, uniforms):
        self.uniforms = uniforms
        self.used = 0

    def _next(self):
        value = self.uniforms[self.used] * 2.0**-53
        self.used += 1
        return value

    def rand(self, *size):
        if not size:
            return self._next()
        return np.array([self._next() for _ in range(size[0])])

    def randint(self, low, high=None, size=None):
        if high is None:
            low, high = 0, low
        draw = lambda: low + int(self._next() * (high - low))
        if size is None:
            return draw()
        return np.array([draw() for _ in range(size)])


def perturb(name, state, rng):
    """A variation of a sampled state that reaches branches random play rarely visits."""
    state = copy.deepcopy(state)
    if name == "breakout":
        bricks = np.array(state["brick_map"])
        bricks[rng.random(bricks.shape) < rng.choice([0.5, 1.0])] = 0
        state["brick_map"] = bricks.tolist()
        state["strike"] = bool(rng.random() < 0.5)
    elif name == "asterix":
        state["spawn_speed"] = int(rng.integers(1, 11))
        state["spawn_timer"] = int(rng.integers(0, state["spawn_speed"] + 1))
        state["move_speed"] = int(rng.integers(1, 6))
        state["move_timer"] = int(rng.integers(0, state["move_speed"] + 1))
        state["ramp_timer"] = int(rng.integers(-1, 3))
        state["ramp_index"] = int(rng.integers(0, 20))
        state["ramping"] = bool(rng.random() < 0.8)
    elif name == "freeway":
        state["pos"] = int(rng.integers(1, 10))
        state["move_timer"] = int(rng.integers(0, 2))
        state["terminate_timer"] = int(rng.integers(0, 3))
    elif name == "seaquest":
        state["diver_count"] = int(rng.integers(-1, 7))
        state["oxygen"] = int(rng.integers(0, 201))
        state["sub_y"] = int(rng.integers(0, 2))
        state["surface"] = bool(rng.random() < 0.3)
        state["e_spawn_timer"] = int(rng.integers(0, 2))
        state["d_spawn_timer"] = int(rng.integers(0, 2))
        state["move_speed"] = int(rng.integers(2, 6))
        state["e_spawn_speed"] = int(rng.integers(1, 21))
        state["ramp_index"] = int(rng.integers(0, 20))
        state["ramping"] = bool(rng.random() < 0.8)
        # Equal entities (same cell, or one cell apart so that they become equal after moving) exercise the
        # reference's list.remove-by-value inside reversed loops.
        for field in ["f_bullets", "e_bullets", "e_fish", "e_subs", "divers"]:
            if state[field] and rng.random() < 0.5:
                twin = copy.deepcopy(state[field][int(rng.integers(0, len(state[field])))])
                twin[0] = min(9, max(0, twin[0] + int(rng.integers(-1, 2))))
                state[field].insert(int(rng.integers(0, len(state[field]) + 1)), twin)
    elif name == "space_invaders":
        aliens = np.array(state["alien_map"])
        aliens[rng.random(aliens.shape) < rng.choice([0.5, 0.9, 1.0])] = 0
        if aliens.sum() == 0:  # the reference requires at least one alien (it refills an empty wave at once)
            aliens[int(rng.integers(0, 9)), int(rng.integers(0, 10))] = 1
        state["alien_map"] = aliens.tolist()
        state["enemy_move_interval"] = int(rng.integers(6, 13))
        state["alien_move_timer"] = int(rng.integers(0, 3))
        state["alien_shot_timer"] = int(rng.integers(0, 3))
        state["ramping"] = bool(rng.random() < 0.8)
    return state


def sample_states(name, count, seed):
    """States visited by a uniformly random policy (every state of each episode kept with probability 0.2)."""
    from minatar import Environment

    rng = np.random.default_rng(seed)
    env = Environment(name)
    env.seed(seed)
    states = []
    while len(states) < count:
        env.reset()
        terminal = False
        while not terminal and len(states) < count:
            if rng.random() < 0.2:
                state = get_state(env.env, name)
                states.append(perturb(name, state, rng) if rng.random() < 0.3 else state)
            _, terminal = env.act(int(rng.integers(0, 6)))
    return states


def transitions(request):
    from minatar import Environment

    answer = {}
    for index, name in enumerate(FIELDS):
        seed = request["seed"] + index
        rng = np.random.default_rng(seed + 1000)
        game = Environment(name).env
        cases = []
        for state in sample_states(name, request["states_per_game"], seed):
            uniforms = scripted_uniforms(rng, request["uniforms_per_case"])
            results = []
            for action in range(6):
                set_state(game, name, state)
                game.random = ScriptedRandom(uniforms)
                reward, terminal = game.act(action)
                results.append({
                    "action": action, "next_state": get_state(game, name), "reward": int(reward),
                    "terminal": bool(terminal), "observation": observation_bits(game), "used": game.random.used,
                })
            cases.append({"state": state, "uniforms": uniforms, "results": results})
        resets = []
        for _ in range(request["resets_per_game"]):
            uniforms = scripted_uniforms(rng, request["uniforms_per_case"])
            game.random = ScriptedRandom(uniforms)
            game.reset()
            resets.append({"uniforms": uniforms, "state": get_state(game, name),
                           "observation": observation_bits(game), "used": game.random.used})
        answer[name] = {"cases": cases, "resets": resets}
    return answer


def episodes(request):
    import warnings

    import gymnasium as gym
    import minatar.gym

    warnings.simplefilter("ignore", DeprecationWarning)  # gymnasium flags the -v0 ids as superseded by -v1
    minatar.gym.register_envs()
    answer = {}
    for index, spec in enumerate(request["games"]):
        env = gym.make(spec["id"], disable_env_checker=True).unwrapped
        rng = np.random.default_rng(request["seed"] + index)
        count = env.action_space.n
        returns, lengths = [], []
        env.reset(seed=request["seed"] + index)
        for _ in range(spec["episodes"]):
            total, length, done = 0.0, 0, False
            while not done:
                # BaseEnv.step without building the unused observation: the action-set lookup and the sticky
                # Environment.act are all that step does to the game.
                reward, done = env.game.act(env.action_set[int(rng.integers(0, count))])
                total += reward
                length += 1
            returns.append(total)
            lengths.append(length)
            env.reset()
        answer[spec["id"]] = {"returns": returns, "lengths": lengths}
    return answer


def reversed_remove(request):
    """CPython's `for v in reversed(list)` where even values remove the first element equal to them."""
    rng = np.random.default_rng(request["seed"])
    answer = []
    for _ in range(request["lists"]):
        values = [int(v) for v in rng.integers(0, 4, size=int(rng.integers(0, 9)))]
        items = list(values)
        visited = []
        for value in reversed(items):
            visited.append(value)
            if value % 2 == 0:
                items.remove(value)
        answer.append({"list": values, "visited": visited, "remaining": items})
    return answer


def main():
    request = json.load(sys.stdin)
    modes = {"transitions": transitions, "episodes": episodes, "reversed_remove": reversed_remove}
    answer = modes[request["mode"]](request)
    json.dump(answer, sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
