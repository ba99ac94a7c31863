"""Benchmark 2: sequential creates from Python, one client each, one
kept-alive connection each: ``gameye.Client.create_session`` against
``requests.Session().post`` and ``httpx.Client().post`` sending the same
request (a JSON body with a fresh UUIDv4 ``id``, as the library sends, the
bearer token) and reading what a caller needs from the answer (status 201
checked, JSON body decoded).

    python bench_sequential.py BASE_URL [--n 2000] [--warmup 200] [--libs gameye,requests,httpx]
"""

import argparse
import os
import sys
import time
import uuid

from bench_common import TOKEN, result, stats

IMAGE = os.environ.get("BENCH_IMAGE", "bench")


def gameye_call(base_url):
    import gameye

    client = gameye.Client(TOKEN, base_url=base_url)

    def call():
        session = client.create_session("europe", IMAGE)
        assert session.id and session.host
    return call


def requests_call(base_url):
    import requests

    s = requests.Session()
    url = base_url + "/session"
    headers = {"Authorization": "Bearer " + TOKEN}

    def call():
        r = s.post(url, json={"id": str(uuid.uuid4()), "location": "europe", "image": IMAGE},
                   headers=headers, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text}")
        body = r.json()
        assert body["host"]
    return call


def httpx_call(base_url):
    import httpx

    c = httpx.Client(headers={"Authorization": "Bearer " + TOKEN}, timeout=30)
    url = base_url + "/session"

    def call():
        r = c.post(url, json={"id": str(uuid.uuid4()), "location": "europe", "image": IMAGE})
        if r.status_code != 201:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text}")
        body = r.json()
        assert body["host"]
    return call


FACTORIES = {"gameye": gameye_call, "requests": requests_call, "httpx": httpx_call}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base_url")
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--libs", default="gameye,requests,httpx")
    a = p.parse_args()
    for lib in a.libs.split(","):
        call = FACTORIES[lib](a.base_url)
        for _ in range(a.warmup):
            call()
        lat = []
        clock = time.perf_counter_ns
        start = clock()
        for _ in range(a.n):
            t0 = clock()
            call()
            lat.append((clock() - t0) / 1000.0)
        total = (clock() - start) / 1e9
        median, p99, mean = stats(lat)
        print(f"{lib}: n={a.n} median={median:.1f}us p99={p99:.1f}us mean={mean:.1f}us",
              file=sys.stderr)
        result(f"py.{lib}.seq.median", median, "us")
        result(f"py.{lib}.seq.p99", p99, "us")
        result(f"py.{lib}.seq.throughput", a.n / total, "creates/s")


if __name__ == "__main__":
    main()
