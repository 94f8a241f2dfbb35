"""Python reference for `sparserl bench envs`: single-core steps per second of gymnasium.make(id) with random
actions (action_space.sample()), resetting at episode ends, over at least `--seconds` seconds per id.

Ids starting with "MinAtar/" are registered with gymnasium by minatar.gym.register_envs() first. Prints one JSON object
{id: {"steps_per_second": x} | {"error": message}}.
"""

import argparse
import json
import time

import gymnasium as gym


def measure(env_id, seconds):
    if env_id.startswith("MinAtar/") and env_id not in gym.registry:
        from minatar.gym import register_envs

        register_envs()
    env = gym.make(env_id)
    env.reset(seed=0)
    env.action_space.seed(0)
    steps = 0
    start = time.perf_counter()
    while True:
        for _ in range(256):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                env.reset()
        steps += 256
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            env.close()
            return steps / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("ids", nargs="+")
    arguments = parser.parse_args()
    answer = {}
    for env_id in arguments.ids:
        try:
            answer[env_id] = {"steps_per_second": measure(env_id, arguments.seconds)}
        except Exception as error:  # report and continue with the other ids
            answer[env_id] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
