"""A matchmaker: takes a queue of players with the latencies their clients
measured, places a match near them with ``create_session_near``, hands the
server's address to the players, follows the server's log live, stops the
session when the match is over, then downloads the result file the server
left as its artifact and checks it against what the players did.

    python matchmaker.py --base-url http://127.0.0.1:PORT   (run.sh does it all)

Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tarfile
import threading
from dataclasses import dataclass
from typing import Any

import gameye
from bots import Bot

IMAGE = "arena"
ROUNDS = 3
# The emulator accepts this token; against Gameye use your own (GAMEYE_TOKEN).
EMULATOR_TOKEN = "gameye-emulator-token"

@dataclass(frozen=True)
class QueuedPlayer:
    """A player waiting for a match, with the median round trip (ms) their
    game client measured to each location with gameye.ping_locations()."""

    name: str
    rtt_ms: dict[str, float]

    def ping_report(self) -> dict[str, Any]:
        """What ``create_session_near`` takes for this player."""
        locations = [{"id": loc, "median_ms": ms, "loss": 0.0} for loc, ms in self.rtt_ms.items()]
        return {"player": self.name, "locations": locations}


QUEUE = [
    QueuedPlayer("ana", {"europe": 18.0, "north-america": 95.0, "asia": 240.0}),
    QueuedPlayer("bram", {"europe": 25.0, "north-america": 88.0, "asia": 260.0}),
    QueuedPlayer("chen", {"europe": 85.0, "north-america": 30.0, "asia": 170.0}),
    QueuedPlayer("dana", {"europe": 90.0, "north-america": 22.0, "asia": 190.0}),
]


def place(client: gameye.Client) -> gameye.Session:
    """Starts the match in the best location that has room."""
    placement = client.create_session_near(
        IMAGE,
        [p.ping_report() for p in QUEUE],
        args=["--players", str(len(QUEUE)), "--rounds", str(ROUNDS)],
        # A safety net: Gameye stops the server after 10 minutes whatever happens.
        ttl="10m",
    )
    ranking = ", ".join(f"{r.id} (worst {r.worst_ms:.0f} ms)" for r in placement.ranked)
    print(f"matchmaker: best first: {ranking}")
    for attempt in placement.tried:
        print(f"matchmaker: tried {attempt.location}: {attempt.outcome}")
    session = placement.session
    print(f"matchmaker: match {session.id} placed in {placement.location}")
    return session


def follow(stream: gameye.LogStream, over: threading.Event) -> None:
    """Prints the server's log as it is written; sets ``over`` when the
    server announces the end of the match. Returns when the session ends."""
    for line in stream:
        print(f"  server | {line}")
        if "match over" in line:
            over.set()


def udp_port(session: gameye.Session) -> int:
    """The host port players send to: the one mapped to the server's 7777/udp."""
    return next(p.host for p in session.ports if p.type == "udp" and p.container == 7777)


def play(session: gameye.Session, bots: list[Bot]) -> None:
    """Hands the server's address to every player and lets them play."""
    host, port = session.host, udp_port(session)
    print(f"matchmaker: players, connect to {host}:{port} (udp)")
    threads = [threading.Thread(target=b.play, args=(host, port, ROUNDS)) for b in bots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for b in bots:
        if b.error:
            raise SystemExit(f"matchmaker: bot {b.name} failed: {b.error}")
        print(f"matchmaker: {b.name} rolled {b.rolls}, server says winner {b.outcome}")


def expected_result(bots: list[Bot]) -> tuple[dict[str, int], str]:
    """The rounds won and the winner, scored here from the rolls the bots
    sent, independently of the server."""
    wins = {b.name: 0 for b in bots}
    for r in range(ROUNDS):
        high = max(b.rolls[r] for b in bots)
        best = [b.name for b in bots if b.rolls[r] == high]
        if len(best) == 1:
            wins[best[0]] += 1
    most = max(wins.values())
    leaders = [name for name, w in wins.items() if w == most]
    return wins, leaders[0] if len(leaders) == 1 else "draw"


def fetch_result(client: gameye.Client, session_id: str) -> dict[str, Any]:
    """Downloads the server's /results/match.json (a .tar.gz of the file)."""
    archive = io.BytesIO()
    size = client.download_artifact(session_id, "/results/match.json", archive)
    print(f"matchmaker: downloaded the artifact ({size} bytes, .tar.gz)")
    archive.seek(0)
    with tarfile.open(fileobj=archive, mode="r:gz") as tar:
        member = tar.extractfile("match.json")
        if member is None:
            raise SystemExit("matchmaker: the artifact holds no match.json")
        result: dict[str, Any] = json.load(member)
    return result


def check(result: dict[str, Any], session_id: str, bots: list[Bot]) -> None:
    """Fails unless the server's result agrees with what the bots did."""
    wins, winner = expected_result(bots)
    problems = []
    if result.get("session") != session_id:
        problems.append(f"session {result.get('session')!r}, expected {session_id!r}")
    if result.get("rolls") != {b.name: b.rolls for b in bots}:
        problems.append(f"rolls {result.get('rolls')}, the bots sent others")
    if result.get("wins") != wins:
        problems.append(f"wins {result.get('wins')}, expected {wins}")
    if result.get("winner") != winner or any(b.outcome != winner for b in bots):
        problems.append(f"winner {result.get('winner')!r}, expected {winner!r}")
    if problems:
        raise SystemExit("matchmaker: bad result file: " + "; ".join(problems))
    print(f"matchmaker: result checked: winner {winner}, rounds won {wins}")


def run_match(client: gameye.Client, seed: int) -> None:
    """One whole match, from the queue to the checked result."""
    session = place(client)
    over = threading.Event()
    # Opened here so that an error raises here; read on a thread meanwhile
    # (a daemon, so that a failed match exits without waiting for it).
    stream = client.follow_logs(session.id)
    follower = threading.Thread(target=follow, args=(stream, over), daemon=True)
    follower.start()
    bots = [Bot(p.name, seed + i) for i, p in enumerate(QUEUE)]
    try:
        play(session, bots)
        if not over.wait(timeout=10):
            raise SystemExit("matchmaker: the server never announced the end of the match")
    finally:
        # Stopped whatever happened: a stopped session no longer costs money.
        print(f"matchmaker: stopping {session.id}")
        client.stop_session(session.id, idempotent=True)
        follower.join(timeout=10)
    if follower.is_alive():
        raise SystemExit("matchmaker: the log stream did not end with the session")
    check(fetch_result(client, session.id), session.id, bots)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("GAMEYE_BASE_URL"))
    parser.add_argument("--seed", type=int, default=14, help="seed of the bots' dice")
    args = parser.parse_args()
    if not args.base_url:
        parser.error("--base-url (or GAMEYE_BASE_URL) is required: the emulator's URL")
    # A short deadline: on loopback nothing should take long.
    with gameye.Client(EMULATOR_TOKEN, base_url=args.base_url, deadline=20) as client:
        run_match(client, args.seed)
    print("matchmaker: match ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
