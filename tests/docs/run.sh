#!/usr/bin/env bash
# Checks the site scripts/docs.sh built in target/site:
#   1. every internal link of every page, the Doxygen and rustdoc sub-trees
#      included (check_links.py, after its own tests);
#   2. the references cover the sources: every gameye.h function, every
#      public Python name, every status in troubleshooting, the errors table
#      equal to README's (check_content.py);
#   3. the guides' code samples compile (samples.py: C, C++, C#, Python,
#      JSON, as tests/dist/readme_samples.py does for the READMEs);
#   4. headless Chromium, from a python http.server on 127.0.0.1 that this
#      script starts and stops: pages render, the search finds
#      gameye_session_create, and a screenshot of the C quickstart goes to
#      target/site-artifacts/quickstart.png (browser_check.mjs, with
#      puppeteer-core from npm driving Debian's chromium).
# Outside CI a missing tool (chromium, node, npm) skips part 4 loudly; under
# CI=true it is a failure.
set -euo pipefail
source "$(dirname "$0")/../lib/tools.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
site="$root/target/site"
[ -f "$site/index.html" ] || { echo "no site in $site: run scripts/docs.sh first" >&2; exit 1; }

python3 -W error tests/docs/check_links_test.py
python3 tests/docs/check_links.py "$site"
python3 tests/docs/check_content.py "$root" "$site"
cargo build --quiet -p gameye-ffi # the samples link target/debug/libgameye.so
python3 tests/docs/samples.py "$root" "$root/target/docs-samples"

require_tool chromium "the browser check of the docs site" || exit 0
require_tool node "the browser check of the docs site" || exit 0
require_tool npm "the browser check of the docs site" || exit 0
node_dir="$root/target/docs-node"
mkdir -p "$node_dir"
if [ ! -f "$node_dir/node_modules/puppeteer-core/package.json" ]; then
    # puppeteer-core downloads no browser: it drives Debian's chromium.
    (cd "$node_dir" && npm install --no-audit --no-fund --silent puppeteer-core@24.43.1)
fi

# The server: an ephemeral port on loopback, read from its first line.
log="$root/target/docs-http.log"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$site" > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && break
    kill -0 "$server" 2> /dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "http.server did not say its port" >&2; cat "$log" >&2; exit 1; }

mkdir -p "$root/target/site-artifacts"
GAMEYE_DOCS_NODE_MODULES="$node_dir/node_modules" timeout 300 \
    node tests/docs/browser_check.mjs "http://127.0.0.1:$port/" "$root/target/site-artifacts/quickstart.png"
echo "screenshot: $root/target/site-artifacts/quickstart.png"
