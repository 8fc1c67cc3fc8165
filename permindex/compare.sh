#!/usr/bin/env bash
# compare.sh BASE [COUNT]: benchmarks the permission index at commit BASE and
# at the working tree in one run, alternating the two test binaries COUNT
# times (default 5) so that both see the same machine load, then prints the
# median ns/op of each benchmark for both and their ratio. Set
# RESREG_BENCH_LARGE=1 for the 1,000,000-grant scale.
set -euo pipefail
base=${1:?usage: compare.sh BASE [COUNT]}
count=${2:-5}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive "$base" | tar -x -C "$tmp"
mkdir -p "$tmp/bin"
(cd "$tmp" && go test -c -o "$tmp/bin/base.test" ./permindex)
(cd "$root" && go test -c -o "$tmp/bin/new.test" ./permindex)
for i in $(seq "$count"); do
	for b in base new; do
		"$tmp/bin/$b.test" -test.run XXX -test.bench "${BENCH:-IsActionAllowed|CheckPermission}" \
			-test.benchtime "${BENCHTIME:-1s}" | awk -v b="$b" '/^Benchmark/ {print b, $1, $3, $7}'
	done
done | tee "$tmp/raw.txt" >&2
printf "%-55s %12s %12s %8s %s\n" "benchmark (median of $count runs)" "base ns/op" "new ns/op" "new/base" "allocs/op base/new"
sort -k2,2 -k1,1 -k3,3n "$tmp/raw.txt" | awk '
	function flush() { if (n) { med[key] = v[int((n + 1) / 2)]; allocs[key] = al; names[name] = 1 } n = 0 }
	{ k = $1 " " $2; if (k != key) { flush(); key = k; name = $2 } v[++n] = $3; al = $4 }
	END {
		flush()
		for (nm in names) printf "%-55s %12.0f %12.0f %8.2f %s/%s\n", nm, med["base " nm], med["new " nm], med["new " nm] / med["base " nm], allocs["base " nm], allocs["new " nm]
	}' | sort
