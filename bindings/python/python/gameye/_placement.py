"""Placing sessions near players, the parts that need no token.

:func:`ping_locations` runs on game clients: it pings every IP of every
location with ICMP echo and reports each location's latency.
:func:`choose_location` runs on the backend: it ranks locations by what the
players measured. ``Client.create_session_near`` then starts the session in
the best location, falling back on 420.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from typing import Any, Optional, TypedDict, cast

from gameye._gameye import Location, Placement, _choose_location, _ping_locations

__all__ = ["IpPing", "LocationPing", "PingReport", "choose_location", "ping_locations", "ping_locations_async"]


# The ping report stays a dict, typed: it is the JSON document a game client
# sends on to its backend (``{**report, "player": id}``), which
# ``choose_location`` and ``create_session_near`` take. Its keys are the
# core's ``PingReport`` fields. ``Optional``, not ``X | None``: the package
# supports Python 3.9, where ``typing.get_type_hints`` cannot read ``|``.


class _IpPingError(TypedDict, total=False):
    error: str
    """Why this IP could not be (fully) pinged; absent when all went out."""


class _PingStats(TypedDict):
    """Statistics over echo replies: RTTs in milliseconds (``None`` without
    a reply), ``loss`` 0.0..1.0, the requests sent and the replies."""

    min_ms: Optional[float]
    median_ms: Optional[float]
    p90_ms: Optional[float]
    loss: float
    sent: int
    received: int


class IpPing(_PingStats, _IpPingError):
    """One IP of a location in a :class:`PingReport`."""

    ip: str


class LocationPing(_PingStats):
    """One location of a :class:`PingReport`: statistics over the replies of
    all its IPs, then each IP."""

    id: str
    ips: list[IpPing]


class PingReport(TypedDict):
    """What :func:`ping_locations` returns: how the echo requests were sent
    (``"datagram"``, ``"raw"``, ``"icmp_api"`` or ``"none"``) and every
    location, best first."""

    method: str
    locations: list[LocationPing]


def _location_json(location: Any) -> Any:
    if isinstance(location, Location):
        return {"id": location.id, "ips": location.ips}
    return location


def _locations_json(locations: Any) -> str:
    if isinstance(locations, Mapping):
        # The response body of GET /available-location/{image}.
        locations = locations.get("locations", locations)
    if isinstance(locations, (str, bytes)) or not isinstance(locations, Iterable):
        raise TypeError("locations must be a list of Location (or {'id', 'ips'} dicts)")
    return json.dumps([_location_json(loc) for loc in locations])


def ping_locations(
    locations: Any,
    *,
    probes: int = 5,
    interval: float = 0.2,
    timeout: float = 2.0,
) -> PingReport:
    """Ping every IP of every location; needs no token and no client.

    ``locations`` is what ``Client.available_locations`` returns (a list of
    :class:`Location`), or dicts ``{"id": ..., "ips": [...]}``, or the
    response body ``{"locations": [...]}``. All IPs are pinged at once:
    ``probes`` echo requests each (1..100), ``interval`` seconds apart, the
    whole call bounded by ``timeout`` seconds (replies after it count as
    lost). Blocks for at most about ``timeout``, with the GIL released.

    Returns the report as a dict (typed: :class:`PingReport`): ``{"method": "datagram" | "raw" |
    "icmp_api" | "none", "locations": [{"id", "min_ms", "median_ms",
    "p90_ms", "loss", "sent", "received", "ips": [...]}]}``, locations best
    first. RTTs are ``None`` without a reply. Send it to the backend with the
    player's id added (``{**report, "player": "alice"}``).

    Raises :class:`PingNotPermittedError` when the OS lets this process send
    no ICMP echo (the message names the cause and the fix), and
    :class:`InvalidRequestError` for bad options.
    """
    options = {
        "probes": probes,
        "interval_ms": _millis("interval", interval),
        "timeout_ms": _millis("timeout", timeout),
    }
    return cast(PingReport, json.loads(_ping_locations(_locations_json(locations), json.dumps(options))))


async def ping_locations_async(
    locations: Any,
    *,
    probes: int = 5,
    interval: float = 0.2,
    timeout: float = 2.0,
) -> PingReport:
    """:func:`ping_locations` for asyncio: runs in the default executor, so
    the event loop is never blocked. A cancelled await stops waiting at once;
    the probes themselves end by ``timeout``."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None,
        lambda: ping_locations(locations, probes=probes, interval=interval, timeout=timeout),
    )


def choose_location(
    candidates: Iterable[Any],
    players: Iterable[Mapping[str, Any]],
    *,
    max_loss: float = 0.2,
    max_rtt_ms: Optional[float] = None,
    allow_missing: bool = False,
) -> Placement:
    """Rank ``candidates`` (location ids or :class:`Location`) by what the
    ``players`` measured: each a ping report with ``"player"`` added, or
    ``{"player": id, "locations": [{"id", "median_ms", "loss"}]}``.

    A location is dropped when any player's loss is above ``max_loss`` or
    their median above ``max_rtt_ms``, or, unless ``allow_missing``, a player
    has no sample for it. The rest are ranked by the worst player's median,
    then the mean. Pure: no network. Returns a :class:`Placement`:
    ``.ranked`` (:class:`RankedLocation`, best first) and ``.excluded``
    (:class:`Exclusion`, with the reason).
    """
    ids = [c.id if isinstance(c, Location) else c for c in candidates]
    policy = {"max_loss": max_loss, "max_rtt_ms": max_rtt_ms, "allow_missing": allow_missing}
    return _choose_location(json.dumps(ids), json.dumps(list(players)), json.dumps(policy))


def _millis(name: str, seconds: float) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds")
    if not (seconds >= 0) or seconds == float("inf"):
        raise ValueError(f"{name} must be a finite number of seconds >= 0")
    return round(seconds * 1000)
