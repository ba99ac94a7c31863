#!/usr/bin/env bash
# Builds the reference site into target/site (open target/site/index.html,
# or serve it: python3 -m http.server -d target/site). Every generator runs
# with warnings as errors:
#   - the guides (docs/src) and the Python reference (mkdocstrings reading
#     bindings/python/python/gameye and its _gameye.pyi stub): mkdocs --strict;
#   - the C reference from include/gameye.h and the C++ one from
#     bindings/cpp/include/gameye.hpp: Doxygen (docs/doxygen/);
#   - the Rust reference: rustdoc of gameye-core, RUSTDOCFLAGS=-D warnings;
#   - the C# reference: mcs -doc's XML, made a page by docs/tools/csharp_ref.py.
# The generated references are laid into target/docs-stage beside the
# guides before mkdocs runs, so its link validation sees them too.
# tests/docs/run.sh checks the built site (links, statuses, a browser).
#
# Outside CI a missing tool (doxygen, mcs) stops the build with a loud
# notice; under CI=true it is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source tests/lib/tools.sh
require_tool doxygen "the docs site" || exit 0
require_tool mcs "the docs site" || exit 0

stage="$root/target/docs-stage"
site="$root/target/site"
rm -rf "$stage" "$site"
mkdir -p "$stage/api" "$stage/reference"
cp -r docs/src/. "$stage/"

# C and C++ (Doxygen). Every item of gameye.h and of gameye.hpp is
# documented, so for both headers an undocumented item fails the build, as
# does a malformed comment.
doxygen_run() { # INPUT HTML_OUTPUT WARN_IF_UNDOCUMENTED TITLE
    (cat docs/doxygen/Doxyfile
     printf '%s\n' "INPUT=$1" "HTML_OUTPUT=$2" "WARN_IF_UNDOCUMENTED=$3" \
         "PROJECT_NAME=\"$4\"" "OUTPUT_DIRECTORY=$stage/api") | doxygen -
}
doxygen_run "include/gameye.h docs/doxygen/c.dox" c YES "gameye C API (gameye.h)"
doxygen_run "bindings/cpp/include/gameye.hpp docs/doxygen/cpp.dox" cpp YES "gameye C++ API (gameye.hpp)"

# Rust (rustdoc). The shared target/doc may hold other crates' pages from
# other builds: only gameye-core's own pages and rustdoc's shared files go in.
RUSTDOCFLAGS="-D warnings" cargo doc --quiet -p gameye-core --no-deps
mkdir -p "$stage/api/rust/src"
for f in target/doc/*; do
    name=$(basename "$f")
    if [ -d "$f" ] && [ -f "$f/all.html" ] && [ "$name" != gameye_core ]; then
        continue # another crate's docs
    fi
    [ "$name" = src ] && continue
    cp -r "$f" "$stage/api/rust/"
done
cp -r target/doc/src/gameye_core "$stage/api/rust/src/"
# rustdoc's help and settings pages link to the doc root's index.html, which
# only nightly's --enable-index-page writes: this one leads to the crate.
cat > "$stage/api/rust/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>gameye Rust API</title>
<meta http-equiv="refresh" content="0; url=gameye_core/index.html"></head>
<body><p>The Rust API: <a href="gameye_core/index.html">gameye_core</a>.</p></body></html>
HTML

# C# (the compiler's XML documentation, as one page). A malformed doc
# comment is an error, and so is a missing one (CS1591).
csdir="$root/target/docs-csharp"
mkdir -p "$csdir"
cs_sources=(bindings/csharp/Runtime/*.cs bindings/csharp/Runtime/Generated/*.cs)
mcs -nologo -warnaserror+ -target:library -doc:"$csdir/GameyeSdk.xml" \
    -out:"$csdir/GameyeSdk.dll" "${cs_sources[@]}"
python3 docs/tools/csharp_ref.py "$csdir/GameyeSdk.xml" "$stage/reference/csharp.md" "${cs_sources[@]}"

# The site (mkdocs, pinned, in its own virtualenv).
venv="$root/target/docs-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    mkdocs==1.6.1 mkdocs-material==9.8.2 mkdocstrings==1.0.8 mkdocstrings-python==2.0.11
NO_MKDOCS_2_WARNING=1 "$venv/bin/mkdocs" build --strict -f docs/mkdocs.yml
# Files mkdocs.yml's exclude_docs keeps out of the build (not pages).
(cd "$stage" && find api -name '*.md' -exec cp --parents {} "$site/" \;)
echo "site: $site/index.html"
