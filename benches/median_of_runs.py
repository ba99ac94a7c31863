"""Median and spread of figures over several runs of scripts/bench.sh.

    python3 benches/median_of_runs.py RAW.txt... [--keys PREFIX,...]

Each RAW.txt is a run's target/bench/raw.txt (``key value unit`` lines).
Prints one line per key: the median over the runs that have it, the spread
(min-max) and the number of runs; then, for each row of benches/report.py
with a baseline, the median of the per-run ratios with their spread (the
ratio of two medians can hide that the runs disagree). Standard library only.
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import ROWS, fmt  # noqa: E402


def read(path):
    figures = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                key, value, unit = line.split(None, 2)
                figures[key] = (float(value), unit.strip())
    return figures


def main():
    args = sys.argv[1:]
    prefixes = None
    if "--keys" in args:
        i = args.index("--keys")
        prefixes = args[i + 1].split(",")
        del args[i:i + 2]
    runs = [read(p) for p in args]
    keys = sorted({k for r in runs for k in r})
    if prefixes:
        keys = [k for k in keys if any(k.startswith(p) for p in prefixes)]
    print("| key | median | spread (min-max) | runs |")
    print("|---|---:|---:|---:|")
    for k in keys:
        values = [r[k][0] for r in runs if k in r]
        unit = next(r[k][1] for r in runs if k in r)
        print(f"| {k} | {fmt(statistics.median(values), unit)} | "
              f"{fmt(min(values), '').strip()}–{fmt(max(values), unit)} | {len(values)} |")
    print()
    print("| row | figure / baseline | ratio: median of runs | spread (min-max) | runs |")
    print("|---|---|---:|---:|---:|")
    for _, name, key, base_label, base_key, _ in ROWS:
        if not base_key or key not in keys:
            continue
        ratios = [r[key][0] / r[base_key][0] for r in runs if key in r and base_key in r and r[base_key][0]]
        if ratios:
            print(f"| {name} | {key} / {base_key} ({base_label}) | {statistics.median(ratios):.3g}× | "
                  f"{min(ratios):.3g}–{max(ratios):.3g} | {len(ratios)} |")


if __name__ == "__main__":
    main()
