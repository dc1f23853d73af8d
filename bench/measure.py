#!/usr/bin/env python
"""Measure every page of every role, every export and every PDF against its bare baseline
(bench/baseline.py), in this one process, on the database DATABASE_URL names (issue 10).

    DATABASE_URL=sqlite:////tmp/x.sqlite3 SECRET_KEY=… .venv/bin/python bench/measure.py --out r.json

Usually started by bench/run.py, which builds the database first. For each item: one warm-up
of ours and of bare, then ``--runs`` interleaved timed runs (ours, bare, ours, bare …) and the
medians; the number of queries of the warm-up run of each (CaptureQueriesContext); the peak of Python
allocations of one run of each (tracemalloc, a separate untimed run: tracing slows Python);
and the process's peak resident size so far (ru_maxrss) after the item. Items whose warm-up
takes longer than ``--slow`` seconds get at most 3 runs (1 beyond 10 s), and no tracemalloc run
beyond 5 s (ru_maxrss, the process's peak so far, is the memory figure for those).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Item:
    group: str
    label: str
    role: str
    ours: Callable[[], object]
    bare: Callable[[], object]
    baseline: str


@dataclass
class Result:
    group: str
    label: str
    role: str
    baseline: str
    runs: int
    ours_ms: float
    bare_ms: float
    ratio: float
    ours_queries: int | None
    bare_queries: int | None
    ours_peak_mb: float | None
    bare_peak_mb: float | None
    rss_mb: float
    samples: dict = field(default_factory=dict)


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.urls import clear_url_caches, set_urlconf

    settings.ROOT_URLCONF = "bench.urls"
    clear_url_caches()
    set_urlconf(None)


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def traced_peak(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1048576
    finally:
        tracemalloc.stop()


def measure(item: Item, runs: int, slow: float) -> Result:
    # The warm-up runs count the queries (not timed: capturing costs a little).
    t = time.perf_counter()
    ours_queries = queries(item.ours)
    warm_ours = time.perf_counter() - t
    bare_queries = queries(item.bare)
    if warm_ours > slow:
        runs = min(runs, 3 if warm_ours < 10 else 1)
    ours, bare = [], []
    for _ in range(runs):
        ours.append(timed(item.ours))
        bare.append(timed(item.bare))
    big = warm_ours > 5
    mo, mb = statistics.median(ours), statistics.median(bare)
    return Result(
        group=item.group,
        label=item.label,
        role=item.role,
        baseline=item.baseline,
        runs=runs,
        ours_ms=round(mo * 1000, 1),
        bare_ms=round(mb * 1000, 1),
        ratio=round(mo / mb, 2) if mb else 0.0,
        ours_queries=ours_queries,
        bare_queries=bare_queries,
        ours_peak_mb=None if big else round(traced_peak(item.ours), 1),
        bare_peak_mb=None if big else round(traced_peak(item.bare), 1),
        rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        samples={"ours_s": [round(x, 4) for x in ours], "bare_s": [round(x, 4) for x in bare]},
    )


# ---------------------------------------------------------------- what is measured


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def getter(client, url: str) -> Callable[[], bytes]:
    def get() -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        # The client closes the response itself (at the end of a streamed body), with the
        # database connection kept: closing it here would end a test's transaction.
        return response.getvalue()

    return get


#: (username, pages) — every role: department 经办人 and 负责人, the bureau's 审核人 and
#: 负责人, the agencies, 审计厅 and the administrator.
ROLES = [
    ("edu_preparer", ("home", "list", "search", "filter_stage", "filter_year", "overdue", "project")),
    ("edu_head", ("home", "list", "search", "filter_stage", "overdue", "project", "plans", "plan")),
    ("bureau_reviewer", ("home", "list", "search", "filter_owner", "overdue", "project", "calls")),
    (
        "bureau_head",
        ("home", "list", "search", "filter_stage", "filter_owner", "overdue", "project", "plans", "plan"),
    ),
    ("bureau_head", ("supervision",)),
    ("cac_reviewer", ("home", "list", "project")),
    ("crypto_reviewer", ("home", "list", "project")),
    ("drc_head", ("home", "list", "project")),
    ("finance_head", ("home", "list", "project", "plan")),
    ("government_head", ("home", "list", "project")),
    ("audit_reviewer", ("home", "list", "project")),
    ("admin", ("home", "list", "search", "project", "plan")),
]


def page_items(include_plan: bool) -> list[Item]:
    from django.db.models import Count

    from core.states import ProjectState as S
    from projects.models import AnnualPlan, Organisation, User
    from projects.selectors import visible_projects

    plan = AnnualPlan.objects.annotate(n=Count("projects")).order_by("-n").first()
    edu = Organisation.objects.get(name="黑龙江省教育厅")
    stage = "5"  # 建设
    items = []
    for username, pages in ROLES:
        user = User.objects.get(username=username)
        client = client_for(user)
        bare = getter(client, "/bench/bare/")
        visible = visible_projects(user)
        project = (
            visible.filter(state=S.CONSTRUCTION).order_by("pk").first() or visible.order_by("pk").first()
        )
        urls = {
            "home": "/",
            "list": "/projects/",
            "search": "/projects/?q=%E5%B9%B3%E5%8F%B0",  # 平台
            "filter_stage": f"/projects/?stage={stage}",
            "filter_year": f"/projects/?year={plan.year}" if plan else "/projects/",
            "filter_owner": f"/projects/?owner={edu.pk}",
            "overdue": "/projects/?overdue=1",
            "project": f"/projects/{project.pk}/" if project else "/",
            "plans": "/plans/",
            "plan": f"/plans/{plan.year}/" if plan else "/plans/",
            "calls": "/calls/",
            "supervision": "/supervision/",
        }
        for page in pages:
            if page == "plan" and not include_plan:
                continue
            items.append(Item("page", page, username, getter(client, urls[page]), bare, "bare view"))
    return items


def export_items() -> list[Item]:
    from bench import baseline
    from exports.reports import JointReviewStatsExporter, LedgerExporter, OverdueExporter
    from projects.models import AnnualPlan, User
    from projects.plan import PlanExporter
    from projects.selectors import visible_projects

    plan = AnnualPlan.objects.order_by("year").first()
    items = []
    for username in ("bureau_head", "edu_head"):
        user = User.objects.get(username=username)
        client = client_for(user)
        agency = username != "edu_head"
        visible = visible_projects(user)
        exporters = {
            "ledger": ("/exports/ledger/", LedgerExporter(visible)),
            "overdue": ("/exports/overdue/", OverdueExporter(visible, days=5, include_plans=agency)),
        }
        if plan is not None:
            exporters["plan"] = (
                f"/exports/plans/{plan.year}/",
                PlanExporter(plan.year, projects=visible, track_record=agency),
            )
        if agency:
            exporters["joint_review_stats"] = (
                "/exports/joint-review-stats/",
                JointReviewStatsExporter(visible, year=None),
            )
        for name, (url, exporter) in exporters.items():
            kinds, rows = baseline.xlsx_rows(exporter)
            items.append(
                Item(
                    "xlsx",
                    f"{name} ({len(rows)} rows)",
                    username,
                    getter(client, url + "?format=xlsx"),
                    lambda kinds=kinds, rows=rows: baseline.bare_xlsx(kinds, rows),
                    "bare openpyxl",
                )
            )
            if name in ("ledger", "plan"):
                labels = exporter.flat_labels()
                items.append(
                    Item(
                        "csv",
                        f"{name} ({len(rows)} rows)",
                        username,
                        getter(client, url + "?format=csv"),
                        lambda labels=labels, rows=rows: baseline.bare_csv(labels, rows),
                        "bare csv",
                    )
                )
    return items


def pdf_items(include_plan: bool) -> list[Item]:
    from bench import baseline
    from core.states import ProjectState as S
    from documents import filings, pdf
    from documents.models import FilingKind
    from projects.models import AnnualPlan, Organisation, Project

    bureau = Organisation.objects.get(kind="bureau")
    base_url = f"{pdf.static_root().as_uri()}/"
    construction = Project.objects.filter(state=S.CONSTRUCTION).order_by("pk").first()
    cases = [
        ("application_form", FilingKind.APPLICATION_FORM, construction, None, construction.owner),
        ("design_approval letter", FilingKind.DESIGN_APPROVAL, construction, None, bureau),
        ("joint_review_opinion letter", FilingKind.JOINT_REVIEW_OPINION, construction, None, bureau),
    ]
    plan = AnnualPlan.objects.order_by("year").first()
    if include_plan and plan is not None:
        cases.append(
            (f"annual_plan ({plan.projects.count()} projects)", FilingKind.ANNUAL_PLAN, None, plan, bureau)
        )
    items = []
    for label, kind, project, the_plan, issuer in cases:
        spec = filings.SPECS[kind]

        def snapshot(spec=spec, project=project, the_plan=the_plan, issuer=issuer) -> dict:
            entry = filings.occurrence(spec, project=project, plan=the_plan)
            snap = filings._snapshot(
                spec, project=project, plan=the_plan, obj=None, issuer=issuer, entry=entry, preview=True
            )
            snap["document_no"] = snap.get("recorded_no") or "黑营商〔2026〕1号"
            return snap

        def ours(snapshot=snapshot) -> bytes:
            snap = snapshot()
            return pdf.render(snap["template"], snap)[0]

        snap = snapshot()
        html = pdf.render_html(snap["template"], snap)
        items.append(
            Item(
                "pdf",
                label,
                "bureau_head" if issuer == bureau else "owner",
                ours,
                lambda html=html: baseline.bare_pdf(html, base_url),
                "bare WeasyPrint, one FontConfiguration",
            )
        )
    return items


def markdown(results: list[Result], meta: dict) -> str:
    lines = [
        (
            f"{meta['projects']} projects, {meta['database']}, {meta['cpus']} CPUs ({meta['machine']}); "
            f"medians of up to {meta['runs']} interleaved runs"
        ),
        "",
        "| kind | item | role | ours ms | bare ms | × bare | queries (bare) | py peak MB (bare) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        peak = "—" if r.ours_peak_mb is None else f"{r.ours_peak_mb} ({r.bare_peak_mb})"
        lines.append(
            f"| {r.group} | {r.label} | {r.role} | {r.ours_ms:,.0f} | {r.bare_ms:,.0f} | {r.ratio} | "
            f"{r.ours_queries} ({r.bare_queries}) | {peak} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds after which an item gets ≤ 3 runs")
    parser.add_argument("--only", default="page,xlsx,csv,pdf", help="groups to measure, comma-separated")
    parser.add_argument("--skip-plan", action="store_true", help="leave out the plan page and plan PDF")
    parser.add_argument("--skip-plan-pdf", action="store_true", help="leave out the annual plan PDF")
    parser.add_argument("--out", help="write the JSON here (and the markdown table next to it)")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    from projects.models import Project

    groups = set(args.only.split(","))
    items: list[Item] = []
    if "page" in groups:
        items += page_items(not args.skip_plan)
    if groups & {"xlsx", "csv"}:
        items += [i for i in export_items() if i.group in groups]
    if "pdf" in groups:
        items += pdf_items(not (args.skip_plan or args.skip_plan_pdf))
    meta = {
        "projects": Project.objects.count(),
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        "shared with other jobs",
        "runs": args.runs,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    results = []
    out = Path(args.out) if args.out else None

    def save() -> str:
        table = markdown(results, meta)
        if out is not None:  # after every item, so a long run interrupted keeps what it measured
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=1))
            out.with_suffix(".md").write_text(table)
        return table

    for item in items:
        t = time.perf_counter()
        result = measure(item, args.runs, args.slow)
        results.append(result)
        print(
            f"{item.group:5} {item.label:32} {item.role:16} ours {result.ours_ms:9.1f} ms  "
            f"bare {result.bare_ms:8.1f} ms  ×{result.ratio:<6} q {result.ours_queries}/{result.bare_queries}"
            f"  ({time.perf_counter() - t:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        save()
    print(save())
    return 0


if __name__ == "__main__":
    sys.exit(main())
