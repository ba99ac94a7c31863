"""Every public call of the ``gameye`` package and every attribute of its
results, with the types a caller writes down. Never run: ``mypy --strict``
checks it against the installed stub (tests/python/test_typed_results.py),
so a result that becomes a plain dict, an ``Any`` or a wrong type fails
there. Add a line here with each new call or attribute."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import gameye

StopOutcome = Literal["stopped", "already_stopped", "not_found"]


def client_options() -> gameye.Client:
    return gameye.Client(
        "token",
        base_url="http://127.0.0.1:8080",
        timeout=2.0,
        connect_timeout=1.0,
        idle_timeout=30.0,
        allow_insecure_http=False,
        max_attempts=2,
        initial_backoff=0.1,
        max_backoff=1.0,
        deadline=5.0,
        proxy=None,
        proxy_from_env=False,
        ca_bundle_path=None,
        max_response_bytes=1 << 20,
        max_log_bytes=1 << 24,
        max_concurrent_requests=16,
    )


def first_host() -> str:
    # Returns inside the block: __exit__ returns None, so mypy asks for no
    # return after it.
    with gameye.Client("token", environment="sandbox") as c:
        return c.create_session("europe", "nginx").host


def session_fields(client: gameye.Client) -> None:
    session: gameye.Session = client.create_session(
        "europe",
        "nginx",
        id="3f8a0e7c-6a43-4c47-9d3e-0c2b6a1f3f11",
        env={"K": "v"},
        args=["-x"],
        restart=False,
        labels={"mode": "duel"},
        version="1.0",
        ttl="1h",
        external_id="match-1",
    )
    sid: str = session.id
    host: str = session.host
    for port in session.ports:
        kind: str = port.type
        inside: int = port.container
        outside: int = port.host
    print(sid, host, kind, inside, outside)


def listing(client: gameye.Client) -> None:
    summaries: list[gameye.SessionSummary] = client.list_sessions(
        all=True,
        location="europe",
        image="nginx",
        tag="1.0",
        host="10.0.0.1",
        player_count_lt=4,
        player_count_gt=0,
        labels={"mode": "duel"},
    )
    s = summaries[0]
    fields: tuple[str, str, str | None, str, str, int] = (s.id, s.image, s.tag, s.location, s.host, s.created)
    port_map: dict[str, int] = s.port
    ports: list[gameye.Port] = s.ports
    status: str | None = s.status
    labels: dict[str, str] = s.labels
    count: int | None = s.player_count
    print(fields, port_map, ports, status, labels, count)


def details(client: gameye.Client, sid: str) -> None:
    d: gameye.SessionDetails = client.get_session(sid)
    fields: tuple[str, str, str | None, str, str, int, str] = (d.id, d.image, d.tag, d.location, d.host, d.created, d.status)
    port_map: dict[str, int] = d.port
    ports: list[gameye.Port] = d.ports
    labels: dict[str, str] = d.labels
    players: gameye.Players = d.players
    joined: list[str] = players.joined
    joined_count: int = players.joined_count
    print(fields, port_map, ports, labels, joined, joined_count)


def players_and_stop(client: gameye.Client, sid: str) -> StopOutcome:
    joined: gameye.PlayerCount = client.join_players(sid, ["p1", "p2"])
    left: gameye.PlayerCount = client.leave_players(("p2",))
    total: int = joined.count
    ids: list[str] = left.players
    print(total, ids)
    return client.stop_session(sid, idempotent=True)


def logs_and_artifacts(client: gameye.Client, sid: str) -> int:
    text: str = client.logs(sid)
    with client.follow_logs(sid) as stream:
        status: int | None = stream.http_status
        attempts: int | None = stream.attempts
        for line in stream:
            text += line
    closed: bool = stream.closed
    stream.close()
    print(status, attempts, closed)
    written: int = client.download_artifact(sid, "/app/result", "result.tar.gz")
    with open("result.tar.gz", "wb") as f:
        written += client.download_artifact(sid, "/app/result", f)
    return written


def locations(client: gameye.Client) -> None:
    found: list[gameye.Location] = client.available_locations("nginx")
    ids: list[str] = [loc.id for loc in found]
    ips: list[str] = found[0].ips
    exists: bool = client.tag_exists("europe", "nginx", "1.0")
    print(ids, ips, exists)


def placement(client: gameye.Client) -> gameye.Session:
    report: gameye.PingReport = gameye.ping_locations(
        client.available_locations("nginx"), probes=3, interval=0.1, timeout=1.0
    )
    method: str = report["method"]
    for loc in report["locations"]:
        stats: tuple[str, float | None, float | None, float | None, float, int, int] = (
            loc["id"], loc["min_ms"], loc["median_ms"], loc["p90_ms"], loc["loss"], loc["sent"], loc["received"]
        )
        for ip in loc["ips"]:
            per_ip: tuple[str, float | None, float, str | None] = (ip["ip"], ip["median_ms"], ip["loss"], ip.get("error"))
            print(per_ip)
        print(method, stats)
    players = [{**report, "player": "alice"}]
    p: gameye.Placement = gameye.choose_location(["europe", "us"], players, max_loss=0.1, max_rtt_ms=80, allow_missing=True)
    best: str | None = p.best
    for r in p.ranked:
        ranked: tuple[str, float, float, int] = (r.id, r.worst_ms, r.mean_ms, r.players_measured)
        print(ranked)
    for e in p.excluded:
        why: tuple[str, str, str, str | None] = (e.id, e.reason, e.message, e.player)
        figures: tuple[float | None, ...] = (e.loss, e.max_loss, e.median_ms, e.max_rtt_ms)
        print(why, figures)
    placed: gameye.PlacedSession = client.create_session_near(
        "nginx", players, policy={"max_locations": 2}, labels={"mode": "duel"}, ttl="1h"
    )
    where: str = placed.location
    ranking: gameye.Placement = placed.placement
    ranked_too: list[gameye.RankedLocation] = placed.ranked
    for t in placed.tried:
        attempt: tuple[str, str, str, str | None] = (t.location, t.session_id, t.outcome, t.message)
        print(attempt)
    print(where, ranking, ranked_too, best)
    return placed.session


def errors(client: gameye.Client) -> None:
    try:
        client.create_session("europe", "")
    except gameye.InvalidRequestError as e:
        fields: list[str] = [v.field for v in e.violations]
        texts: list[str] = [v.description for v in e.violations]
        print(fields, texts)
    except gameye.GameyeError as e:
        summary: tuple[str, int | None, str | None, int, float | None] = (e.kind, e.status, e.code, e.attempts, e.retry_after)
        print(summary, e.details, e.identifier, e.body_excerpt)
    gameye.set_log_level(logging.INFO)
    client.close()
    done: bool = client.closed
    url: str = client.base_url
    print(done, url)


async def first_host_async() -> str:
    async with gameye.AsyncClient("token", environment="sandbox") as c:
        return (await c.create_session("europe", "nginx")).host


async def asynchronous() -> None:
    client = gameye.AsyncClient("token", timeout=2.0, deadline=5.0)
    started: gameye.Session = await client.create_session("europe", "nginx", labels={"k": "v"})
    many: list[gameye.Session] = await asyncio.gather(*(client.create_session("europe", "nginx") for _ in range(3)))
    listed: list[gameye.SessionSummary] = await client.list_sessions(all=True)
    described: gameye.SessionDetails = await client.get_session(started.id)
    joined: gameye.PlayerCount = await client.join_players(started.id, ["p1"])
    left: gameye.PlayerCount = await client.leave_players(["p1"])
    text: str = await client.logs(started.id)
    async for line in client.follow_logs(started.id):
        text += line
    async with client.follow_logs(started.id) as lines:
        first: str = await lines.__anext__()
    opened: gameye.AsyncLogStream = await client.follow_logs(started.id)
    opened_status: int | None = opened.http_status
    await opened.aclose()
    written: int = await client.download_artifact(started.id, "/app/result", "result.tar.gz")
    found: list[gameye.Location] = await client.available_locations("nginx")
    exists: bool = await client.tag_exists("europe", "nginx", "1.0")
    report: gameye.PingReport = await gameye.ping_locations_async(found)
    placed: gameye.PlacedSession = await client.create_session_near("nginx", [{**report, "player": "a"}])
    stopped: StopOutcome = await asyncio.wait_for(client.stop_session(placed.session.id), 5)
    await client.aclose()
    print(many, listed, described, joined, left, first, opened_status, written, exists, stopped, client.closed)
