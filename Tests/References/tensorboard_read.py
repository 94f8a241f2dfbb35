"""Reads a TensorBoard event file with TensorBoard's own loader and prints its scalars as JSON.

Input (stdin): {"path": "<event file>"}. Output: {"version": str, "scalars": {tag: [[step, value], ...]}}.
"""
import json
import sys

from tensorboard.backend.event_processing import event_file_loader

request = json.load(sys.stdin)
scalars = {}
version = None
for event in event_file_loader.LegacyEventFileLoader(request["path"]).Load():
    if event.HasField("file_version"):
        version = event.file_version
    for value in event.summary.value:
        scalars.setdefault(value.tag, []).append([event.step, value.simple_value])
json.dump({"version": version, "scalars": scalars}, sys.stdout)
