#!/usr/bin/env python3
"""Side-by-side ratios of `sparserl bench kernels` tables from two builds (or two kernel variants).

Usage: compare_kernel_tables.py --before A1.md [A2.md ...] --after B1.md [B2.md ...]
Each file is the standard output of one `sparserl bench kernels` run. Per row (layer, batch, kernel) the script
takes the median (or, with --statistic min, the fastest) over the runs given of forward, backward and
forward+backward microseconds, and prints a markdown table with both and the ratio after / before (below 1 =
faster after), then the median ratio. Interleave the runs of the two builds so that they share the machine's
load; on a busy machine the fastest of several runs is the steadier estimate of what the code can do.
"""
import argparse
import statistics


def read_table(path):
    rows = {}
    with open(path) as handle:
        for line in handle:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) < 7 or not cells[1].isdigit():
                continue
            key = (cells[0], int(cells[1]), cells[2])
            rows[key] = tuple(float(cells[i]) for i in (4, 5, 6))
    if not rows:
        raise SystemExit(f"{path}: no kernel table rows found")
    return rows


def summarise(paths, statistic):
    tables = [read_table(path) for path in paths]
    keys = [key for key in tables[0] if all(key in table for table in tables)]
    return {key: tuple(statistic(table[key][i] for table in tables) for i in range(3)) for key in keys}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", nargs="+", required=True)
    parser.add_argument("--after", nargs="+", required=True)
    parser.add_argument("--before-name", default="before")
    parser.add_argument("--after-name", default="after")
    parser.add_argument("--statistic", choices=["median", "min"], default="median")
    arguments = parser.parse_args()
    statistic = statistics.median if arguments.statistic == "median" else min
    before, after = summarise(arguments.before, statistic), summarise(arguments.after, statistic)
    b, a = arguments.before_name, arguments.after_name
    label = arguments.statistic
    print(f"| layer | batch | kernel | {b} fwd+bwd µs ({label}) | {a} fwd+bwd µs ({label}) | fwd {a}/{b} | bwd {a}/{b} | fwd+bwd {a}/{b} |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    ratios = []
    for key in before:
        if key not in after:
            continue
        x, y = before[key], after[key]
        ratio = [y[i] / x[i] for i in range(3)]
        ratios.append(ratio[2])
        print(f"| {key[0]} | {key[1]} | {key[2]} | {x[2]:.4g} | {y[2]:.4g} | {ratio[0]:.3f} | {ratio[1]:.3f} | {ratio[2]:.3f} |")
    print()
    print(
        f"fwd+bwd {a}/{b} ({label} of runs per row): median {statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f} "
        f"over {len(ratios)} rows ({len(arguments.before)} and {len(arguments.after)} runs)."
    )


if __name__ == "__main__":
    main()
