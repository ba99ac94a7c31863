"""Checks every request the SDK sent against the spec.

Reads emulator request logs (one JSON line per request, written by
`--log-requests` or GAMEYE_EMULATOR_LOG_REQUESTS; see the emulator's crate
docs) and, for each request whose User-Agent is the SDK's (`gameye-rs/...`,
which every layer sends: Rust, C, C++, C#, Python, the CLI), checks:

- the method and path are an operation of the spec;
- a bearer token was sent;
- each path parameter is a non-empty segment;
- the query holds only the operation's parameters, each once, each valid
  against its schema (deepObject ones as objects), required ones present;
- the body is JSON valid against the operation's request schema (with
  `content-type: application/json`), or absent where the operation has none.

Requests of other clients (test harnesses sending raw HTTP on purpose) are
counted and skipped.

Each log is one layer's test suite (the test command writes
`target/contract/sdk-requests/LAYER.jsonl`, named after the layer), and the
counts are printed per operation and layer.

Usage: validate_requests.py [--partial "LAYER..."] SPEC.yaml LOG.jsonl...
Exits 1 on any invalid request, when a given log holds no SDK request (that
layer's tests sent none, or its emulators did not log), or when a layer's
tests did not send every operation of the spec. Layers named by --partial
(space-separated) need only send some.
"""

import argparse
import collections
import json
import os
import re
import sys
import urllib.parse

# jsonschema_rs and PyYAML come with schemathesis (target/contract-venv).
import jsonschema_rs
import yaml

SDK_AGENT = "gameye-rs/"


def load_operations(spec):
    ops = []
    for template, item in spec["paths"].items():
        shared = item.get("parameters", [])
        names = re.findall(r"{([^}]+)}", template)
        pattern = "^" + re.sub(r"{[^}]+}", "([^/]+)", template) + "$"
        for method, op in item.items():
            if method == "parameters":
                continue
            params = shared + op.get("parameters", [])
            body = None
            if "requestBody" in op:
                body = op["requestBody"]["content"]["application/json"]["schema"]
            ops.append((method.upper(), re.compile(pattern), names, template, params, body))
    # Literal paths first, so /session/player/join never reads as /session/{id}.
    ops.sort(key=lambda o: o[3].count("{"))
    return ops


def validator(schema, components):
    root = dict(schema)
    root["components"] = components
    return jsonschema_rs.Draft4Validator(root)


def query_value(schema, raw):
    """A query string value as its schema's type, or raise ValueError."""
    kind = schema.get("type")
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(f"{raw!r} is not true or false")
        return raw == "true"
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", raw):
            raise ValueError(f"{raw!r} is not an integer")
        return int(raw)
    return raw


def check(line, op, components):
    method, pattern, names, template, params, body_schema = op
    errors = []
    headers = line["headers"]
    if not headers.get("authorization", "").startswith("Bearer "):
        errors.append("no bearer token")
    # Path parameters.
    match = pattern.match(line["path"])
    for name, raw in zip(names, match.groups()):
        value = urllib.parse.unquote(raw)
        if not value:
            errors.append(f"path parameter {name} is empty")
    # Query parameters.
    pairs = urllib.parse.parse_qsl(line["query"], keep_blank_values=True)
    counts = collections.Counter(k for k, _ in pairs)
    query = [p for p in params if p["in"] == "query"]
    by_name = {p["name"]: p for p in query}
    seen = set()
    deep = collections.defaultdict(dict)
    for key, raw in pairs:
        m = re.fullmatch(r"([^\[]+)\[([^\]]*)\]", key)
        if m and by_name.get(m.group(1), {}).get("style") == "deepObject":
            name, prop = m.groups()
            seen.add(name)
            schema = by_name[name]["schema"].get("additionalProperties", {})
            try:
                deep[name][prop] = query_value(schema, raw)
            except ValueError as e:
                errors.append(f"query {key}: {e}")
            continue
        if key not in by_name:
            errors.append(f"query parameter {key!r} is not in the spec")
            continue
        if counts[key] > 1:
            errors.append(f"query parameter {key!r} given {counts[key]} times")
        seen.add(key)
        try:
            value = query_value(by_name[key]["schema"], raw)
            for err in validator(by_name[key]["schema"], components).iter_errors(value):
                errors.append(f"query {key}={raw!r}: {err.message}")
        except ValueError as e:
            errors.append(f"query {key}: {e}")
    for name, obj in deep.items():
        for err in validator(by_name[name]["schema"], components).iter_errors(obj):
            errors.append(f"query {name}: {err.message}")
    for p in query:
        if p.get("required") and p["name"] not in seen:
            errors.append(f"required query parameter {p['name']!r} is missing")
    # Body.
    body = line["body"]
    if body_schema is None:
        if body:
            errors.append("a body where the spec has none")
    elif body is None:
        errors.append("no body where the spec requires one")
    else:
        if not headers.get("content-type", "").startswith("application/json"):
            errors.append(f"content-type {headers.get('content-type')!r} for a JSON body")
        try:
            value = json.loads(body)
            for err in validator(body_schema, components).iter_errors(value):
                where = "/".join(map(str, err.instance_path)) or "body"
                errors.append(f"body {where}: {err.message}")
        except ValueError as e:
            errors.append(f"body is not JSON: {e}")
    return errors


def layer_of(log):
    return os.path.splitext(os.path.basename(log))[0]


def check_log(log, ops, components, checked, bad):
    """Checks one layer's log; returns how many other clients' requests it skipped."""
    layer = layer_of(log)
    skipped = 0
    with open(log, encoding="utf-8") as f:
        for text in f:
            line = json.loads(text)
            if not line["headers"].get("user-agent", "").startswith(SDK_AGENT):
                skipped += 1
                continue
            op = next(
                (o for o in ops if o[0] == line["method"] and o[1].match(line["path"])),
                None,
            )
            where = f"[{layer}] {line['method']} {line['path']}?{line['query']}"
            if op is None:
                bad.append((where, ["not an operation of the spec"]))
                continue
            checked[(f"{op[0]} {op[3]}", layer)] += 1
            errors = check(line, op, components)
            if errors:
                bad.append((where, errors))
    return skipped


def main(spec_path, logs, partial):
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    ops = load_operations(spec)
    components = spec["components"]
    checked = collections.Counter()
    bad = []
    layers = [layer_of(log) for log in logs]
    skipped = sum(check_log(log, ops, components, checked, bad) for log in logs)
    total = sum(checked.values())
    print(f"SDK requests checked against the spec: {total} "
          f"(other clients' requests skipped: {skipped})")
    names = sorted(f"{o[0]} {o[3]}" for o in ops)
    width = max(len(n) for n in names)
    print(f"  {'':{width}}" + "".join(f"{layer:>9}" for layer in layers))
    for name in names:
        counts = "".join(f"{checked[(name, layer)]:9d}" for layer in layers)
        print(f"  {name:{width}}{counts}")
    for where, errors in bad[:50]:
        print(f"INVALID {where}")
        for e in errors:
            print(f"    {e}")
    failed = False
    if bad:
        print(f"{len(bad)} SDK requests do not match the spec", file=sys.stderr)
        failed = True
    for layer in layers:
        missing = [name for name in names if not checked[(name, layer)]]
        if len(missing) == len(names):
            print(f"the {layer} tests logged no SDK request", file=sys.stderr)
            failed = True
        elif missing and layer not in partial:
            print(f"the {layer} tests never sent: {', '.join(missing)}", file=sys.stderr)
            failed = True
    if not logs:
        print("no request log was given", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The SDK's requests against the spec.")
    parser.add_argument("--partial", default="", help="layers that need not send every operation")
    parser.add_argument("spec")
    parser.add_argument("logs", nargs="*")
    args = parser.parse_args()
    sys.exit(main(args.spec, args.logs, set(args.partial.split())))
