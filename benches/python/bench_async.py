"""Benchmark 3 (Python): N creates started together through
``gameye.AsyncClient`` and ``asyncio.gather``, against N awaited one after
another on the same client.

    python bench_async.py BASE_URL [--n 1000] [--rounds 5] [--key py.async]

Figures are KEY.throughput, KEY.seq_throughput and KEY.seq_median (the
median time of one awaited create in the sequential rounds, against the
blocking call's median of bench_sequential.py); scripts/bench.sh also runs
it with BENCH_IMAGE=bench-rtt (5 ms of injected server latency) under KEY
py.async_rtt.

One untimed warm-up burst first (it opens the pool's connections), then
ROUNDS rounds alternating sequential and concurrent; each figure is the
median round's throughput. Skips loudly while ``gameye.AsyncClient`` does
not exist.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time

import gameye

from bench_common import TOKEN, result, skip

IMAGE = os.environ.get("BENCH_IMAGE", "bench")


async def run(base_url, n, rounds, key):
    client = gameye.AsyncClient(TOKEN, base_url=base_url)

    async def concurrent():
        t0 = time.perf_counter()
        sessions = await asyncio.gather(*(client.create_session("europe", IMAGE) for _ in range(n)))
        elapsed = time.perf_counter() - t0
        assert len({s.id for s in sessions}) == n
        return n / elapsed

    per_call = []

    async def sequential():
        t0 = time.perf_counter()
        for _ in range(n):
            c0 = time.perf_counter()
            s = await client.create_session("europe", IMAGE)
            per_call.append(time.perf_counter() - c0)
            assert s.id
        return n / (time.perf_counter() - t0)

    await concurrent()
    seq, conc = [], []
    for i in range(rounds):
        seq.append(await sequential())
        conc.append(await concurrent())
        print(f"round {i + 1}: sequential {seq[-1]:.0f}/s, concurrent {conc[-1]:.0f}/s",
              file=sys.stderr)
    result(f"{key}.seq_throughput", statistics.median(seq), "creates/s")
    result(f"{key}.throughput", statistics.median(conc), "creates/s")
    result(f"{key}.seq_median", statistics.median(per_call) * 1e6, "us")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base_url")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--key", default="py.async")
    a = p.parse_args()
    if not hasattr(gameye, "AsyncClient"):
        skip(a.key, "gameye.AsyncClient does not exist yet in this build of the binding")
        return
    asyncio.run(run(a.base_url, a.n, a.rounds, a.key))


if __name__ == "__main__":
    main()
