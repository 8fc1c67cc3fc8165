#!/usr/bin/env bash
# Load figures for BENCHMARKS.md: builds resreg and resreg-load, serves a
# fresh SQLite file on a free loopback port and runs, at the same
# concurrency and request count: the baseline (GET /healthz, unsigned: the
# HTTP stack and a store read, what the machine gives at this moment), a
# signed get-namespace, is-action-allowed as fast as answers come (closed
# loop), is-action-allowed at a fixed --rate (open loop, default 5000/s;
# latency from each request's due time), and create-resource. Each line
# is followed by the server's CPU time per request (from /proc) and the
# load average before and after. Before the baseline and before
# is-action-allowed, "sleep" measures how late a 1 ms sleep wakes on the
# machine at that moment: no request's latency can go below that delay.
#
#	bench/load.sh [concurrency] [requests] [rate]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conc="${1:-64}"
requests="${2:-20000}"
rate="${3:-5000}"
tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
(cd "$root" && go build -o "$tmp/resreg" ./cmd/resreg && go build -o "$tmp/resreg-load" ./cmd/resreg-load)
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
export RESREG_ACCESS_KEY_ID="load-key" RESREG_ACCESS_KEY_SECRET="load-secret-$RANDOM$RANDOM"
"$tmp/resreg" serve --addr "127.0.0.1:$port" --db "$tmp/load.db" >/dev/null 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
tick="$(getconf CLK_TCK)"
# server_cpu: the server's user+system time in clock ticks.
server_cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
scenario() {
	local before after la
	la="$(loadavg)"
	before="$(server_cpu)"
	"$tmp/resreg-load" --url "http://127.0.0.1:$port" -c "$conc" -n "$requests" "$@"
	after="$(server_cpu)"
	echo "  server_cpu_per_req=$(((after - before) * 1000000 / tick / requests))µs load average $la -> $(loadavg)"
}
echo "commit $(cd "$root" && git rev-parse --short HEAD), $(nproc) cores, concurrency $conc, $requests requests each, load average $(loadavg)"
wakeups() { "$tmp/resreg-load" --url "http://127.0.0.1:$port" --scenario sleep -c 1 -n 3000; }
wakeups
scenario --scenario healthz
scenario --scenario get-namespace
wakeups
scenario --scenario is-action-allowed
scenario --scenario is-action-allowed --rate "$rate"
scenario --scenario create-resource
