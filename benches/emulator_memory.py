#!/usr/bin/env python3
"""The emulator's memory under many sessions (BENCHMARKS.md, "Emulator memory").

Drives a fresh emulator with wrk (benches/wrk/create-stop.lua and
create-count.lua) and reads its VmRSS from /proc/PID/status:

1. N sessions created and each stopped at once, in 10 rounds: the RSS after
   each round. Exited sessions are kept only within exited_keep_max /
   exited_keep_secs (defaults 10,000 and one hour), so it stays flat.
2. N sessions created and left running: the RSS before and after, and the
   bytes per running session.

Usage: benches/emulator_memory.py [--count N] [--emulator PATH]
       (default 1,000,000 and target/release/gameye-emulator)
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def threads(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


class Emulator:
    def __init__(self, binary, extra=()):
        self.dir = tempfile.mkdtemp(prefix="gameye-mem-")
        port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--port-file", port_file, "--control",
             "--config", os.path.join(ROOT, "benches", "emulator-bench.json"), *extra],
            stdout=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        self.url = "http://127.0.0.1:" + open(port_file).read().strip()

    def count(self):
        with urllib.request.urlopen(self.url + "/_emulator/sessions/count", timeout=30) as r:
            return json.load(r)["count"]

    def rss(self):
        return rss_kib(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def wrk(url, script, threads_, conns, *args):
    """Runs wrk until every thread has stopped itself (the script decides
    when), then interrupts it; wrk itself would wait out its -d."""
    cmd = ["wrk", f"-t{threads_}", f"-c{conns}", "-d3600s", "-s",
           os.path.join(ROOT, "benches", "wrk", script), url, "--", *map(str, args)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    started = time.monotonic()
    time.sleep(0.5)
    while threads(p.pid) > 1 and p.poll() is None:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    if "Non-2xx" in out:
        sys.exit("wrk saw error answers:\n" + out)
    return elapsed


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--emulator", default=os.path.join(ROOT, "target", "release", "gameye-emulator"))
    a = ap.parse_args()
    n = a.count

    print(f"## {n:,} sessions created and stopped (exited sessions kept: the defaults)")
    emu = Emulator(a.emulator)
    print(f"| created and stopped | VmRSS |\n|---:|---:|\n| 0 | {mib(emu.rss())} |")
    rounds, done_ = 10, 0
    for r in range(rounds):
        per_thread = n // rounds // 2
        wrk(emu.url, "create-stop.lua", 2, 2, per_thread, f"r{r}")
        done_ += per_thread * 2
        print(f"| {done_:,} | {mib(emu.rss())} |", flush=True)
    print(f"sessions held at the end: {emu.count():,}")
    emu.stop()

    print(f"\n## {n:,} sessions created and left running")
    emu = Emulator(a.emulator)
    # One warm-up session, so the baseline includes the runtime's first
    # allocations.
    wrk(emu.url, "create-count.lua", 1, 1, 1)
    before, held_before = emu.rss(), emu.count()
    secs = wrk(emu.url, "create-count.lua", 2, 16, n // 2)
    after, held = emu.rss(), emu.count()
    added = held - held_before
    per = (after - before) * 1024 / added
    print(f"| running sessions | VmRSS |\n|---:|---:|\n| {held_before:,} | {mib(before)} |"
          f"\n| {held:,} | {mib(after)} |")
    print(f"bytes per running session: {per:.0f} ({added:,} sessions in {secs:.0f} s)")
    emu.stop()


if __name__ == "__main__":
    main()
