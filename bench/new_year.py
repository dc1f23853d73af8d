#!/usr/bin/env python
"""Entering a new year's holidays with N provisional clocks (issue 10: < 3 s and a constant
number of queries at 10,000). Not a test.

On a generated province (``manage.py generate_province``; DATABASE_URL names it), inside a
transaction that is rolled back at the end of each run, so the database is left as it was:

1. N projects in the joint review, each with a working-day clock (5, 20 or 15 days, some with
   paused days) received on different days of the year that has no schedule yet, so its
   deadline is provisional; made in bulk, not timed;
2. the administrator enters that year's schedule (``services.calendar_year_enter``, a made-up
   notice of 25 days off and 4 make-up working days): its wall time and its queries;
3. that no provisional clock of that year is left.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 SECRET_KEY=… .venv/bin/python bench/new_year.py --clocks 10000

On PostgreSQL the rows made and rolled back leave dead rows and unset visibility bits behind:
run it after the page benchmarks, or ``VACUUM ANALYZE`` before measuring pages again (a list
of overdue projects took 3.4× the bare page instead of 2.2× until the tables were vacuumed).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

D = datetime.date


def notice(year: int) -> tuple[dict[datetime.date, str], dict[datetime.date, str]]:
    """A made-up schedule for ``year``: weekday days off and weekend make-up days."""
    off: dict[datetime.date, str] = {D(year, 1, 1): "元旦"}
    off |= {D(year, 2, day): "春节" for day in range(5, 12)}
    off |= {D(year, 4, 5): "清明节"}
    off |= {D(year, 5, day): "劳动节" for day in range(3, 6)}
    off |= {D(year, 10, day): "国庆节" for day in range(1, 8)}
    worked = {D(year, 2, 14): "春节", D(year, 2, 20): "春节"}
    worked |= {D(year, 5, 8): "劳动节", D(year, 10, 9): "国庆节"}
    return off, {d: n for d, n in worked.items() if d.weekday() >= 5}


def one_run(clocks: int, year: int) -> dict[str, float | int]:
    from django.db import connection, transaction

    from lifecycle import services
    from lifecycle.models import Clock
    from projects.models import Organisation, User
    from tests.lifecycle.builders import provisional_clocks

    admin = User.objects.get(username="admin")
    owner = Organisation.objects.filter(kind="owner").order_by("pk").first()
    result: dict[str, float | int] = {}
    with transaction.atomic():
        provisional_clocks(clocks, owner, year=year)
        result["provisional"] = Clock.objects.filter(provisional=True).count()
        off, worked = notice(year)
        # Statements counted by a wrapper, not CaptureQueriesContext: its debug cursor renders
        # every statement's SQL with its parameters, which on SQLite runs a query per 999 of
        # them and would be timed with the work.
        sent: list[str] = []

        def count(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            changes = services.calendar_year_enter(
                year, actor=admin, holidays=off, workdays=worked, source="基准测试"
            )
            result["seconds"] = round(time.perf_counter() - started, 3)
        result["queries"] = len(sent)
        result["moved"] = len(changes)
        result["left_provisional_in_year"] = Clock.objects.filter(
            provisional=True, received_on__year=year
        ).count()
        transaction.set_rollback(True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=10000)
    parser.add_argument("--year", type=int, default=2027, help="a year with no schedule entered yet")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from lifecycle.models import CalendarYear

    if CalendarYear.objects.filter(year=args.year).exists():
        print(f"{args.year} has a schedule already: choose another --year", file=sys.stderr)
        return 2
    runs = [one_run(args.clocks, args.year) for _ in range(args.runs)]
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "clocks": args.clocks,
                "runs": runs,
                "median_seconds": statistics.median(r["seconds"] for r in runs),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
