#!/usr/bin/env bash
# Throwaway PostgreSQL server for the pgstore tests.
#
#   eval "$(scripts/postgres.sh start)"   # prints the exports below
#   scripts/postgres.sh stop "$RESREG_POSTGRES_DIR"
#
# start installs PostgreSQL from Debian's packages when initdb is missing
# (apt-get install -y postgresql; Debian 12 serves version 15), creates a
# cluster in a new temporary directory owned by the postgres user, starts it
# on a free loopback port (listen_addresses=127.0.0.1, no Unix socket outside
# the directory) and creates the database resreg. It prints, for eval:
#
#   RESREG_POSTGRES_DSN          keyword DSN of the database
#   RESREG_POSTGRES_DIR          the temporary directory (for stop)
#   RESREG_POSTGRES_STOP_CMD     stops the server, keeping its data
#   RESREG_POSTGRES_START_CMD    starts it again on the same port
#
# The last two let pgstore's restart test take the server down mid-run.
# stop DIR stops the server and removes DIR. pause DIR and resume DIR stop
# and start the server without touching its data.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

# as_postgres runs a command as the postgres user (the server refuses root).
as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

find_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
	return 1
}

install_postgres() {
	if find_bindir >/dev/null; then
		return 0
	fi
	log "installing PostgreSQL from Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y postgresql >&2
	# The package starts a system cluster of its own; the tests use a
	# throwaway one, so leave the system one stopped.
	if command -v pg_ctlcluster >/dev/null 2>&1; then
		for v in /etc/postgresql/*/main; do
			[ -d "$v" ] && pg_ctlcluster "$(basename "$(dirname "$v")")" main stop >&2 2>/dev/null || true
		done
	fi
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() {
	! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

start() {
	install_postgres
	local bin dir port tries self
	bin=$(find_bindir)
	dir=$(mktemp -d /tmp/resreg-pg.XXXXXX)
	chmod 755 "$dir"
	mkdir "$dir/data" "$dir/run"
	chown postgres: "$dir/data" "$dir/run" 2>/dev/null || true
	as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
include 'port.conf'
CONF
	port=""
	for tries in $(seq 1 20); do
		port=$((20000 + RANDOM % 40000))
		port_free "$port" || continue
		echo "port = $port" >"$dir/data/port.conf"
		chown postgres: "$dir/data/port.conf" 2>/dev/null || true
		if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 30 start >&2; then
			break
		fi
		log "start on port $port failed, trying another"
		port=""
	done
	if [ -z "$port" ]; then
		cat "$dir/run/server.log" >&2 || true
		rm -rf "$dir"
		return 1
	fi
	as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres resreg

	self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
	echo "export RESREG_POSTGRES_DSN='host=127.0.0.1 port=$port user=postgres dbname=resreg sslmode=disable'"
	echo "export RESREG_POSTGRES_DIR='$dir'"
	echo "export RESREG_POSTGRES_STOP_CMD='$self pause $dir'"
	echo "export RESREG_POSTGRES_START_CMD='$self resume $dir'"
	log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
}

pause() {
	local bin; bin=$(find_bindir)
	as_postgres "$bin/pg_ctl" -D "$1/data" -m fast -w stop >&2
}

resume() {
	local bin; bin=$(find_bindir)
	as_postgres "$bin/pg_ctl" -D "$1/data" -l "$1/run/server.log" -w -t 30 start >&2
}

stop() {
	local dir=$1 bin
	[ -d "$dir/data" ] || { log "no cluster in $dir"; return 0; }
	case "$dir" in /tmp/resreg-pg.*) ;; *) log "refusing to remove $dir"; return 1 ;; esac
	bin=$(find_bindir)
	as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 2>/dev/null || true
	rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
pause) pause "${2:?usage: postgres.sh pause DIR}" ;;
resume) resume "${2:?usage: postgres.sh resume DIR}" ;;
*) echo "usage: postgres.sh start | stop DIR | pause DIR | resume DIR" >&2; exit 2 ;;
esac
