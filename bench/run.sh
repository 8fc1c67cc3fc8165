#!/usr/bin/env bash
# Runs every benchmark of package bench, with the million-resource
# datasets, and writes the output to bench/results.txt (or to $1).
# BENCHMARKS.md is made from that file. Takes about five minutes on two
# cores.
#
# Two go test runs: the first holds the shared million-resource datasets
# (point gets, listings, memory); the second, without them, runs the rest,
# so that the garbage collector does not scan a million records under them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results.txt}
benchtime=${BENCHTIME:-2s}

{
	echo "# date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# go:      $(go version)"
	echo "# cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "# cores:   $(nproc)"
	echo "# memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "# commit:  $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results.txt' ':!bench/before-after.txt' 2>/dev/null || echo ' (with local changes)')"
	echo "# command: RESREG_BENCH_LARGE=1 go test -run '^\$' -bench <set> -benchtime $benchtime -timeout 30m ./bench"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	start=$(date +%s)
	RESREG_BENCH_LARGE=1 go test -run '^$' -bench 'GetResource|ListResources|Memory|Changes$' -skip 'GetResource/memstore-10k' -benchtime "$benchtime" -timeout 30m ./bench
	RESREG_BENCH_LARGE=1 go test -run '^$' -bench 'GetResource|RegisterResources|CreateDataResourceTree|TreeFlatten|ConcurrentMix|ChangeLogSize' -skip 'GetResource/(sqlite|memstore$)' -benchtime "$benchtime" -timeout 30m ./bench
	echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# wall time: $(($(date +%s) - start)) s"
} 2>&1 | tee "$out"
