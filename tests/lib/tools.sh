# The one rule for a missing tool, shared by scripts/test.sh and the test
# runners (through tests/lib/common.sh); source it.

# require_tool TOOL PART: returns 0 when TOOL exists. Otherwise fails under
# CI=true, or says loudly that PART is skipped and returns 1.
require_tool() {
    if command -v "$1" > /dev/null; then
        return 0
    fi
    if [ "${CI:-}" = "true" ]; then
        echo "error: $1 is required under CI ($2)" >&2
        exit 1
    fi
    echo "!!!!!!!! SKIPPED: $1 is not installed; $2 did not run !!!!!!!!" >&2
    return 1
}
