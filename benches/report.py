"""Turns the figures that scripts/bench.sh collected into the markdown table.

    python3 benches/report.py OUT_DIR
    python3 benches/report.py --check BENCHMARKS.md [target/bench/summary.md]

The first reads OUT_DIR/raw.txt (``key value unit`` lines, from the benchmark
programs' ``RESULT`` lines), OUT_DIR/skips.txt, OUT_DIR/failures.txt,
OUT_DIR/steps.txt (``name seconds status``), OUT_DIR/meta.txt (``key:
value``) and, when present, OUT_DIR/bloat.txt and OUT_DIR/sections.txt;
prints the report and writes it to OUT_DIR/results.md; then prints the
results at a glance (``GLANCE``: the layout of the table that opens
BENCHMARKS.md) and writes them to OUT_DIR/summary.md.

``--check`` exits 1 unless the table between each file's
``<!-- glance:start -->`` and ``<!-- glance:end -->`` has GLANCE's header and
rows, in order: the same figure, anchor, target and command in each (the
measured values are free). summary.md is marked the same way. Standard library only.

Every row is a figure, the baseline it is compared with, and their ratio,
always figure / baseline, so that ratios can be compared across runs and
machines while the absolute figures move with the machine.
"""

import os
import sys

# (id, benchmark, figure key, baseline label, baseline key, target)
# A target is (kind, value): "ratio<=" / "ratio>=" on the ratio, "<" / "<=" /
# ">=" on the figure itself, or a list of both; None when only reported.
ROWS = [
    ("1", "C sequential create, median", "c.gameye.seq.median", "libcurl", "c.curl.seq.median",
     [("ratio<=", 1.2)]),
    ("1", "C sequential create, p99", "c.gameye.seq.p99", "libcurl", "c.curl.seq.p99", None),
    ("1", "C sequential create, mean", "c.gameye.seq.mean", "libcurl", "c.curl.seq.mean", None),
    ("1", "C sequential create, process CPU per create", "c.gameye.seq.cpu", "libcurl",
     "c.curl.seq.cpu", None),
    ("2", "Python sequential create, median", "py.gameye.seq.median", "requests",
     "py.requests.seq.median", [("ratio<=", 1 / 3)]),
    ("2", "Python sequential create, p99", "py.gameye.seq.p99", "requests", "py.requests.seq.p99",
     None),
    ("2", "Python sequential create, median", "py.gameye.seq.median", "httpx",
     "py.httpx.seq.median", None),
    ("2", "Python sequential create, p99", "py.gameye.seq.p99", "httpx", "py.httpx.seq.p99", None),
    ("3", "C: 1,000 creates, non-blocking API + queue", "c.async.throughput",
     "1,000 sequential (blocking)", "c.async.seq_throughput", [("ratio>=", 10), (">=", 5000)]),
    ("3", "Python: 1,000 creates, AsyncClient + gather", "py.async.throughput",
     "1,000 sequential awaits", "py.async.seq_throughput", [("ratio>=", 10), (">=", 5000)]),
    ("3", "C: 1,000 creates, non-blocking, 5 ms server latency", "c.async_rtt.throughput",
     "1,000 sequential (blocking)", "c.async_rtt.seq_throughput", [("ratio>=", 10), (">=", 5000)]),
    ("3", "Python: 1,000 creates, gather, 5 ms server latency", "py.async_rtt.throughput",
     "1,000 sequential awaits", "py.async_rtt.seq_throughput", [("ratio>=", 10), (">=", 5000)]),
    ("3", "Python: one awaited create (AsyncClient), median", "py.async.seq_median",
     "one blocking create (Client), median", "py.gameye.seq.median", [("ratio<=", 2)]),
    ("4", "Create a client, median", "client.gameye.create_median", "curl_easy_init + setopt",
     "client.curl.create_median", [("<", 5)]),
    ("4", "Create a client, p99", "client.gameye.create_p99", "curl_easy_init + setopt",
     "client.curl.create_p99", None),
    ("4", "First client in a process (cold)", "client.gameye.first_create",
     "curl_global_init + first handle", "client.curl.first_create", None),
    ("4", "Free a client, median (joins its threads)", "client.gameye.free_median",
     "curl_easy_cleanup", "client.curl.free_median", None),
    ("4", "Memory of one idle client (RSS)", "client.gameye.rss_idle", "libcurl handle",
     "client.curl.rss_idle", None),
    ("4", "Memory after one request (RSS)", "client.gameye.rss_after_request", "libcurl handle",
     "client.curl.rss_after_request", None),
    ("4", "Threads a client starts", "client.gameye.threads", "libcurl handle",
     "client.curl.threads", None),
    ("5", "libgameye.so, stripped", "size.gameye_so", "libcurl+libssl+libcrypto+libnghttp2",
     "size.curl_stack", [("<=", 4)]),
    ("5", "gameye.dll, stripped (as scripts/dist.sh ships it; full runs)", "size.gameye_dll",
     "libgameye.so, stripped", "size.gameye_so", [("<=", 5)]),
    ("5", "Static link adds (stripped, --gc-sections)", "size.static_added",
     "libgameye.so, stripped", "size.gameye_so", None),
    ("6", "Emulator POST /session, wrk -t2 -c64", "wrk.post.rps",
     "emulator floor: GET /_emulator/sessions/count", "wrk.floor.rps", [(">=", 30000)]),
    ("6", "Emulator POST /session, p99 latency", "wrk.post.p99",
     "emulator floor: GET /_emulator/sessions/count", "wrk.floor.p99", None),
    ("7", "SessionRun::from_json", "crit.request.from_json", "serde_json::Value parse",
     "crit.request.baseline_parse_value", None),
    ("7", "SessionRun::validate", "crit.request.validate", None, None, None),
    ("7", "serde_json::to_vec(&SessionRun)", "crit.request.to_vec", "to_vec(&Value)",
     "crit.request.baseline_to_vec_value", None),
    ("7", "Session::decode_created (201)", "crit.response.decode_created",
     "serde_json::Value parse", "crit.response.baseline_parse_value", None),
    ("7", "Error::from_response (422)", "crit.response.error_422", None, None, None),
    # 8: https against nginx with TLS on loopback, each beside plain http to
    # the same nginx (issue 18).
    ("8", "C create over http (nginx), median", "c.gameye.nginx.median", "libcurl",
     "c.curl.nginx.median", None),
    ("8", "C create over http (nginx), process CPU per create", "c.gameye.nginx.cpu", "libcurl",
     "c.curl.nginx.cpu", None),
    ("8", "C create over https, median", "c.gameye.tls.median", "libcurl", "c.curl.tls.median",
     [("ratio<=", 0.9)]),
    ("8", "C create over https, process CPU per create", "c.gameye.tls.cpu", "libcurl",
     "c.curl.tls.cpu", [("ratio<=", 0.9)]),
    ("8", "C create over https, p99", "c.gameye.tls.p99", "libcurl", "c.curl.tls.p99", None),
    ("8", "C create over https, median", "c.gameye.tls.median", "libgameye over http (nginx)",
     "c.gameye.nginx.median", None),
    ("8", "C first call over https (fresh process; median)", "c.gameye.first_call.median",
     "libcurl", "c.curl.first_call.median", [("ratio<=", 1)]),
    ("8", "C first call over http (fresh process; median)", "c.gameye.first_call_http.median",
     "libcurl", "c.curl.first_call_http.median", None),
    ("8", "C create on a new connection, TLS resumed, median", "c.gameye.reconnect.median",
     "libgameye, full handshake", "c.gameye.reconnect_full.median", None),
    ("8", "C create on a new connection, TLS resumed, median", "c.gameye.reconnect.median",
     "libcurl, resumed", "c.curl.reconnect.median", None),
    ("8", "C create on a new connection, TLS resumed, CPU", "c.gameye.reconnect.cpu",
     "libcurl, resumed", "c.curl.reconnect.cpu", None),
    ("8", "C create on a new connection, full handshake, median", "c.gameye.reconnect_full.median",
     "libcurl, full handshake", "c.curl.reconnect_full.median", None),
    ("8", "Python create over https, median", "py.gameye.tls.median", "requests",
     "py.requests.tls.median", [("ratio<=", 1 / 15)]),
    ("8", "Python create over https, median", "py.gameye.tls.median", "httpx",
     "py.httpx.tls.median", None),
    ("8", "Python create over http (nginx), median", "py.gameye.nginx.median", "requests",
     "py.requests.nginx.median", None),
    ("8", "Python awaited create over https (AsyncClient), median", "py.async_tls.seq_median",
     "blocking create over https (Client), same process", "py.async_tls.blocking_median",
     [("ratio<=", 2)]),
    ("8", "Python awaited create over http (nginx), median", "py.async_nginx.seq_median",
     "blocking create over http (Client), same process", "py.async_nginx.blocking_median",
     [("ratio<=", 2)]),
]

# Results at a glance: the table that opens BENCHMARKS.md and that a run
# prints last, one row per (figure key, anchor key) of ROWS, with the
# `scripts/bench.sh --only` groups that measure both. The anchor is what a
# studio would use instead (libcurl, requests, ...) or the figure's own
# floor.
GLANCE = [
    ("c.gameye.seq.median", "c.curl.seq.median", "c-seq"),
    ("py.gameye.seq.median", "py.requests.seq.median", "py-seq"),
    ("py.gameye.seq.median", "py.httpx.seq.median", "py-seq"),
    ("c.async.throughput", "c.async.seq_throughput", "c-async"),
    ("py.async.throughput", "py.async.seq_throughput", "py-async"),
    ("c.async_rtt.throughput", "c.async_rtt.seq_throughput", "c-async"),
    ("py.async_rtt.throughput", "py.async_rtt.seq_throughput", "py-async"),
    ("py.async.seq_median", "py.gameye.seq.median", "py-seq,py-async"),
    ("client.gameye.create_median", "client.curl.create_median", "client"),
    ("client.gameye.first_create", "client.curl.first_create", "client"),
    ("client.gameye.rss_idle", "client.curl.rss_idle", "client"),
    ("size.gameye_so", "size.curl_stack", "size"),
    ("size.gameye_dll", "size.gameye_so", "size"),
    ("wrk.post.rps", "wrk.floor.rps", "wrk"),
    ("crit.request.from_json", "crit.request.baseline_parse_value", "criterion"),
    ("crit.response.decode_created", "crit.response.baseline_parse_value", "criterion"),
    ("c.gameye.tls.median", "c.curl.tls.median", "c-tls"),
    ("c.gameye.tls.cpu", "c.curl.tls.cpu", "c-tls"),
    ("c.gameye.first_call.median", "c.curl.first_call.median", "c-tls-first"),
    ("c.gameye.reconnect.median", "c.curl.reconnect.median", "c-tls-reconnect"),
    ("py.gameye.tls.median", "py.requests.tls.median", "py-tls"),
    ("py.async_tls.seq_median", "py.async_tls.blocking_median", "py-tls"),
]
GLANCE_HEADER = ["Figure", "Ours", "Anchor", "Anchor's", "Ratio", "Target", "Met", "Command", "Measured"]
GLANCE_START, GLANCE_END = "<!-- glance:start -->", "<!-- glance:end -->"


def glance_rows():
    """GLANCE with each row's fixed cells: ``(figure key, anchor key, figure
    name, anchor name, target, command)``."""
    by_keys = {(row[2], row[4]): row for row in ROWS}
    out = []
    for key, base_key, groups in GLANCE:
        _, name, _, base_label, _, target = by_keys[(key, base_key)]
        out.append((key, base_key, name, base_label, target, f"`scripts/bench.sh --only {groups}`"))
    return out


def md_row(cells):
    return "| " + " | ".join(cells) + " |"


def glance_table(figures, smoke):
    """The results at a glance of this run, as markdown lines."""
    measured = "this run (smoke: tiny counts, figures mean nothing)" if smoke else "this run"
    title = "Results at a glance" + (" — SMOKE RUN" if smoke else "")
    lines = [f"## {title}", "", md_row(GLANCE_HEADER), "|" + "---|" * len(GLANCE_HEADER)]
    for key, base_key, name, base_label, target, command in glance_rows():
        fig, base = figures.get(key), figures.get(base_key)
        ratio = fig[0] / base[0] if fig and base and base[0] else None
        verdict = "" if target is None else verdict_of(target, fig, ratio, smoke)
        lines.append(md_row([
            name,
            fmt(*fig) if fig else "not run",
            base_label,
            fmt(*base) if base else "not run",
            f"{ratio:.3g}×" if ratio is not None else "—",
            describe(target) if target else "",
            verdict,
            command,
            measured,
        ]))
    return lines


def verdict_of(target, fig, ratio, smoke):
    if fig is None:
        return "not run"
    if smoke:
        return "(smoke)"
    return "yes" if met(target, fig[0], ratio) else "**NO**"


def table_cells(text):
    """The cells of each data row of the glance table in ``text``."""
    if GLANCE_START not in text or GLANCE_END not in text:
        raise SystemExit(f"no {GLANCE_START} ... {GLANCE_END} table")
    body = text.split(GLANCE_START, 1)[1].split(GLANCE_END, 1)[0]
    rows = [line.strip() for line in body.splitlines() if line.strip().startswith("|")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


def check(path):
    """Exits 1 unless ``path``'s glance table has GLANCE's layout."""
    if not os.path.exists(path):
        raise SystemExit(f"{path}: missing")
    with open(path, encoding="utf-8") as f:
        rows = table_cells(f.read())
    problems = []
    if not rows or rows[0] != GLANCE_HEADER:
        problems.append(f"header is {rows[0] if rows else None}, expected {GLANCE_HEADER}")
    data = rows[2:]
    want = glance_rows()
    if len(data) != len(want):
        problems.append(f"{len(data)} rows, expected {len(want)} (benches/report.py GLANCE)")
    for i, (cells, (_, _, name, base, target, command)) in enumerate(zip(data, want), 1):
        expected = {0: name, 2: base, 5: describe(target) if target else "", 7: command}
        for col, value in expected.items():
            got = cells[col] if col < len(cells) else None
            if got != value:
                problems.append(f"row {i}, {GLANCE_HEADER[col]}: {got!r}, expected {value!r}")
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: the glance table has the rows of benches/report.py GLANCE ({len(want)})")


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def fmt(value, unit):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}"


def describe(target):
    parts = []
    for kind, value in target:
        if kind == "ratio<=":
            times = round(1 / value)
            if times > 1 and abs(value - 1 / times) < 1e-9:
                parts.append(f"ratio ≤ 1/{times} ({times}× faster)")
            else:
                parts.append(f"ratio ≤ {value:g}")
        elif kind == "ratio>=":
            parts.append(f"ratio ≥ {value:g}")
        elif kind == "<":
            parts.append(f"< {value:g}")
        elif kind == "<=":
            parts.append(f"≤ {value:g}")
        elif kind == ">=":
            parts.append(f"≥ {value:,g}")
    return ", ".join(parts)


def met(target, figure, ratio):
    for kind, value in target:
        if kind == "ratio<=" and not (ratio is not None and ratio <= value):
            return False
        if kind == "ratio>=" and not (ratio is not None and ratio >= value):
            return False
        if kind == "<" and not figure < value:
            return False
        if kind == "<=" and not figure <= value:
            return False
        if kind == ">=" and not figure >= value:
            return False
    return True


def main():
    out = sys.argv[1]
    figures = {}
    for line in read_lines(os.path.join(out, "raw.txt")):
        key, value, unit = line.split(None, 2)
        figures[key] = (float(value), unit)
    skips = read_lines(os.path.join(out, "skips.txt"))
    failures = read_lines(os.path.join(out, "failures.txt"))
    steps = [line.split() for line in read_lines(os.path.join(out, "steps.txt"))]
    meta = {}
    for line in read_lines(os.path.join(out, "meta.txt")):
        key, _, value = line.partition(": ")
        meta[key] = value
    smoke = meta.get("mode") == "smoke"

    lines = []
    title = "gameye SDK benchmarks" + (" — SMOKE RUN (tiny counts; figures mean nothing)" if smoke else "")
    lines.append(f"## {title}")
    lines.append("")
    for key in ("date", "commit", "command", "mode", "profile", "build", "machine", "cpu", "memory",
                "pinning", "load"):
        if key in meta:
            lines.append(f"- {key}: {meta[key]}")
    lines.append("")
    lines.append("Ratio = figure / baseline. Targets are from the issue; \"met\" is judged on this run.")
    lines.append("")
    lines.append("| # | Benchmark | Figure | Baseline | Baseline figure | Ratio | Target | Met |")
    lines.append("|---|---|---:|---|---:|---:|---|---|")
    missed = 0
    for num, name, key, base_label, base_key, target in ROWS:
        fig = figures.get(key)
        base = figures.get(base_key) if base_key else None
        ratio = fig[0] / base[0] if fig and base and base[0] else None
        if target is None:
            verdict = ""
        elif fig is None:
            verdict = "not run"
        elif smoke:
            verdict = "(smoke)"
        elif met(target, fig[0], ratio):
            verdict = "yes"
        else:
            verdict = "**NO**"
            missed += 1
        lines.append(
            "| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                num,
                name,
                fmt(*fig) if fig else "not run",
                base_label or "—",
                fmt(*base) if base else ("—" if not base_key else "not run"),
                f"{ratio:.3g}×" if ratio is not None else "—",
                describe(target) if target else "",
                verdict,
            )
        )
    lines.append("")
    if missed:
        lines.append(f"Targets missed on this run: {missed}.")
        lines.append("")
    if skips:
        lines.append("Skipped:")
        lines.extend(f"- {s}" for s in skips)
        lines.append("")
    if failures:
        lines.append("FAILED:")
        lines.extend(f"- {f}" for f in failures)
        lines.append("")
    sections = read_lines(os.path.join(out, "sections.txt"))
    if sections:
        lines.append("Largest sections of the stripped libgameye.so (`size -A`):")
        lines.append("")
        lines.append("```")
        lines.extend(sections)
        lines.append("```")
        lines.append("")
    bloat = read_lines(os.path.join(out, "bloat.txt"))
    if bloat:
        lines.append("What dominates libgameye (`cargo bloat --release --crates -n 15`, through a cdylib shim):")
        lines.append("")
        lines.append("```")
        lines.extend(bloat)
        lines.append("```")
        lines.append("")
    if steps:
        lines.append("Steps (wall seconds): " + ", ".join(f"{s[0]} {s[1]}s{'' if s[2] == 'ok' else ' ' + s[2]}" for s in steps))
        lines.append("")
    report = "\n".join(lines)
    with open(os.path.join(out, "results.md"), "w", encoding="utf-8") as f:
        f.write(report)
    print(report)
    summary = "\n".join(glance_table(figures, smoke)) + "\n"
    # Marked as in BENCHMARKS.md, so that `--check` reads both the same way.
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(f"{GLANCE_START}\n{summary}{GLANCE_END}\n")
    print(summary)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--check":
        for path in sys.argv[2:]:
            check(path)
    else:
        main()
