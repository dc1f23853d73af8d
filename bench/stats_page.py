"""Time the bureau's statistics (exports/statistics.py) on an existing database, read-only.

    DATABASE_URL=sqlite:////work/wt/p10k/p10k.sqlite3 DJANGO_SETTINGS_MODULE=config.settings \\
    DEBUG=0 HTTPS=0 DEMO_MODE=0 SECRET_KEY=x .venv/bin/python bench/stats_page.py

Prints the number of queries and the median of 5 runs of each part (docs/statistics.md).
"""

from __future__ import annotations

import statistics as stats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from core import timeutil  # noqa: E402
from core.vocabulary import OrgKind  # noqa: E402
from exports import statistics  # noqa: E402
from projects.models import Project, User  # noqa: E402


def main() -> None:
    user = User.objects.filter(organisation__kind=OrgKind.BUREAU).order_by("pk").first()
    today = timeutil.today()
    print("projects:", Project.objects.count())
    owner = Project.objects.order_by("pk").values_list("owner_id", flat=True).first()
    for label, filters in (
        ("all", statistics.Filters()),
        ("year", statistics.Filters(year=today.year)),
        ("department", statistics.Filters(owner=owner)),
    ):
        parts = {
            "pipeline": lambda f=filters: statistics.pipeline(statistics.projects_for(user, f)),
            "investment": lambda f=filters: statistics.investment(statistics.projects_for(user, f)),
            "on_time": lambda f=filters: statistics.on_time(statistics.projects_for(user, f), f, today),
            "steps": lambda f=filters: statistics.working_days_per_step(statistics.projects_for(user, f)),
            "all": lambda f=filters: statistics.statistics(user, f, today),
        }
        for name, run in parts.items():
            times = []
            for _ in range(5):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - start)
            print(f"{label:10} {name:10} {len(ctx.captured_queries):2} queries  median {stats.median(times):.3f} s")


if __name__ == "__main__":
    main()
