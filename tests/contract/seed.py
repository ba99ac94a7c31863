"""Creates the sessions schemathesis's dictionaries name (tests/contract/
schemathesis.toml), so describe, stop, join, leave, logs and artifacts meet
real sessions from the first test case on.

Usage: seed.py BASE_URL TOKEN COUNT
Each session `contract-N` runs `nginx` in `europe` with players
`player-N-a` and `player-N-b`.
"""

import json
import sys
import urllib.request


def call(base, token, method, path, body):
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def main(base, token, count):
    for n in range(1, count + 1):
        sid = f"contract-{n}"
        assert call(base, token, "POST", "/session",
                    {"id": sid, "location": "europe", "image": "nginx"}) == 201
        assert call(base, token, "PUT", "/session/player/join",
                    {"session": sid, "players": [f"player-{n}-a", f"player-{n}-b"]}) == 200


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
