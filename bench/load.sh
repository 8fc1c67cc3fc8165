#!/usr/bin/env bash
# Load figures for BENCHMARKS.md: builds resreg and resreg-load, serves a
# fresh SQLite file on a free loopback port, runs the baseline (signed
# read of one namespace), is-action-allowed and create-resource at the same
# concurrency, and stops the server.
#
#	bench/load.sh [concurrency] [requests]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conc="${1:-64}"
requests="${2:-20000}"
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
echo "commit $(cd "$root" && git rev-parse --short HEAD), $(nproc) cores, concurrency $conc, $requests requests each"
"$tmp/resreg-load" --url "http://127.0.0.1:$port" --scenario get-namespace -c "$conc" -n "$requests"
"$tmp/resreg-load" --url "http://127.0.0.1:$port" --scenario is-action-allowed -c "$conc" -n "$requests"
"$tmp/resreg-load" --url "http://127.0.0.1:$port" --scenario create-resource -c "$conc" -n "$requests"
