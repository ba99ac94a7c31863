"""Writes the spec schemathesis runs against: Gameye's spec, unchanged, plus
our overlay.

The shared spec is read-only, so what schemathesis needs beyond it is added
here, in a copy under target/:

- links from `POST /session` (201) to describe, stop, join, logs and
  artifacts of the session it created, and from join (200) to leave of the
  players it joined, so the stateful phase reaches real sessions;
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
    ttl = spec["components"]["schemas"]["SessionRun"]["properties"]["ttl"]
    # Bounded digit counts keep every positive ttl under the contract
    # emulator's max_ttl_minutes.
    ttl["pattern"] = r"^([0-9]{1,4}h)?([0-9]{1,4}m)?$"
    with open(out, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
