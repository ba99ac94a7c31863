#!/usr/bin/env python3
"""Every export of include/gameye.h follows the one naming rule.

The rule (CONTRIBUTING.md, "Naming"): `gameye_<area>_<verb>`, with an
`_async` twin where the call has one. `<area>` names a family of functions
and is one of AREAS, singular where the functions act on one thing (a
session, a client, a tag) and plural where they act on a collection (the
players of a session, the locations, the logs, the artifacts). A family
never appears under two spellings (`location` beside `locations`), which is
what this check catches: an export whose area is not in AREAS fails, and so
does a new area until it is added here on purpose.

    python3 tests/surface/export_names.py    # exit 1 with one line per export
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# area -> what the family acts on
AREAS = {
    "client": "one client",
    "session": "one session (create, get, stop, validate) or the session list",
    "players": "players of a session",
    "logs": "a session's logs",
    "log_stream": "one followed log stream",
    "artifacts": "a session's artifacts",
    "locations": "the locations of an image: available, ping, choose",
    "tag": "one image tag",
    "operation": "one asynchronous operation",
    "queue": "one completion queue",
    "result": "one result",
    "status": "one status code",
}
# Process-wide functions with no area.
WHOLE_LIBRARY = {"gameye_version", "gameye_set_logger"}


def exports(header: str) -> list[str]:
    return sorted(set(re.findall(r"^\S.*?\b(gameye_[a-z0-9_]+)\(", header, re.M)))


def main() -> int:
    header = (ROOT / "include" / "gameye.h").read_text()
    names = exports(header)
    if len(names) < 40:
        print(f"export_names: only {len(names)} exports read from gameye.h", file=sys.stderr)
        return 1
    gaps = []
    # Longest area first, so that `log_stream` wins over a shorter prefix.
    areas = sorted(AREAS, key=len, reverse=True)
    for name in names:
        if name in WHOLE_LIBRARY:
            continue
        rest = name[len("gameye_"):]
        area = next((a for a in areas if rest.startswith(a + "_")), None)
        if area is None:
            gaps.append(f"{name}: no known area (gameye_<area>_<verb>; areas: {', '.join(AREAS)})")
            continue
        verb = rest[len(area) + 1:].removesuffix("_async")
        if not verb or not re.fullmatch(r"[a-z][a-z0-9_]*", verb):
            gaps.append(f"{name}: no verb after the area {area!r}")
    for g in gaps:
        print(g, file=sys.stderr)
    print(f"export names: {len(names)} exports, {len(gaps)} off the rule")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
