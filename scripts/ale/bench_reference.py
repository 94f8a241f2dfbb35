"""Steps per second of the Python Atari references (for `sparserl bench atari`).

Usage: bench_reference.py GAME STEPS  -> prints {"gymnasium": x, "envpool": y or null} as JSON.
- gymnasium: FrameStackObservation(AtariPreprocessing(gym.make("ALE/<Game>-v5", frameskip=1)), 4), ale-py's
  environment under Gymnasium's wrappers (the setting of SparseRL's AtariDQN/<Game>-v5);
- envpool: envpool.make("<Game>-v5", "gymnasium", num_envs=1) with the same settings (sticky actions 0.25, no-op
  reset up to 30, frame skip 4, 84x84 grayscale, 4 frames, no fire reset, no episodic life), one thread.
Uniform random actions drawn before timing; resets when an episode ends are included in the time.
"""

import json
import sys
import time

import numpy as np


def timed(env, steps, actions, batched):
    if batched:
        env.reset()
    else:
        env.reset(seed=0)
    start = time.perf_counter()
    for action in actions:
        if batched:
            _, _, terminated, truncated, _ = env.step(np.array([action]))
            # envpool resets finished environments itself on the next step.
        else:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
    return steps / (time.perf_counter() - start)


def main():
    game, steps = sys.argv[1], int(sys.argv[2])
    name = "".join(part for part in game.title().split("_"))
    import ale_py
    import gymnasium as gym
    from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

    gym.register_envs(ale_py)
    env = FrameStackObservation(AtariPreprocessing(gym.make(f"ALE/{name}-v5", frameskip=1)), 4)
    actions = np.random.default_rng(0).integers(0, env.action_space.n, size=steps)
    answer = {"gymnasium": timed(env, steps, actions, False), "envpool": None}
    try:
        import envpool
    except ImportError:
        envpool = None
    if envpool is not None:
        pool = envpool.make(f"{name}-v5", env_type="gymnasium", num_envs=1, batch_size=1, num_threads=1, seed=0,
                            repeat_action_probability=0.25, noop_max=30, frame_skip=4, stack_num=4, img_height=84,
                            img_width=84, episodic_life=False, use_fire_reset=False, reward_clip=False)
        answer["envpool"] = timed(pool, steps, actions, True)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
