#!/usr/bin/env python
"""Condense bench/results/*.json into the tables of docs/benchmarks.md.

    .venv/bin/python bench/report.py bench/results/sqlite-1000.json bench/results/postgresql-1000.json …

One row per page (the range over the roles that open it) or per export / PDF, one column
group per result file: ours in ms, × bare, queries.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def _range(values: list[float], fmt: str) -> str:
    lo, hi = min(values), max(values)
    return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}–{fmt.format(hi)}"


def condense(paths: list[str]) -> str:
    runs = [json.loads(Path(p).read_text()) for p in paths]
    keys: dict[tuple[str, str], None] = {}
    cells: dict[tuple[str, str], dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for i, run in enumerate(runs):
        for r in run["results"]:
            # Exports are named with their row count, which differs between sizes.
            label = r["label"].split(" (")[0]
            key = (r["group"], label if r["group"] == "page" else f"{label} · {r['role']}")
            keys.setdefault(key)
            cells[key][i].append(r)
    head = "| kind | item |" + "".join(
        f" {run['meta']['database']} {run['meta']['projects']:,}: ms | × bare | queries |" for run in runs
    )
    lines = [head, "|---|---|" + "---|---|---|" * len(runs)]
    for key in keys:
        row = f"| {key[0]} | {key[1]} |"
        for i in range(len(runs)):
            rs = cells[key].get(i)
            if not rs:
                row += " — | — | — |"
                continue
            row += (
                f" {_range([r['ours_ms'] for r in rs], '{:,.0f}')} |"
                f" {_range([r['ratio'] for r in rs], '{:.1f}')} |"
                f" {_range([r['ours_queries'] for r in rs], '{}')} |"
            )
        lines.append(row)
    bare = " · ".join(
        f"{run['meta']['database']} {run['meta']['projects']:,}: bare page "
        f"{_range([r['bare_ms'] for r in run['results'] if r['group'] == 'page'], '{:,.0f}')} ms"
        for run in runs
    )
    return "\n".join(lines) + f"\n\n{bare}\n"


if __name__ == "__main__":
    print(condense(sys.argv[1:]))
