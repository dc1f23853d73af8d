#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster.
#
#   scripts/with-postgres.sh <command> [args...]
#
# 1. initdb into a fresh temporary directory (trust auth, UTF-8, fsync off: it is disposable);
# 2. start postgres listening ONLY on a unix socket inside that directory (no TCP port,
#    so parallel runs never collide and nothing is reachable from outside);
# 3. create the database "app";
# 4. export DATABASE_URL=postgres://postgres@<socket dir, percent-encoded>/app
#    (plus PGHOST/PGPORT/PGUSER/PGDATABASE for psql) and run the command;
# 5. on any exit (success, failure, Ctrl-C, TERM) stop the cluster and delete the directory;
# 6. exit with the command's exit code.
#
# PostgreSQL refuses to run as root. When invoked as root the server runs as the
# `postgres` system user that the postgresql-15 package creates (created here if absent);
# the command itself still runs as the caller. As an ordinary user everything runs as you.
#
# PG_BINDIR overrides where initdb/pg_ctl/postgres are looked up.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        echo "$PG_BINDIR"
    elif [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
        echo /usr/lib/postgresql/15/bin           # Debian's postgresql-15 layout
    elif command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
    else
        echo "with-postgres: PostgreSQL 15 server binaries not found;" \
             "run scripts/ensure-system-packages.sh or set PG_BINDIR." >&2
        return 1
    fi
}
BINDIR="$(find_bindir)"
for tool in initdb pg_ctl postgres; do
    if [ ! -x "$BINDIR/$tool" ]; then
        echo "with-postgres: $BINDIR/$tool is missing." >&2
        exit 1
    fi
done

# Who runs the server. setpriv (util-linux) exec()s in place, so the server stays a direct
# child of this script: we stop it and reap it ourselves, leaving no orphan and no zombie.
if [ "$(id -u)" -eq 0 ]; then
    PG_OS_USER=postgres
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    PG_RUN=(setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups --)
else
    PG_OS_USER="$(id -un)"
    PG_RUN=()
fi

# unix socket paths are limited to ~107 bytes, so fall back to /tmp if TMPDIR is deep.
base="${TMPDIR:-/tmp}"
if [ "${#base}" -gt 60 ]; then base=/tmp; fi
PGTMP="$(mktemp -d "$base/pgtest.XXXXXX")"
PGDATA_DIR="$PGTMP/data"
PGSOCK_DIR="$PGTMP/sock"
PGLOG="$PGTMP/postgres.log"
PG_PID=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        kill -INT "$PG_PID" 2>/dev/null || true          # fast shutdown
        for _ in $(seq 1 300); do
            kill -0 "$PG_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$PG_PID" 2>/dev/null; then
            echo "with-postgres: fast shutdown timed out, killing the server" >&2
            kill -QUIT "$PG_PID" 2>/dev/null || true     # immediate shutdown
            sleep 2
            kill -KILL "$PG_PID" 2>/dev/null || true
        fi
    fi
    if [ -n "$PG_PID" ]; then
        wait "$PG_PID" 2>/dev/null || true
    fi
    rm -rf -- "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$PGSOCK_DIR"
chmod 0700 "$PGTMP"
if [ "$(id -u)" -eq 0 ]; then
    chown -R "$PG_OS_USER:" "$PGTMP"
fi

# Run the server tools from inside the temp dir: the caller's cwd may be unreadable to postgres.
cd_pg() { (cd "$PGTMP" && "${PG_RUN[@]}" "$@"); }

if ! cd_pg "$BINDIR/initdb" -D "$PGDATA_DIR" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PGTMP/initdb.log" 2>&1; then
    echo "with-postgres: initdb failed:" >&2
    cat "$PGTMP/initdb.log" >&2
    exit 1
fi

PGPORT_NUM=5432   # only names the socket file (.s.PGSQL.5432) inside our private directory
(
    cd "$PGTMP"
    exec "${PG_RUN[@]}" "$BINDIR/postgres" -D "$PGDATA_DIR" -p "$PGPORT_NUM" \
        -c listen_addresses='' -c unix_socket_directories="$PGSOCK_DIR" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=50 -c logging_collector=off
) >"$PGLOG" 2>&1 </dev/null &
PG_PID=$!

ready=0
for _ in $(seq 1 600); do
    if ! kill -0 "$PG_PID" 2>/dev/null; then break; fi
    if "$BINDIR/pg_isready" -q -h "$PGSOCK_DIR" -p "$PGPORT_NUM" -U postgres -d postgres 2>/dev/null; then
        ready=1; break
    fi
    sleep 0.1
done
if [ "$ready" -ne 1 ]; then
    echo "with-postgres: postgres did not start:" >&2
    cat "$PGLOG" >&2 || true
    exit 1
fi

cd_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK_DIR" -p "$PGPORT_NUM" -U postgres -d postgres \
    -c "CREATE DATABASE app" >/dev/null

enc_sock="$(printf '%s' "$PGSOCK_DIR" | sed 's|%|%25|g; s|/|%2F|g')"
export DATABASE_URL="postgres://postgres@${enc_sock}:${PGPORT_NUM}/app"
export PGHOST="$PGSOCK_DIR" PGPORT="$PGPORT_NUM" PGUSER=postgres PGDATABASE=app
echo "with-postgres: PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on $PGSOCK_DIR (database app)" >&2

set +e
"$@"
rc=$?
set -e
exit "$rc"
