# Sourced by the scripts that build: points TMPDIR at a folder of this run, removed on exit.
# swift-driver leaves a `TemporaryDirectory.*` folder in TMPDIR for every compile job it runs
# (about six per `swift build`, even a no-op one); a run of scripts/test left hundreds in /tmp.
# Everything the tests make in TMPDIR goes the same way.
lazywheel_tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/lazywheel-run.XXXXXX")
export TMPDIR="$lazywheel_tmpdir"
trap 'rm -rf "$lazywheel_tmpdir"' EXIT
