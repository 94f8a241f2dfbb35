"""Reference runs of Gymnasium's MuJoCo v5 environments for SparseRL's parity tests.

Reads one JSON request on standard input and writes one JSON answer:
  request: {"id": "Hopper-v5", "starts": [{"qpos": [...], "qvel": [...]}, ...], "actions": [[...], ...],
            "reset_seeds": n}
  answer:  {"start_observations": [...], "observations": [...], "rewards": [...], "terminated": [...],
            "truncated": [...], "infos": [{...}], "reset_mean": [...], "reset_std": [...], "mujoco_version": "...",
            "observation_shape": [...], "action_low": [...], "action_high": [...], "max_episode_steps": n,
            "reward_threshold": x or null}

The trajectory: gym.make(id) (with its registered time limit), reset, set_state(starts[0]), then every action
in turn as float32; whenever an episode ends, reset and set_state to the next start. The reset statistics: the
mean and standard deviation of the first observation over reset(seed=s) for s in 0..<reset_seeds.
"""

import json
import sys

import gymnasium as gym
import mujoco
import numpy as np


def scalar_info(info):
    return {key: float(value) for key, value in info.items() if np.ndim(value) == 0}


def main():
    request = json.load(sys.stdin)
    env = gym.make(request["id"])
    base = env.unwrapped
    starts = iter(request["starts"])

    def restart():
        env.reset(seed=0)
        start = next(starts)
        base.set_state(np.array(start["qpos"], dtype=np.float64), np.array(start["qvel"], dtype=np.float64))
        return base._get_obs().tolist()

    answer = {"start_observations": [restart()], "observations": [], "rewards": [], "terminated": [],
              "truncated": [], "infos": []}
    for action in request["actions"]:
        observation, reward, terminated, truncated, info = env.step(np.array(action, dtype=np.float32))
        answer["observations"].append(np.asarray(observation, dtype=np.float64).tolist())
        answer["rewards"].append(float(reward))
        answer["terminated"].append(bool(terminated))
        answer["truncated"].append(bool(truncated))
        answer["infos"].append(scalar_info(info))
        if terminated or truncated:
            answer["start_observations"].append(restart())

    firsts = np.array([env.reset(seed=seed)[0] for seed in range(request["reset_seeds"])], dtype=np.float64)
    answer["reset_mean"] = firsts.mean(axis=0).tolist()
    answer["reset_std"] = firsts.std(axis=0).tolist()
    answer["mujoco_version"] = mujoco.__version__
    answer["observation_shape"] = list(env.observation_space.shape)
    answer["action_low"] = env.action_space.low.astype(np.float64).tolist()
    answer["action_high"] = env.action_space.high.astype(np.float64).tolist()
    answer["max_episode_steps"] = env.spec.max_episode_steps
    answer["reward_threshold"] = env.spec.reward_threshold
    env.close()
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
