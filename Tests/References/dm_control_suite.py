"""Reference runs of dm_control's suite tasks for SparseRL's DeepMind Control parity tests.

Reads one JSON request on standard input and writes one JSON answer:
  request: {"domain": "cheetah", "task": "run", "state": [...], "actions": [[...], ...], "resets": n,
            "seed": s}
  answer:  {"start_observation": [...], "observations": [...], "rewards": [...], "step_types": [...],
            "reset_states": [[...], ...], "mujoco_version": "...", "n_sub_steps": n, "step_limit": x,
            "observation_size": n, "action_low": [...], "action_high": [...]}

The trajectory: suite.load(domain, task), reset, then the physics state set to `state` (MuJoCo's
mjSTATE_INTEGRATION, as the Swift side saved it) with mj_setState followed by Physics.after_reset (mj_forward
with actuation disabled, which ends every dm_control reset); then every action in turn through env.step.
Observations are flattened in the observation dictionary's order (dm_control's flatten_observation).
The reset states: qpos, qvel and act concatenated after each of `resets` resets of a task seeded with `seed`.
"""

import json
import os
import sys

os.environ.setdefault("MUJOCO_GL", "disable")

import mujoco  # noqa: E402
import numpy as np  # noqa: E402
from dm_control import suite  # noqa: E402
from dm_control.rl import control  # noqa: E402


def flat(observation):
    return control.flatten_observation(observation)[control.FLAT_OBSERVATION_KEY].astype(np.float64).tolist()


def main():
    request = json.load(sys.stdin)
    domain, task = request["domain"], request["task"]
    env = suite.load(domain, task)
    physics = env.physics
    env.reset()
    state = np.array(request["state"], dtype=np.float64)
    mujoco.mj_setState(physics.model.ptr, physics.data.ptr, state, mujoco.mjtState.mjSTATE_INTEGRATION)
    physics.after_reset()
    answer = {"start_observation": flat(env.task.get_observation(physics)), "observations": [], "rewards": [],
              "step_types": []}
    for action in request["actions"]:
        step = env.step(np.array(action, dtype=np.float64))
        answer["observations"].append(flat(step.observation))
        answer["rewards"].append(float(step.reward))
        answer["step_types"].append(int(step.step_type))

    seeded = suite.load(domain, task, task_kwargs={"random": request["seed"]})
    states = []
    for _ in range(request["resets"]):
        seeded.reset()
        data = seeded.physics.data
        states.append(np.concatenate([data.qpos, data.qvel, data.act]).tolist())
    answer["reset_states"] = states
    spec = env.action_spec()
    answer.update({
        "mujoco_version": mujoco.__version__,
        "n_sub_steps": env._n_sub_steps,
        "step_limit": float(env._step_limit),
        "observation_size": len(answer["start_observation"]),
        "action_low": np.broadcast_to(spec.minimum, spec.shape).astype(np.float64).tolist(),
        "action_high": np.broadcast_to(spec.maximum, spec.shape).astype(np.float64).tolist(),
    })
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
