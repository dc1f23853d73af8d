#!/usr/bin/env python
"""Benchmark of the filings and exports (issue 4). Not a test: run it by hand.

    .venv/bin/python scripts/bench_documents.py            # all figures, ~1–2 minutes
    .venv/bin/python scripts/bench_documents.py --runs 15

Builds a throwaway SQLite database in a temporary folder (10,000 projects in one plan, 40
departments, two funding sources each), then measures:

1. warm render of a 2-page form (政务信息化项目建设需求申报表) and of a letter (初步设计方案批复):
   documents.pdf.render (template + WeasyPrint) against bare WeasyPrint on the same HTML,
   reusing one FontConfiguration as ours does (issue 10: building one per document made ours
   look twice as fast);
2. the 10,000-project 年度建设计划表 export (query + rows + write-only workbook) against bare
   openpyxl write-only writing the same cells with the same styles, each in a fresh child
   process, reporting wall time and peak memory (ru_maxrss above the process's own baseline,
   and tracemalloc's peak of Python allocations).

Medians are printed; docs/benchmarks.md quotes them. bench/ (issue 10) measures every page,
export and PDF on a generated province; this script stays for the per-process memory of the
10,000-project plan workbook.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N_PROJECTS = 10_000


def setup(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DOCUMENTS_ROOT", str(db_path.parent / "private"))
    import django

    django.setup()


def build(db_path: Path) -> None:
    setup(db_path)
    import datetime
    from decimal import Decimal

    from django.core.management import call_command

    from core.states import PlanState
    from projects.models import (
        AnnualPlan,
        Call,
        DataResource,
        FundingLine,
        Organisation,
        Project,
        User,
        YearlyInvestment,
    )

    call_command("migrate", verbosity=0)
    bureau = Organisation.objects.create(kind="bureau", name="黑龙江省营商环境建设监督局", code="黑营商")
    User.objects.create(username="bureau", organisation=bureau, role="head", full_name="张三")
    owners = [
        Organisation.objects.create(kind="owner", name=f"黑龙江省第{i:02d}厅", code=f"黑{i:02d}")
        for i in range(40)
    ]
    call = Call.objects.create(
        year=2026, opens_on=datetime.date(2025, 6, 1), closes_on=datetime.date(2025, 6, 30)
    )
    plan = AnnualPlan.objects.create(year=2026)
    AnnualPlan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    text = "建设统一业务受理、审批、监管模块，覆盖全省13个市（地），依托省政务云，采用微服务架构。"
    projects = [
        Project(
            name=f"政务信息化项目{i:05d}",
            owner=owners[i % 40],
            call=call,
            plan=plan,
            state="in_plan",
            content_and_scale=text,
            period_months=12,
            total_investment_yuan=Decimal(1_000_000 + i * 37),
            basis_and_necessity=text,
            performance_targets=text,
            cloud_requirements=text,
            protection_plan=text,
            security_plan=text,
            product_reliability=text,
            crypto_plan=text,
            approved_estimate_yuan=Decimal(1_000_000 + i * 37),
            fsr_approval_no="黑发改审批〔2026〕8号",
        )
        for i in range(N_PROJECTS)
    ]
    Project.objects.bulk_create(projects, batch_size=1000)
    lines, years = [], []
    for p in Project.objects.only("pk", "total_investment_yuan").iterator():
        central = (p.total_investment_yuan * Decimal("0.3")).quantize(Decimal("0.01"))
        lines += [
            FundingLine(project=p, source="provincial", amount_yuan=p.total_investment_yuan - central),
            FundingLine(project=p, source="central", amount_yuan=central),
        ]
        years.append(YearlyInvestment(project=p, year=2026, amount_yuan=p.total_investment_yuan))
    FundingLine.objects.bulk_create(lines, batch_size=2000)
    YearlyInvestment.objects.bulk_create(years, batch_size=2000)
    first = Project.objects.order_by("pk").first()
    DataResource.objects.bulk_create(
        [
            DataResource(
                project=first,
                name=f"业务数据资源{i}",
                provider=first.owner.name,
                data_format="数据库",
                update_cycle="每日",
                sharing_type="conditional",
                sharing_condition="仅限本业务使用",
                open_type="closed",
            )
            for i in range(12)
        ]
    )


def median_time(fn, runs: int) -> float:
    fn()  # warm-up: fonts loaded, templates compiled
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_pdf(db_path: Path, runs: int) -> dict:
    setup(db_path)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from documents import pdf, snapshots
    from projects.models import Organisation, Project

    project = Project.objects.order_by("pk").first()
    bureau = Organisation.objects.get(kind="bureau")
    fonts = FontConfiguration()
    result = {}
    for label, snap in (
        ("form", snapshots.application_form(project)),
        ("letter", {**snapshots.design_approval(project, issuer=bureau), "document_no": "黑营商〔2026〕1号"}),
    ):
        html = pdf.render_html(snap["template"], snap)
        _data, pages = pdf.render(snap["template"], snap)
        ours = median_time(lambda snap=snap: pdf.render(snap["template"], snap), runs)
        # Fair: bare WeasyPrint reuses one font configuration too, as ours does (issue 10).
        bare = median_time(
            lambda html=html: HTML(string=html, base_url=str(ROOT)).render(font_config=fonts).write_pdf(),
            runs,
        )
        result[label] = {
            "pages": pages,
            "ours_s": round(ours, 3),
            "bare_s": round(bare, 3),
            "ratio": round(ours / bare, 2),
        }
    return result


def vm_hwm_kb() -> int:
    """Peak resident set size of this process image (VmHWM). Unlike ru_maxrss on Linux, it
    is not inherited across exec from the parent that spawned the child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export_child(db_path: Path, mode: str, trace: bool = False) -> dict:
    """Runs in a fresh process: one export, its wall time and peak memory. With ``trace``,
    only tracemalloc's peak (tracing slows Python down several times, so it is a separate run)."""
    setup(db_path)
    import tracemalloc

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from exports import base
    from projects.plan import PlanExporter

    out = Path(tempfile.mkdtemp()) / "plan.xlsx"
    exporter = PlanExporter(2026)
    if mode == "bare":
        # The same cells, values computed beforehand (outside the measurement).
        rows = [(r.values, r.style) for r in exporter.rows()]
        kinds = [c.kind for c in exporter.columns]
    baseline = vm_hwm_kb()
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    if mode == "ours":
        base.write_xlsx(exporter, str(out))
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("plan")
        for row, style in rows:
            cells = []
            for kind, value in zip(kinds, row, strict=False):
                c = WriteOnlyCell(ws, value)
                c.font, c.border = (base.BOLD if style else base.PLAIN), base.BORDER
                if style:
                    c.fill = base.SUB_FILL
                if kind == "money":
                    c.number_format = base.MONEY_FORMAT
                cells.append(c)
            ws.append(cells)
        wb.save(str(out))
    elapsed = time.perf_counter() - t
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"tracemalloc_peak_mb": peak / 1048576}
    hwm = vm_hwm_kb()
    return {
        "seconds": elapsed,
        "rss_peak_mb": hwm / 1024,
        "rss_above_baseline_mb": (hwm - baseline) / 1024,
        "size_kb": out.stat().st_size // 1024,
    }


def bench_export(db_path: Path, runs: int) -> dict:
    result = {}
    for mode in ("ours", "bare"):
        samples = []
        for _ in range(runs):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--db", str(db_path)],
                capture_output=True,
                text=True,
                check=True,
            )
            samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        result[mode] = {k: round(statistics.median(s[k] for s in samples), 3) for k in samples[0]}
        proc = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--trace", "--db", str(db_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        result[mode].update(
            {k: round(v, 3) for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}
        )
    result["ratio"] = round(result["ours"]["seconds"] / result["bare"]["seconds"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9, help="timed runs per PDF measurement (median)")
    parser.add_argument("--export-runs", type=int, default=5, help="child processes per export mode (median)")
    parser.add_argument("--child", choices=["ours", "bare"])
    parser.add_argument("--db")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(export_child(Path(args.db), args.child, args.trace)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        t = time.perf_counter()
        build(db)
        print(f"built {N_PROJECTS} projects in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        figures = {
            "cpus": os.cpu_count(),
            "pdf": bench_pdf(db, args.runs),
            "export": bench_export(db, args.export_runs),
        }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
