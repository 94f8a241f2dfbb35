"""Reference answers for SparseRL's Atari tests, from ale-py 0.12.1 and Gymnasium 1.4.0's wrappers.

Reads one JSON request on standard input and writes one JSON answer:
- {"kind": "raw" | "dqn", "game", "seed", "repeat_action_probability", "max_frames", "actions",
   "noop_max", "terminal_on_life_loss"}: plays the actions from reset(seed) (resetting without a seed after every
   episode end) on ALE/<Game>-v5 ("raw", RGB frames) or on FrameStackObservation(AtariPreprocessing(ALE/<Game>-v5
   with frameskip 1), 4) ("dqn"); answers CRC-32s of every observation's bytes (row-major, numpy layout), rewards,
   flags, lives and frame numbers, and the first observation in full.
- {"kind": "numpy", "seeds", "draws", "high"}: SeedSequence(seed).generate_state(2) and, from
  Generator(PCG64(seed)), `draws` values of integers(1, high) and of next 64-bit outputs.
- {"kind": "ids"}: the registered ALE/<Game>-v5 ids.
- {"kind": "resize", "seed", "count", "height", "width", "size"}: random byte images and cv2.resize(INTER_AREA).
"""

import json
import sys
import zlib

import numpy as np


def play(request):
    import ale_py
    import gymnasium as gym
    from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

    gym.register_envs(ale_py)
    name = "".join(part for part in request["game"].title().split("_"))
    kwargs = dict(repeat_action_probability=request["repeat_action_probability"])
    if request.get("max_frames") is not None:
        kwargs["max_num_frames_per_episode"] = request["max_frames"]
    if request["kind"] == "dqn":
        env = gym.make(f"ALE/{name}-v5", frameskip=1, **kwargs)
        env = AtariPreprocessing(env, noop_max=request["noop_max"], frame_skip=4, screen_size=84,
                                 terminal_on_life_loss=request["terminal_on_life_loss"])
        env = FrameStackObservation(env, 4)
    else:
        env = gym.make(f"ALE/{name}-v5", **kwargs)
    observation, info = env.reset(seed=request["seed"])
    answer = {"action_count": int(env.action_space.n), "first_observation": observation.reshape(-1).tolist(),
              "observation_shape": list(observation.shape), "frames": [zlib.crc32(observation.tobytes())],
              "rewards": [], "terminated": [], "truncated": [], "lives": [int(info["lives"])],
              "episode_frame_numbers": [int(info["episode_frame_number"])], "resets": [0]}
    for t, action in enumerate(request["actions"]):
        observation, reward, terminated, truncated, info = env.step(action)
        answer["frames"].append(zlib.crc32(observation.tobytes()))
        answer["rewards"].append(float(reward))
        answer["terminated"].append(bool(terminated))
        answer["truncated"].append(bool(truncated))
        answer["lives"].append(int(info["lives"]))
        answer["episode_frame_numbers"].append(int(info["episode_frame_number"]))
        if terminated or truncated:
            observation, info = env.reset()
            answer["resets"].append(t + 1)
            answer["frames"].append(zlib.crc32(observation.tobytes()))
            answer["lives"].append(int(info["lives"]))
            answer["episode_frame_numbers"].append(int(info["episode_frame_number"]))
    return answer


def numpy_draws(request):
    answer = {"states": [], "integers": [], "outputs": []}
    for seed in request["seeds"]:
        answer["states"].append([int(w) for w in np.random.SeedSequence(seed).generate_state(2)])
        generator = np.random.Generator(np.random.PCG64(seed))
        answer["integers"].append([int(generator.integers(1, request["high"])) for _ in range(request["draws"])])
        bit_generator = np.random.PCG64(seed)
        answer["outputs"].append([str(int(v)) for v in bit_generator.random_raw(request["draws"])])
    return answer


def resize(request):
    import cv2

    rng = np.random.default_rng(request["seed"])
    images, resized = [], []
    for k in range(request["count"]):
        if k % 2 == 0:
            image = rng.integers(0, 256, size=(request["height"], request["width"]), dtype=np.uint8)
        else:  # flat regions with sharp edges, like Atari screens
            image = np.repeat(rng.integers(0, 256, size=(request["height"], 1), dtype=np.uint8), request["width"], 1)
            image[:, rng.integers(0, request["width"]):] = rng.integers(0, 256)
        images.append(image.reshape(-1).tolist())
        size = request["size"]
        resized.append(cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA).reshape(-1).tolist())
    return {"images": images, "resized": resized, "opencv_version": cv2.__version__}


def ids(request):
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    return {"ids": sorted(k for k in gym.registry if k.startswith("ALE/") and k.endswith("-v5"))}


request = json.load(sys.stdin)
handlers = {"raw": play, "dqn": play, "numpy": numpy_draws, "resize": resize, "ids": ids}
json.dump(handlers[request["kind"]](request), sys.stdout)
