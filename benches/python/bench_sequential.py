"""Benchmark 2: sequential creates from Python, one client each, one
kept-alive connection each: ``gameye.Client.create_session`` against
``requests.Session().post`` and ``httpx.Client().post`` sending the same
request (a JSON body with a fresh UUIDv4 ``id``, as the library sends, the
bearer token) and reading what a caller needs from the answer (status 201
checked, JSON body decoded).

    python bench_sequential.py BASE_URL [--n 2000] [--warmup 200] [--libs gameye,requests,httpx]
                               [--ca PEM] [--key seq]

``--ca`` makes every client trust that PEM file (https to a test CA):
``ca_bundle_path=`` for gameye, ``verify=`` for requests and httpx. Figures
are py.LIB.KEY.{median,p99,throughput}; KEY is ``seq`` unless given
(scripts/bench.sh uses ``tls`` for https and ``nginx`` for plain http to the
same nginx).
"""

import argparse
import os
import sys
import time
import uuid

from bench_common import TOKEN, result, stats

IMAGE = os.environ.get("BENCH_IMAGE", "bench")


def gameye_call(base_url, ca):
    import gameye

    client = gameye.Client(TOKEN, base_url=base_url, **({"ca_bundle_path": ca} if ca else {}))

    def call():
        session = client.create_session("europe", IMAGE)
        assert session.id and session.host
    return call


def requests_call(base_url, ca):
    import requests

    s = requests.Session()
    # Per request: REQUESTS_CA_BUNDLE in the environment beats Session.verify.
    verify = ca if ca else True
    url = base_url + "/session"
    headers = {"Authorization": "Bearer " + TOKEN}

    def call():
        r = s.post(url, json={"id": str(uuid.uuid4()), "location": "europe", "image": IMAGE},
                   headers=headers, timeout=30, verify=verify)
        if r.status_code != 201:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text}")
        body = r.json()
        assert body["host"]
    return call


def httpx_call(base_url, ca):
    import httpx

    c = httpx.Client(headers={"Authorization": "Bearer " + TOKEN}, timeout=30,
                     verify=ca if ca else True)
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
    p.add_argument("--ca", help="PEM file of the roots to trust (https to a test CA)")
    p.add_argument("--key", default="seq", help="the middle part of the result keys")
    a = p.parse_args()
    for lib in a.libs.split(","):
        call = FACTORIES[lib](a.base_url, a.ca)
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
        print(f"{lib} ({a.key}): n={a.n} median={median:.1f}us p99={p99:.1f}us mean={mean:.1f}us",
              file=sys.stderr)
        result(f"py.{lib}.{a.key}.median", median, "us")
        result(f"py.{lib}.{a.key}.p99", p99, "us")
        result(f"py.{lib}.{a.key}.throughput", a.n / total, "creates/s")


if __name__ == "__main__":
    main()
