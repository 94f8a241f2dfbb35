"""dm_control's rewards.tolerance for SparseRL's reward tests.

Reads {"cases": [{"x": x, "lower": l, "upper": u, "margin": m, "sigmoid": s, "value_at_margin": v}, ...]}
on standard input (infinite bounds as the strings "inf" / "-inf") and writes {"values": [...]}.
"""

import json
import sys

from dm_control.utils import rewards


def number(value):
    return float(value)


def main():
    cases = json.load(sys.stdin)["cases"]
    values = [float(rewards.tolerance(number(c["x"]), bounds=(number(c["lower"]), number(c["upper"])),
                                      margin=number(c["margin"]), sigmoid=c["sigmoid"],
                                      value_at_margin=number(c["value_at_margin"])))
              for c in cases]
    json.dump({"values": values}, sys.stdout)


if __name__ == "__main__":
    main()
