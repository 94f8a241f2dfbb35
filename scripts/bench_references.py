#!/usr/bin/env python3
"""Training-phase steps per second of Stable-Baselines3 (PyTorch) and SBX (JAX) TD3 and SAC, for
`sparserl bench agents --references`, with the settings of that benchmark's SAC/TD3 rows.

Run with the optional venv of scripts/setup-references.sh:

    .venv-references/bin/python scripts/bench_references.py --env HalfCheetah-v5 --steps 500 --threads 2

Each agent runs in a fresh subprocess: `--warmup-steps` uniformly random steps (no updates, as SB3's
`learning_starts`), then one update per environment step. The clock starts after `--skip-steps` further training
steps (they include JAX's compilation of the update and PyTorch's first allocations) and stops after `--steps`
more. Prints one JSON object: the thread settings, the library versions and one result per agent.

Settings (as `AgentBenchmark`'s SAC/TD3 rows): actor and twin critics 2x256 ReLU, batch 256, gamma 0.99, tau 0.005,
Adam 3e-4, one gradient step per environment step, replay of `--buffer-size` transitions. TD3: Gaussian
exploration noise 0.1, target noise 0.2 clipped to 0.5, policy delay 2. SAC: learned temperature from 1.0, target
entropy -|A|, actor and targets updated every step.
"""

import argparse
import json
import os
import subprocess
import sys
import time

AGENTS = ["SB3-TD3", "SB3-SAC", "SBX-TD3", "SBX-SAC"]


def configure_threads(threads):
    """Gives PyTorch and XLA `threads` threads (set before either is imported) and pins the process to the first
    `threads` cores; returns what was set."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["MKL_NUM_THREADS"] = str(threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    # libgomp's default spin-waiting made PyTorch 30-50x slower with 2 threads on 2 cores that other processes
    # also used; passive waiting keeps its threads from burning the cores they share.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ["JAX_PLATFORMS"] = "cpu"
    os.environ["XLA_FLAGS"] = (
        f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} intra_op_parallelism_threads={threads}"
    )
    cores = sorted(os.sched_getaffinity(0))[:threads]
    os.sched_setaffinity(0, cores)
    return {
        "threads": threads, "cores": cores, "xla_flags": os.environ["XLA_FLAGS"],
        "omp_wait_policy": os.environ["OMP_WAIT_POLICY"],
    }


def measure(agent, env_id, steps, warmup_steps, skip_steps, buffer_size, threads):
    settings = configure_threads(threads)
    import gymnasium as gym
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)
    settings["torch_threads"] = torch.get_num_threads()
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.noise import NormalActionNoise

    library, algorithm = agent.split("-")
    if library == "SB3":
        from stable_baselines3 import SAC, TD3
    else:
        import jax
        from sbx import SAC, TD3

        settings["jax_devices"] = [str(d) for d in jax.devices()]
    env = gym.make(env_id)
    width = env.action_space.shape[0]
    common = dict(
        learning_rate=3e-4,
        buffer_size=buffer_size,
        learning_starts=warmup_steps,
        batch_size=256,
        tau=0.005,
        gamma=0.99,
        train_freq=1,
        gradient_steps=1,
        policy_kwargs=dict(net_arch=[256, 256]),
        seed=0,
        verbose=0,
        device="cpu",
    )
    if algorithm == "TD3":
        model = TD3(
            "MlpPolicy",
            env,
            action_noise=NormalActionNoise(np.zeros(width), 0.1 * np.ones(width)),
            policy_delay=2,
            target_policy_noise=0.2,
            target_noise_clip=0.5,
            **common,
        )
    else:
        model = SAC("MlpPolicy", env, ent_coef="auto_1.0", target_entropy="auto", **common)

    class Clock(BaseCallback):
        """Times the steps after the warm-up and the skipped training steps."""

        def __init__(self):
            super().__init__()
            self.start = None
            self.first = None

        def _on_step(self):
            if self.num_timesteps == warmup_steps + skip_steps:
                self.start, self.first = time.perf_counter(), self.num_timesteps
            return True

    clock = Clock()
    total = warmup_steps + skip_steps + steps
    model.learn(total_timesteps=total, callback=clock, log_interval=1_000_000)
    elapsed = time.perf_counter() - clock.start
    timed = model.num_timesteps - clock.first
    return {
        "agent": agent,
        "library": library,
        "algorithm": algorithm,
        "environment": env_id,
        "steps": timed,
        "steps_per_second": timed / elapsed,
        "warmup_steps": warmup_steps,
        "skip_steps": skip_steps,
        "buffer_size": buffer_size,
        **settings,
    }


def versions():
    import importlib.metadata as metadata

    names = ["torch", "stable-baselines3", "sbx-rl", "jax", "jaxlib", "flax", "gymnasium", "mujoco", "numpy"]
    return {name: metadata.version(name) for name in names}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--agents", nargs="+", default=AGENTS, choices=AGENTS)
    parser.add_argument("--steps", type=int, default=1000, help="timed training steps")
    parser.add_argument("--warmup-steps", type=int, default=1000, help="random steps before the first update")
    parser.add_argument("--skip-steps", type=int, default=50, help="untimed training steps (JAX compilation)")
    parser.add_argument(
        "--buffer-size", type=int, nargs=2, metavar=("TD3", "SAC"), default=[1_000_000, 3_000_000],
        help="replay capacity of TD3 and SAC (the project's defaults)")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[os.cpu_count()],
        help="PyTorch/XLA thread counts, each measured (default: all cores)")
    parser.add_argument("--single", choices=AGENTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        buffer_size = args.buffer_size[0] if args.single.endswith("TD3") else args.buffer_size[1]
        result = measure(
            args.single, args.env, args.steps, args.warmup_steps, args.skip_steps, buffer_size, args.threads[0])
        print(json.dumps(result))
        return
    results = []
    for agent in args.agents:
        for threads in args.threads:
            command = [sys.executable, __file__, "--single", agent] + [
                f"--{name}={value}"
                for name, value in [
                    ("env", args.env), ("steps", args.steps), ("warmup-steps", args.warmup_steps),
                    ("skip-steps", args.skip_steps), ("threads", threads),
                ]
            ] + ["--buffer-size", str(args.buffer_size[0]), str(args.buffer_size[1])]
            print(f"bench_references: {agent} on {args.env}, {threads} threads", file=sys.stderr, flush=True)
            output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
    print(json.dumps({"threads": args.threads, "cpu_count": os.cpu_count(), "versions": versions(), "results": results}))


if __name__ == "__main__":
    main()
