"""Print what `make load` measured, from locust's CSV files: per kind of request the count,
errors, p50 and p95 (ms), and in total the requests per second and the errors. Exit 1 if any
request failed (docs/reliability.md: the run must end with 0 errors)."""

from __future__ import annotations

import argparse
import csv
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix", help="the --csv prefix given to locust")
    parser.add_argument("--users", default="?")
    parser.add_argument("--duration", default="?")
    args = parser.parse_args()
    try:
        with open(f"{args.prefix}_stats.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        print(f"load: no {args.prefix}_stats.csv — locust did not run (see its log)", file=sys.stderr)
        return 2
    total = next(r for r in rows if r["Name"] == "Aggregated")
    kinds = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -int(r["Request Count"]))
    width = max(len(f"{r['Type']} {r['Name']}") for r in [*kinds, total])
    print(f"\nload: {args.users} users for {args.duration}, gunicorn 2 workers, PostgreSQL 15 (loopback)")
    print(f"{'request':<{width}}  {'count':>6}  {'errors':>6}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}")
    for r in [*kinds, total]:
        label = f"{r['Type']} {r['Name']}".strip()
        print(
            f"{label:<{width}}  {r['Request Count']:>6}  {r['Failure Count']:>6}  "
            f"{r['50%']:>7}  {r['95%']:>7}  {float(r['Max Response Time']):>7.0f}"
        )
    failures = int(total["Failure Count"])
    print(f"requests/s: {float(total['Requests/s']):.1f}   errors: {failures}")
    try:
        with open(f"{args.prefix}_failures.csv", newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                print(f"  error: {r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}")
    except FileNotFoundError:
        pass
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
