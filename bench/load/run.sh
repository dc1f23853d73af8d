#!/usr/bin/env bash
# The load test of docs/reliability.md (`make load`), on loopback only and bounded in time:
#
#   1. a throwaway PostgreSQL 15 (scripts/with-postgres.sh: unix socket only, deleted at the end);
#   2. migrate and load the demo (web/demo.py: every role, projects in every state);
#   3. gunicorn with deploy/gunicorn.conf.py and the production settings (DEBUG=0, a random
#      SECRET_KEY), but 2 workers, on 127.0.0.1 and a free port;
#   4. locust headless (bench/load/locustfile.py): LOAD_USERS simulated users (default 50)
#      across the roles, spawned LOAD_SPAWN_RATE a second (10), for LOAD_DURATION (60s);
#      LOAD_STEADY=1 resets the statistics once every user has signed in (people at work,
#      without the sign-in storm of the first seconds; give it a longer LOAD_DURATION).
#   5. bench/load/summary.py prints p50/p95 per kind of request, requests/s and the errors,
#      and exits non-zero if there was any error; gunicorn and PostgreSQL are stopped.
#
# The CSV files of locust and gunicorn's log stay in LOAD_OUT (test-artifacts/load).
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOAD_OUT="${LOAD_OUT:-test-artifacts/load}"
mkdir -p "$LOAD_OUT"
exec bash scripts/with-postgres.sh bash bench/load/serve-and-run.sh
