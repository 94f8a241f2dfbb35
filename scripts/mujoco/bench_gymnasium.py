"""Steps per second of a Gymnasium MuJoCo environment with uniform random actions (for `sparserl bench mujoco`).

Usage: bench_gymnasium.py ENV_ID STEPS  -> prints {"steps_per_second": x} as JSON.
Resets when an episode ends (the reset is included in the time). Actions are drawn before timing.
"""

import json
import sys
import time

import gymnasium as gym
import numpy as np


def main():
    env_id, steps = sys.argv[1], int(sys.argv[2])
    env = gym.make(env_id)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    low, high = env.action_space.low, env.action_space.high
    actions = rng.uniform(low, high, size=(steps, low.size)).astype(np.float32)
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
    elapsed = time.perf_counter() - start
    json.dump({"steps_per_second": steps / elapsed}, sys.stdout)


if __name__ == "__main__":
    main()
