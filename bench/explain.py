#!/usr/bin/env python
"""EXPLAIN of what the pages ask, on a generated province (issue 10). Not a test.

For each page of bench/measure.py's roles (the same users and URLs), the page is requested
once with the queries captured, and the slowest ``--top`` of them are explained on the same
connection with ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL (``EXPLAIN QUERY PLAN`` on
SQLite). The report says, per query, its time, the plan's top line and whether any node reads
a whole table of more than ``--rows`` rows (a "Seq Scan" on PostgreSQL, a "SCAN" without an
index on SQLite) — what an index would be for.

    bash scripts/with-postgres.sh bash -c '.venv/bin/python bench/run.py --projects 10000 &&
        DJANGO_SETTINGS_MODULE=config.settings DEBUG=0 HTTPS=0 DEMO_MODE=0 SECRET_KEY=… \
        .venv/bin/python bench/explain.py --out bench/results/explain-postgresql-10000.md'

(the throwaway cluster keeps the province bench/run.py built until the command ends).
DATABASE_URL names the province; production settings as bench/run.py sets them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

#: A plan line that reads a whole table: PostgreSQL's sequential scan, SQLite's SCAN
#: without "USING … INDEX".
_WHOLE = re.compile(r"Seq Scan on (\w+)|SCAN (\w+)(?!.*USING)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="EXPLAIN the slowest queries of every page")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000, help="a whole-table read of more rows is flagged")
    parser.add_argument("--out", help="markdown report (default: standard output)")
    args = parser.parse_args(argv)

    import measure

    measure.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    vendor = connection.vendor
    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model_table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(model_table)}")
            sizes[model_table] = cursor.fetchone()[0]

    lines = [
        f"# EXPLAIN of the pages ({vendor}, {sizes.get('projects_project', 0)} projects)",
        "",
        (
            f"The {args.top} slowest queries of each page, explained on the same connection "
            f"(bench/explain.py). ⚠ marks a whole-table read of a table over {args.rows} rows."
        ),
        "",
        "| role | page | query ms | whole-table reads | plan (top line) |",
        "|---|---|---|---|---|",
    ]
    flagged = 0
    for item in measure.page_items(include_plan=True):
        with CaptureQueriesContext(connection) as captured:
            item.ours()
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[: args.top]
        for q in slowest:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                if vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
            whole = sorted(
                {
                    t
                    for line in plan
                    for m in _WHOLE.finditer(line)
                    for t in m.groups()
                    if t and sizes.get(t, 0) > args.rows
                }
            )
            flagged += bool(whole)
            top = plan[0].strip().replace("|", "/")[:110] if plan else ""
            mark = "⚠ " + ", ".join(whole) if whole else ""
            lines.append(f"| {item.role} | {item.label} | {float(q['time']) * 1000:.1f} | {mark} | `{top}` |")
    lines += ["", f"{flagged} explained queries read a whole table of more than {args.rows} rows."]
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    raise SystemExit(main())
