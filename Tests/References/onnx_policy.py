"""Serves actions of an exported ONNX policy with ONNX Runtime, for the export tests and the inference benchmark.

Usage: onnx_policy.py MODEL OBSERVATION_SIZE ACTION_SIZE [--bench BATCH SECONDS]
Checks the model with onnx.checker first (the structural check: the full check's shape inference does not type
sparse initializers, which ONNX Runtime densifies when it loads the model). Serving protocol on stdin/stdout,
little-endian: a request is a uint32 count n followed by n * OBSERVATION_SIZE float32; the reply is
n * ACTION_SIZE float32 (a discrete action index converted to float). With --bench, times batches of BATCH
random observations for about SECONDS and prints "<actions per second>".
"""
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort


def main():
    path, width, action_width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    onnx.checker.check_model(onnx.load(path))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    if len(sys.argv) > 4 and sys.argv[4] == "--bench":
        batch, seconds = int(sys.argv[5]), float(sys.argv[6])
        obs = np.random.default_rng(0).standard_normal((batch, width)).astype(np.float32)
        session.run(["action"], {"observation": obs})
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for _ in range(50):
                session.run(["action"], {"observation": obs})
            count += 50 * batch
        print(count / (time.perf_counter() - start))
        return
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(4)
        if len(header) < 4:
            break
        n = int.from_bytes(header, "little")
        data = stdin.read(4 * n * width)
        observations = np.frombuffer(data, dtype=np.float32).reshape(n, width)
        (actions,) = session.run(["action"], {"observation": observations})
        stdout.write(np.asarray(actions).astype(np.float32).reshape(n, action_width).tobytes())
        stdout.flush()


if __name__ == "__main__":
    main()
