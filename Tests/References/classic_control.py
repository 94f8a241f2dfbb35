"""Reference trajectories and start states of Gymnasium's classic-control environments.

Reads one JSON request on standard input and writes one JSON answer on standard output.

Request {"mode": "trajectories", "cases": [{"id", "states", "actions", "restartEvery"}]}: for each case, builds
gymnasium.make(id) (with its registered time limit), resets it and sets env.unwrapped.state to states[0],
then applies the actions in order; whenever an episode ends (terminated or truncated) it resets and sets the
next state of the list (also after restartEvery steps of an episode when it is positive). Answers {"cases": [{"observations", "rewards", "terminated", "truncated"}]}.

Request {"mode": "starts", "ids": [...], "count": n}: the first observations of reset(seed=s) for
s in 0..<n. Answers {"starts": {id: [[...], ...]}}.
"""

import json
import sys

import gymnasium as gym
import numpy as np


def encode_action(env, action):
    if isinstance(env.action_space, gym.spaces.Discrete):
        return int(action[0])
    return np.array(action, dtype=np.float32)


def trajectory(case):
    env = gym.make(case["id"])
    states = case["states"]
    next_state = 0
    episode_steps = 0

    def start():
        nonlocal next_state, episode_steps
        env.reset(seed=0)
        env.unwrapped.state = np.array(states[next_state], dtype=np.float64)
        next_state += 1
        episode_steps = 0

    start()
    result = {"observations": [], "rewards": [], "terminated": [], "truncated": []}
    for action in case["actions"]:
        observation, reward, terminated, truncated, _ = env.step(encode_action(env, action))
        result["observations"].append([float(x) for x in observation])
        result["rewards"].append(float(reward))
        result["terminated"].append(bool(terminated))
        result["truncated"].append(bool(truncated))
        episode_steps += 1
        if terminated or truncated or episode_steps == case["restartEvery"]:
            start()
    return result


def starts(ids, count):
    answer = {}
    for env_id in ids:
        env = gym.make(env_id)
        answer[env_id] = [[float(x) for x in env.reset(seed=seed)[0]] for seed in range(count)]
    return answer


def main():
    request = json.load(sys.stdin)
    if request["mode"] == "trajectories":
        answer = {"cases": [trajectory(case) for case in request["cases"]]}
    elif request["mode"] == "starts":
        answer = {"starts": starts(request["ids"], request["count"])}
    else:
        raise ValueError(f"unknown mode {request['mode']!r}")
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
