"""Download views for the cross-project exports: ?format=xlsx (default) or csv.

Everything is limited to the projects the person may see (documents.access); big exports
stream — the workbook is written in openpyxl's write-only mode to a spooled temporary file,
the CSV is generated row by row — and every export is recorded in the audit trail.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core import timeutil
from core.filenames import content_disposition, download_name
from lifecycle import audit
from projects import jobs
from projects.selectors import visible_projects

from .base import stream_csv, write_xlsx
from .jobs import CONTENT_TYPES, agency, exporter_for
from .progress import clean_code
from .reports import JointReviewStatsExporter


def _respond(request, exporter, filename: str, *, action: str):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("不支持的格式")
    audit.record(
        actor=request.user,
        action=action,
        obj=request.user,
        label=f"导出{exporter.title}",
        data={"format": fmt},
    )
    if fmt == "csv":
        response = StreamingHttpResponse(stream_csv(exporter), content_type="text/csv; charset=utf-8")
    else:
        # Handed to FileResponse, which closes it after streaming; a with-block would close it first.
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        write_xlsx(exporter, spool)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES["xlsx"])
    # Issue 15: the export's title and the day it was made.
    response["Content-Disposition"] = content_disposition(
        download_name(filename, day=timeutil.today(), ext=fmt)
    )
    return response


def _export(request, kind: str, params: dict):
    """The file at once, or — over ``settings.EXPORT_BACKGROUND_ROWS`` projects — a background
    job (projects/jobs.py) and its page, which shows the progress and then the download."""
    exporter = exporter_for(kind, request.user, params)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("不支持的格式")
    if visible_projects(request.user).count() > settings.EXPORT_BACKGROUND_ROWS:
        job = jobs.start(
            kind, actor=request.user, title=f"{exporter.title}（{fmt}）", params={**params, "format": fmt}
        )
        return redirect("job", pk=job.pk)
    return _respond(request, exporter, exporter.title, action=kind)


@login_required
@require_GET
def plan(request, year):
    """年度建设计划表: agencies see the whole plan; a department its own projects in it, once
    the plan is issued to it — the same rule as the plan page (projects.access.get_plan_for_user,
    办法第十一条), so a plan still being compiled is 404 to a department here too."""
    return _export(request, "export.plan", {"year": year})


@login_required
@require_GET
def ledger(request):
    return _export(request, "export.ledger", {})


@login_required
@require_GET
def overdue(request):
    try:
        days = max(0, min(60, int(request.GET.get("days", 5))))
    except ValueError:
        days = 5
    return _export(request, "export.overdue", {"days": days})


@login_required
@require_GET
def progress(request):
    """办法第十五条: 进展填报 for the 投资项目在线审批监管平台, one row per 项目代码 of the projects
    the person may see (exports/progress.py); ``?code=`` one project."""
    code = clean_code(request.GET.get("code"))
    if code is None:
        raise Http404("没有该项目代码的项目")
    return _export(request, "export.progress", {"code": code})


@login_required
@require_GET
def joint_review_stats(request):
    if not agency(request.user):
        raise Http404("无权查看")
    year = request.GET.get("year")
    # "²".isdigit() is True but int("²") fails; 40 digits overflow (issue 7: found by
    # tests/web/test_no_500.py).
    year = int(year) if year and year.isascii() and year.isdigit() and len(year) <= 4 else None
    exporter = JointReviewStatsExporter(visible_projects(request.user), year=year)
    return _respond(request, exporter, exporter.title, action="export.joint_review_stats")
