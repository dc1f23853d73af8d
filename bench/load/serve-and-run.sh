#!/usr/bin/env bash
# Called by bench/load/run.sh inside scripts/with-postgres.sh (DATABASE_URL is set).
set -euo pipefail
PY="${PY:-.venv/bin/python}"
BIN="$(dirname "$PY")"
USERS="${LOAD_USERS:-50}"
SPAWN="${LOAD_SPAWN_RATE:-10}"
DURATION="${LOAD_DURATION:-60s}"
OUT="$LOAD_OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/load.XXXXXX")"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# The production settings (config/settings.py), as docs/deploy.md sets them, minus HTTPS:
# the load runs on plain loopback HTTP, so the cookies are not marked Secure.
unset DEBUG DEMO_MODE DJANGO_SETTINGS_MODULE DJANGO_ALLOW_ASYNC_UNSAFE HTTPS BEHIND_PROXY
export DJANGO_SETTINGS_MODULE=config.settings
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=127.0.0.1
export DOCUMENTS_ROOT="$WORK/private"
export GUNICORN_BIND="127.0.0.1:$PORT"
export GUNICORN_WORKERS=2

SERVER=""
cleanup() {
    local rc=$?
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
        kill -TERM "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    rm -rf -- "$WORK"
    exit "$rc"
}
trap cleanup EXIT

echo "load: migrate and load the demo" >&2
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_demo >"$OUT/demo-accounts.txt"

echo "load: gunicorn (2 workers) on 127.0.0.1:$PORT" >&2
"$BIN/gunicorn" -c deploy/gunicorn.conf.py --access-logfile "$OUT/gunicorn-access.log" \
    --error-logfile "$OUT/gunicorn-error.log" &
SERVER=$!
for _ in $(seq 1 300); do
    if "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), timeout=1).close()" 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/gunicorn-error.log" >&2; exit 1; }
    sleep 0.2
done

echo "load: locust, $USERS users (+$SPAWN/s) for $DURATION" >&2
rm -f "$OUT"/locust_*.csv
"$BIN/locust" -f bench/load/locustfile.py --headless -u "$USERS" -r "$SPAWN" -t "$DURATION" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 10 \
    --loglevel WARNING >"$OUT/locust.log" 2>&1 || true
grep '^load:' "$OUT/locust.log" >&2 || true
"$PY" bench/load/summary.py "$OUT/locust" --users "$USERS" --duration "$DURATION"
