"""Benchmark 3 (Python): N creates started together through
``gameye.AsyncClient`` and ``asyncio.gather``, against N awaited one after
another on the same client.

    python bench_async.py BASE_URL [--n 1000] [--rounds 5] [--key py.async]
                          [--ca PEM] [--with-blocking] [--sequential-only]

Figures are KEY.throughput, KEY.seq_throughput and KEY.seq_median (the
median time of one awaited create in the sequential rounds, against the
blocking call's median of bench_sequential.py); scripts/bench.sh also runs
it with BENCH_IMAGE=bench-rtt (5 ms of injected server latency) under KEY
py.async_rtt.

``--ca`` gives both clients ``ca_bundle_path`` (https to a test CA).
``--with-blocking`` adds, in every round, N blocking creates one after
another on a ``gameye.Client`` with the same settings, timed the same way
(KEY.blocking_median): the awaited call and the blocking one measured in
the same process, same pinning, interleaved. ``--sequential-only`` leaves out
the concurrent bursts (no KEY.throughput).

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


async def run(base_url, n, rounds, key, ca=None, with_blocking=False, sequential_only=False):
    extra = {"ca_bundle_path": ca} if ca else {}
    client = gameye.AsyncClient(TOKEN, base_url=base_url, **extra)
    blocking = gameye.Client(TOKEN, base_url=base_url, **extra) if with_blocking else None

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

    blocking_per_call = []

    def blocking_sequential():
        for _ in range(n):
            c0 = time.perf_counter()
            s = blocking.create_session("europe", IMAGE)
            blocking_per_call.append(time.perf_counter() - c0)
            assert s.id

    if sequential_only:
        # Warm-up: the connections (and TLS sessions) of both clients.
        for _ in range(max(1, n // 10)):
            await client.create_session("europe", IMAGE)
    else:
        await concurrent()
    if blocking is not None:
        for _ in range(max(1, n // 10)):
            blocking.create_session("europe", IMAGE)
    seq, conc = [], []
    for i in range(rounds):
        seq.append(await sequential())
        line = f"round {i + 1}: sequential {seq[-1]:.0f}/s"
        if not sequential_only:
            conc.append(await concurrent())
            line += f", concurrent {conc[-1]:.0f}/s"
        if blocking is not None:
            blocking_sequential()
            line += f", blocking median so far {statistics.median(blocking_per_call) * 1e6:.1f}us"
        print(line, file=sys.stderr)
    result(f"{key}.seq_throughput", statistics.median(seq), "creates/s")
    if conc:
        result(f"{key}.throughput", statistics.median(conc), "creates/s")
    result(f"{key}.seq_median", statistics.median(per_call) * 1e6, "us")
    if blocking_per_call:
        result(f"{key}.blocking_median", statistics.median(blocking_per_call) * 1e6, "us")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base_url")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--key", default="py.async")
    p.add_argument("--ca", help="PEM file of extra trusted roots (ca_bundle_path)")
    p.add_argument("--with-blocking", action="store_true",
                   help="also time blocking creates in the same rounds (KEY.blocking_median)")
    p.add_argument("--sequential-only", action="store_true",
                   help="no concurrent bursts")
    a = p.parse_args()
    if not hasattr(gameye, "AsyncClient"):
        skip(a.key, "gameye.AsyncClient does not exist yet in this build of the binding")
        return
    asyncio.run(run(a.base_url, a.n, a.rounds, a.key, a.ca, a.with_blocking, a.sequential_only))


if __name__ == "__main__":
    main()
