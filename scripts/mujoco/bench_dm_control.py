"""Control steps per second of a dm_control suite task with uniform random actions (for `sparserl bench dmc`).

Usage: bench_dm_control.py dmc/DOMAIN-TASK STEPS  -> prints {"steps_per_second": x} as JSON.
Resets when an episode ends (the reset is included in the time). Actions are drawn before timing.
"""

import json
import os
import sys
import time

os.environ.setdefault("MUJOCO_GL", "disable")

import numpy as np  # noqa: E402
from dm_control import suite  # noqa: E402


def main():
    domain, task = sys.argv[1].removeprefix("dmc/").split("-", 1)
    steps = int(sys.argv[2])
    env = suite.load(domain, task, task_kwargs={"random": 0})
    spec = env.action_spec()
    rng = np.random.default_rng(0)
    actions = rng.uniform(spec.minimum, spec.maximum, size=(steps,) + spec.shape).astype(np.float32)
    env.reset()
    start = time.perf_counter()
    for action in actions:
        if env.step(action.astype(np.float64)).last():
            env.reset()
    elapsed = time.perf_counter() - start
    json.dump({"steps_per_second": steps / elapsed}, sys.stdout)


if __name__ == "__main__":
    main()
