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

import django

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
            n, median = len(ctx.captured_queries), stats.median(times)
            print(f"{label:10} {name:10} {n:2} queries  median {median:.3f} s")


def pages() -> None:
    """The whole page (view and template, RequestFactory: no session is written), the home
    page's charts, the workbook, and the project page's state diagram."""
    import io

    from django.test import RequestFactory
    from django.utils import translation

    from exports.statistics_xlsx import write_statistics
    from web import state_diagram, stats_views

    user = User.objects.filter(organisation__kind=OrgKind.BUREAU).order_by("pk").first()
    factory = RequestFactory()
    translation.activate("zh-hans")

    def page():
        request = factory.get("/statistics/")
        request.user = user
        assert stats_views.statistics_page(request).status_code == 200

    def workbook():
        write_statistics(statistics.statistics(user, statistics.Filters(), timeutil.today()), io.BytesIO())

    def diagram_new_path():
        state_diagram._render.cache_clear()
        state_diagram.diagram("construction", [])

    for name, run in (
        ("page", page),
        ("home charts", lambda: stats_views.home_charts(user)),
        ("workbook", workbook),
    ):
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
        print(f"{name:22} {len(ctx.captured_queries):2} queries  median {stats.median(times):.3f} s")
    start = time.perf_counter()
    state_diagram.layout("zh-hans")
    print(f"diagram: dot layout (once per process and language) {time.perf_counter() - start:.3f} s")
    times = []
    for _ in range(20):
        start = time.perf_counter()
        diagram_new_path()
        times.append(time.perf_counter() - start)
    print(f"diagram: SVG for a new state and path {stats.median(times) * 1000:.2f} ms")
    start = time.perf_counter()
    for _ in range(1000):
        state_diagram.diagram("construction", [])
    print(f"diagram: cached SVG {(time.perf_counter() - start):.3f} ms per view")


if __name__ == "__main__":
    main()
    pages()
