#!/usr/bin/env bash
# Runs every fuzzer of the root package and of httpapi for FUZZTIME each (default 10m),
# JOBS at a time (default 2, one worker each), and prints one summary line
# per fuzzer: its name, the commit, executions and the result.
#
#   scripts/fuzz.sh                 # 10 minutes each
#   FUZZTIME=30s scripts/fuzz.sh    # a quick pass
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
jobs=${JOBS:-2}
logs=$(mktemp -d)
fuzzers=$(for pkg in . ./httpapi; do go test -list '^Fuzz' "$pkg" | grep '^Fuzz' | sed "s|^|$pkg |"; done)

run() {
	local pkg=$1 f=$2
	# The commit is read when each fuzzer starts, as that is the code it builds.
	local commit
	commit=$(git rev-parse --short HEAD)$(git diff --quiet -- '*.go' || echo "+dirty")
	if go test -run '^$' -fuzz "^$f\$" -fuzztime "$fuzztime" -parallel 1 "$pkg" >"$logs/$f.log" 2>&1; then
		result=PASS
	else
		result=FAIL
	fi
	execs=$(grep -o 'execs: [0-9]*' "$logs/$f.log" | tail -1 | cut -d' ' -f2)
	echo "$pkg $f commit=$commit fuzztime=$fuzztime execs=${execs:-0} result=$result log=$logs/$f.log"
}

export -f run
export fuzztime logs
echo "$fuzzers" | xargs -P "$jobs" -L1 bash -c 'run "$@"' _
