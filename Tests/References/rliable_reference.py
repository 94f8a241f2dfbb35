"""rliable's aggregate metrics, stratified-bootstrap intervals, probability of improvement and performance
profiles for score matrices given on standard input (JSON), for the statistics tests of `sparserl report`.

Input: {"scores": {"name": [[run0 task0, run0 task1, ...], ...]}, "x": name, "y": name, "reps": int,
        "improvement_reps": int, "profile_reps": int, "taus": [...]}
Output: point estimates, 95% percentile intervals (stratified bootstrap, `reps` replicates), P(x > y) with its
interval, and the score distributions at `taus` with their intervals.
"""
import json
import sys

import numpy as np
from rliable import library as rly
from rliable import metrics

request = json.load(sys.stdin)
# Sorted by name: numpy's global generator is consumed group after group, so the order fixes the draws.
scores = {name: np.asarray(rows, dtype=np.float64) for name, rows in sorted(request["scores"].items())}
reps = int(request["reps"])
np.random.seed(0)  # rliable's StratifiedBootstrap draws from numpy's global generator

functions = {
    "iqm": metrics.aggregate_iqm,
    "mean": metrics.aggregate_mean,
    "median": metrics.aggregate_median,
    "optimality_gap": metrics.aggregate_optimality_gap,
}
aggregate = lambda x: np.array([f(x) for f in functions.values()])
points, intervals = rly.get_interval_estimates(scores, aggregate, reps=reps)
result = {"aggregates": {}}
for name in scores:
    result["aggregates"][name] = {
        metric: {"value": float(points[name][i]), "lower": float(intervals[name][0][i]),
                 "upper": float(intervals[name][1][i])}
        for i, metric in enumerate(functions)
    }
x, y = request["x"], request["y"]
pair = {f"{x},{y}": (scores[x], scores[y])}
poi_points, poi_intervals = rly.get_interval_estimates(
    pair, metrics.probability_of_improvement, reps=int(request["improvement_reps"]))
key = f"{x},{y}"
bounds = np.ravel(poi_intervals[key])
result["improvement"] = {"value": float(poi_points[key]), "lower": float(bounds[0]), "upper": float(bounds[1])}
taus = np.asarray(request["taus"], dtype=np.float64)
profiles, profile_cis = rly.create_performance_profile(scores, taus, reps=int(request["profile_reps"]))
average_profiles, _ = rly.create_performance_profile(scores, taus, use_score_distribution=False, reps=2)
result["profiles"] = {name: {"values": profiles[name].tolist(), "lower": profile_cis[name][0].tolist(),
                             "upper": profile_cis[name][1].tolist(),
                             "average": average_profiles[name].tolist()} for name in scores}
json.dump(result, sys.stdout)
