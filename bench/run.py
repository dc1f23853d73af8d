#!/usr/bin/env python
"""Build a province-sized database and measure it (issue 10). Not a test.

    .venv/bin/python bench/run.py --projects 1000                      # throwaway SQLite
    bash scripts/with-postgres.sh .venv/bin/python bench/run.py --projects 1000   # PostgreSQL
    make bench BENCH_PROJECTS=10000

1. a new database: a temporary SQLite file, unless DATABASE_URL names one (an EMPTY one: the
   generator refuses a database with projects); materials in a temporary folder;
2. ``manage.py migrate``, ``manage.py generate_province --projects N --seed S --today D`` and
   ``manage.py verify_audit`` (the generated audit trail is one unbroken hash chain);
3. ``bench/measure.py`` in a fresh process (its memory figures start clean), which writes
   ``bench/results/<database>-<N>.json`` and ``.md`` (or ``--out``).

The settings are production's (DEBUG off, a throwaway SECRET_KEY), so templates are cached
and no debug bookkeeping is timed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="generate_province, then bench/measure.py")
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-11-27", help="the sample's today (reproducible dates)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", help="JSON result file (default bench/results/<database>-<N>.json)")
    parser.add_argument("--keep", help="keep the SQLite database at this path instead of a temporary one")
    args, rest = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        env = dict(os.environ)
        env.setdefault("DATABASE_URL", f"sqlite:///{args.keep or Path(tmp) / 'bench.sqlite3'}")
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DEBUG": "0",
                "HTTPS": "0",
                "DEMO_MODE": "0",
                "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
                "DOCUMENTS_ROOT": str(Path(tmp) / "documents"),
                # Exports over 1,000 projects are written by the worker (exports/jobs.py): the
                # measurement times the same writing inside the request, against bare openpyxl.
                "EXPORT_BACKGROUND_ROWS": "1000000000",
                "PYTHONPATH": str(ROOT),
            }
        )
        vendor = "postgresql" if env["DATABASE_URL"].startswith(("postgres", "pgsql")) else "sqlite"
        out = args.out or str(ROOT / "bench" / "results" / f"{vendor}-{args.projects}.json")
        python, manage = sys.executable, str(ROOT / "manage.py")
        started = time.perf_counter()
        subprocess.run([python, manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run(
            [
                python,
                manage,
                "generate_province",
                f"--projects={args.projects}",
                f"--seed={args.seed}",
                f"--today={args.today}",
            ],
            env=env,
            check=True,
        )
        # The generated trail must still be one unbroken hash chain (lifecycle/chain.py).
        subprocess.run([python, manage, "verify_audit"], env=env, check=True)
        built = time.perf_counter() - started
        print(f"database built in {built:.0f} s", file=sys.stderr, flush=True)
        measure = [python, str(ROOT / "bench" / "measure.py"), f"--runs={args.runs}", f"--out={out}", *rest]
        return subprocess.run(measure, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
