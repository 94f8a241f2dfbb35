"""Reads YAML documents with PyYAML (YAML 1.1, as Python users read a run's config.yaml), for the tests of how
`config.yaml` writes numbers.

Input: {"documents": [yaml text, ...]}
Output: one object per document mapping each scalar's path (mapping keys and sequence indices joined by "/") to
{"type": Python type name, "value": float.hex of the number (ints and floats) or str of anything else}.
"""
import json
import sys

import yaml


def leaves(node, path, out):
    if isinstance(node, dict):
        for key, value in node.items():
            leaves(value, path + [str(key)], out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            leaves(value, path + [str(index)], out)
    else:
        number = isinstance(node, (int, float)) and not isinstance(node, bool)
        out["/".join(path)] = {"type": type(node).__name__, "value": float(node).hex() if number else str(node)}
    return out


request = json.load(sys.stdin)
json.dump([leaves(yaml.safe_load(text), [], {}) for text in request["documents"]], sys.stdout)
