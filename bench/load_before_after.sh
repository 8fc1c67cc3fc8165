#!/usr/bin/env bash
# is-action-allowed over loopback on two commits, taking turns, in one run:
#
#	bench/load_before_after.sh OLD [NEW] [ROUNDS]
#
# Each commit is exported with git archive into a temporary directory (the
# repository is left alone) and its resreg and resreg-load are built. A
# round serves a fresh SQLite file with OLD's server and runs OLD's
# generator against it (the figure as OLD measured itself), then NEW's
# generator against the same OLD server, then NEW's generator against
# NEW's server: the last two differ only in the server. Each line gives
# how late a 1 ms sleep woke just before (NEW's sleep scenario), the load
# average, the generator's figures and the server's CPU time per request.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bench/load_before_after.sh OLD [NEW] [ROUNDS]}
new=${2:-HEAD}
rounds=${3:-3}
requests=${REQUESTS:-20000}
conc=${CONC:-64}
tmp=$(mktemp -d)
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
for side in old new; do
	rev=$old
	[ "$side" = new ] && rev=$new
	mkdir -p "$tmp/$side"
	git archive "$rev" | tar -x -C "$tmp/$side"
	(cd "$tmp/$side" && go build -o "$tmp/$side-resreg" ./cmd/resreg && go build -o "$tmp/$side-load" ./cmd/resreg-load)
done
export RESREG_ACCESS_KEY_ID="load-key" RESREG_ACCESS_KEY_SECRET="load-secret-$RANDOM$RANDOM"
tick="$(getconf CLK_TCK)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
url="http://127.0.0.1:$port"

serve() {
	rm -f "$tmp/load.db"*
	"$tmp/$1-resreg" serve --addr "127.0.0.1:$port" --db "$tmp/load.db" >/dev/null 2>"$tmp/serve.log" &
	pid=$!
	for _ in $(seq 1 100); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }
run() { # label generator
	local wake la before after out
	wake="$("$tmp/new-load" --url "$url" --scenario sleep -c 1 -n 2000 | grep -o 'p99=[^ ]*')"
	la="$(cut -d' ' -f1 /proc/loadavg)"
	before="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
	out="$("$tmp/$2-load" --url "$url" --scenario is-action-allowed -c "$conc" -n "$requests" | tail -1)"
	after="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
	echo "$1 sleep_$wake load=$la $(echo "$out" | grep -o 'rps=[0-9]* p50=[^ ]* p90=[^ ]* p99=[^ ]*') server_cpu_per_req=$(((after - before) * 1000000 / tick / requests))µs"
}
echo "# old: $(git rev-parse --short "$old")  new: $(git rev-parse --short "$new")  $(nproc) cores, concurrency $conc, $requests requests each"
for _ in $(seq "$rounds"); do
	serve old
	run "old-server old-generator" old
	run "old-server new-generator" new
	stop
	serve new
	run "new-server new-generator" new
	stop
done
