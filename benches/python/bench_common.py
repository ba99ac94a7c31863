"""Shared by the Python benchmarks: statistics and the output format that
scripts/bench.sh reads (``RESULT <key> <value> <unit>``, one line per figure)."""

import math
import sys

TOKEN = "gameye-emulator-token"


def stats(samples):
    """Median, p99 (nearest rank) and mean of a list of numbers."""
    v = sorted(samples)
    n = len(v)
    median = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    rank = min(n, max(1, math.ceil(n * 0.99)))
    return median, v[rank - 1], sum(v) / n


def result(key, value, unit):
    print(f"RESULT {key} {value:.6g} {unit}", flush=True)


def skip(what, why):
    """A loud skip that scripts/bench.sh shows in its table."""
    print(f"!!!!!!!! SKIPPED: {what}: {why} !!!!!!!!", file=sys.stderr, flush=True)
    print(f"SKIP {what} {why}", flush=True)
