"""Reference computation of the training diagnostics (DiagnosticsTests.swift), directly in numpy (float64).

Reads JSON from stdin: an MLP (`layers`: weight `w` [out][in] with inactive entries 0, `mask` of the same shape,
bias `b`), ReLU between layers, a batch `x` [batch][in], the loss 0.5 * mean_b (y_b[a_b] - t_b)^2 with `actions`
and `targets`, `m` per-sample gradients, dormant thresholds `taus` and the srank `delta`; or, with
`"svd": matrix`, only the singular values and srank of that matrix. Writes the measures as JSON.
"""
import json
import sys

import numpy as np


def stable_rank(sigma, delta):
    total = sigma.sum()
    if total <= 0:
        return 0
    return int(np.argmax(np.cumsum(sigma) >= (1 - delta) * total) + 1)


def main():
    spec = json.load(sys.stdin)
    if "svd" in spec:
        a = np.array(spec["svd"], dtype=np.float64)
        sigma = np.linalg.svd(a, compute_uv=False)
        print(json.dumps({"sigma": sigma.tolist(), "srank": stable_rank(sigma, spec["delta"])}))
        return
    ws = [np.array(l["w"], dtype=np.float64) for l in spec["layers"]]
    ms = [np.array(l["mask"], dtype=bool) for l in spec["layers"]]
    bs = [np.array(l["b"], dtype=np.float64) for l in spec["layers"]]
    x = np.array(spec["x"], dtype=np.float64)
    actions = np.array(spec["actions"], dtype=int)
    targets = np.array(spec["targets"], dtype=np.float64)

    def forward(inputs):
        hs, zs, h = [inputs], [], inputs
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = h @ w.T + b
            zs.append(z)
            h = np.maximum(z, 0) if k < len(ws) - 1 else z
            hs.append(h)
        return hs, zs

    def gradient(idx):
        hs, zs = forward(x[idx])
        out = hs[-1]
        n = len(idx)
        d = np.zeros_like(out)
        d[np.arange(n), actions[idx]] = (out[np.arange(n), actions[idx]] - targets[idx]) / n
        flat = []
        for k in reversed(range(len(ws))):
            if k < len(ws) - 1:
                d = d * (zs[k] > 0)
            dw = d.T @ hs[k]
            db = d.sum(axis=0)
            flat.insert(0, np.concatenate([dw[ms[k]], db]))
            d = d @ ws[k]
        return np.concatenate(flat)

    batch = x.shape[0]
    g = gradient(np.arange(batch))
    params = np.concatenate([np.concatenate([w[m], b]) for w, m, b in zip(ws, ms, bs)])
    m = min(spec["m"], batch)
    per = np.stack([gradient(np.array([i])) for i in range(m)])
    norms = np.linalg.norm(per, axis=1)
    scale = np.outer(norms, norms)
    cos = np.divide(per @ per.T, scale, out=np.zeros((m, m)), where=scale > 0)
    off = cos[~np.eye(m, dtype=bool)]
    snr = np.abs(per.mean(axis=0)) / (per.std(axis=0) + 1e-10)

    hs, _ = forward(x)
    scores = []
    for h in hs[1:-1]:
        a = np.abs(h).mean(axis=0)
        scores.append(a / a.mean() if a.mean() > 0 else np.zeros_like(a))
    scores = np.concatenate(scores)
    features = hs[-2]
    sigma = np.linalg.svd(features, compute_uv=False)
    print(json.dumps({
        "dormant": [float((scores <= t).mean()) for t in spec["taus"]],
        "srank": stable_rank(sigma, spec["delta"]),
        "feature_norm": float(np.linalg.norm(features, axis=1).mean()),
        "grad_norm": float(np.linalg.norm(g)),
        "param_norm": float(np.linalg.norm(params)),
        "interference": float(off.mean()),
        "negative_interference": float((off < 0).mean()),
        "grad_snr": float(snr.mean()),
    }))


if __name__ == "__main__":
    main()
