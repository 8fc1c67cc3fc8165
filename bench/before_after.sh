#!/usr/bin/env bash
# Runs the hot-path benchmarks (small datasets) on two commits, taking
# turns, and writes both outputs to bench/before-after.txt (or to $3):
#
#	bench/before_after.sh OLD [NEW]
#
# Each commit is exported with git archive into a temporary directory, so
# the repository and its worktree are left alone. Both commits must have
# the bench package.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bench/before_after.sh OLD [NEW] [OUT]}
new=${2:-HEAD}
out=${3:-bench/before-after.txt}
pattern=${PATTERN:-'RegisterResources|GetResource/(sqlite|memstore)$|ListResources|TreeFlatten|CreateDataResourceTree'}
rounds=${ROUNDS:-3}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for side in old new; do
	rev=$old
	[ "$side" = new ] && rev=$new
	mkdir -p "$tmp/$side"
	git archive "$rev" | tar -x -C "$tmp/$side"
	(cd "$tmp/$side" && go test -c -o "$tmp/$side.test" ./bench)
done

{
	echo "# old: $(git rev-parse --short "$old")  new: $(git rev-parse --short "$new")"
	echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  go: $(go version | cut -d' ' -f3)  cores: $(nproc)"
	echo "# command: <commit>/bench.test -test.run '^\$' -test.bench '$pattern' -test.benchtime 1s, $rounds rounds, old then new"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	for r in $(seq "$rounds"); do
		for side in old new; do
			(cd "$tmp/$side/bench" && "$tmp/$side.test" -test.run '^$' -test.bench "$pattern" -test.benchtime 1s) |
				grep '^Benchmark' | sed "s/^/$side /"
		done
	done
	echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$out"
