#!/usr/bin/env bash
# Interop: builds resreg, serves it on a free loopback port with a fresh
# database, runs authing-node-sdk 4.0.1's tests against it (npm ci, then
# node --test), and stops the server. Needs Node.js 20+ and npm; the only
# network it uses besides loopback is the npm registry for npm ci.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		wait "$pid" || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/resreg" ./cmd/resreg)

# A free port: bind :0, read the port, release it.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
export RESREG_URL="http://127.0.0.1:$port"
export RESREG_ACCESS_KEY_ID="interop-key"
export RESREG_ACCESS_KEY_SECRET="interop-secret-$RANDOM$RANDOM"
export RESREG_ENOS_TOKEN="interop-token-$RANDOM$RANDOM"

"$tmp/resreg" serve --addr "127.0.0.1:$port" --db "$tmp/interop.db" >"$tmp/serve.out" 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 1 100); do
	if curl -fsS "$RESREG_URL/healthz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/serve.log" >&2; exit 1; fi
	sleep 0.1
done
curl -fsS "$RESREG_URL/healthz" >/dev/null

cd "$here/authing-node"
npm ci --no-audit --no-fund --loglevel=error
status=0
# One file at a time: the files share the server, and sdk.test.js counts
# the namespaces it finds.
node --test --test-concurrency=1 test/ || status=$?
if [[ $status -ne 0 ]]; then
	echo "== server log (last 50 lines)" >&2
	tail -n 50 "$tmp/serve.log" >&2
fi
exit $status
