"""Writes the spec schemathesis runs against: Gameye's spec, unchanged, plus
our overlay.

The shared spec is read-only, so what schemathesis needs beyond it is added
here, in a copy under target/:

- links from `POST /session` (201) to describe, stop, join, logs and
  artifacts of the session it created, and from join (200) to leave of the
  players it joined, so the stateful phase reaches real sessions;
- examples for the eight operations that have none in the spec, naming the
  sessions, players, images and tags that seed.py creates and the
  emulator's config holds, so the examples phase tests every operation
  (without them it skips eight of ten) and meets real resources;
- `ttl`: the spec's schema takes any string, but its description names the
  only units the real service accepts (m and h). The overlay states that as a
  pattern, so a positive test case is a ttl the service would take. Other
  strings are answered 422, the status the spec documents for invalid syntax
  (see TESTING.md, "Where the spec is silent").

Usage: overlay.py SPEC.yaml OUT.json
"""

import json
import sys

import yaml


def links():
    created = "$response.body#/id"
    return {
        "describe": {"operationId": "describe-session", "parameters": {"path.id": created}},
        "stop": {"operationId": "session-stop", "parameters": {"path.id": created}},
        "join": {"operationId": "join-session", "requestBody": {"session": created}},
        "logs": {"operationId": "stream-logs", "parameters": {"query.id": created}},
        "artifacts": {"operationId": "artifacts", "parameters": {"query.session": created}},
    }


# (path, method) -> parameter examples by name, and a request body example.
# seed.py's sessions are `contract-N` with players `player-N-a`/`-b`;
# contract-24 is the one the examples stop.
EXAMPLES = {
    ("/session", "get"): ({"location": "europe", "image": "nginx", "tag": "latest"}, None),
    ("/session/{id}", "get"): ({"id": "contract-1"}, None),
    ("/session/{id}", "delete"): ({"id": "contract-24"}, None),
    ("/session/player/join", "put"): (
        {}, {"session": "contract-2", "players": ["player-example-c"]}),
    ("/session/player/leave", "delete"): ({}, {"players": ["player-3-a"]}),
    ("/available-location/{image}", "get"): ({"image": "nginx"}, None),
    ("/tag/{region}/{image}/{version}", "get"): (
        {"region": "europe", "image": "nginx", "version": "latest"}, None),
    ("/logs", "get"): ({"id": "contract-1", "follow": False}, None),
}


def add_examples(paths):
    for (path, method), (params, body) in EXAMPLES.items():
        item = paths[path]
        op = item[method]
        for p in item.get("parameters", []) + op.get("parameters", []):
            if p["name"] in params:
                p["example"] = params.pop(p["name"])
        assert not params, f"{method} {path}: no parameters {sorted(params)} in the spec"
        if body is not None:
            op["requestBody"]["content"]["application/json"]["example"] = body


def main(src, out):
    with open(src, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    paths = spec["paths"]
    # YAML keys like `201:` load as ints.
    created = paths["/session"]["post"]["responses"][201]
    created["links"] = links()
    joined = paths["/session/player/join"]["put"]["responses"][200]
    joined["links"] = {
        "leave": {
            "operationId": "leave-session",
            "requestBody": {"players": "$response.body#/players"},
        }
    }
    add_examples(paths)
    ttl = spec["components"]["schemas"]["SessionRun"]["properties"]["ttl"]
    # Bounded digit counts keep every positive ttl under the contract
    # emulator's max_ttl_minutes.
    ttl["pattern"] = r"^([0-9]{1,4}h)?([0-9]{1,4}m)?$"
    with open(out, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
