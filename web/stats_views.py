"""The bureau's statistics page and its workbook (issue 12 item 7), and the two small charts
of the bureau's home page (issue 11 item 7); docs/statistics.md.

Who: the people of 省营商环境局 (办法第四条: it 统筹 the province's projects and supervises
them; 办法第三十五条 its supervision). Everyone else gets 404 — a department reads its own
projects on its own pages, and the agencies' figures per agency are the bureau's view of
them (the rule of projects/access.py: 404 for what a person may not see).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import timeutil
from core.formatting import wan_text
from core.kept_sql import Ask, KeptQueries, then, together
from core.vocabulary import OrgKind
from exports import statistics
from exports.statistics_xlsx import write_statistics
from lifecycle import audit
from lifecycle.models import AuditEntry
from projects import access, params as params_mod
from projects.models import AnnualPlan, Call, Organisation

from . import charts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_read(user) -> bool:
    """The statistics are the bureau's (办法第四条)."""
    return bool(getattr(user, "is_authenticated", False)) and access.kind_of(user) == OrgKind.BUREAU


def _bureau_only(user) -> None:
    if not may_read(user):
        raise Http404(_("统计页面仅供省营商环境局使用。"))


def _filters(request) -> statistics.Filters:
    """``?year=`` and ``?owner=``; a value that cannot be a year or a department is ignored."""
    year = params_mod.year(request.GET.get("year", "")) if request.GET.get("year") else None
    owner = params_mod.row_id(request.GET.get("owner", "")) if request.GET.get("owner") else None
    return statistics.Filters(year=year, owner=owner)


# ---------------------------------------------------------------- the charts of the numbers


def money(yuan) -> str:
    return _("%(wan)s万元") % {"wan": wan_text(yuan)}


def pipeline_chart(stages: list[statistics.StageRow], chart_id: str = "chart-pipeline") -> SafeString:
    summary = "；".join(
        _("%(stage)s：%(n)s个项目，%(money)s")
        % {"stage": s.label, "n": s.count, "money": money(s.money_yuan)}
        for s in stages
    )
    return charts.bar_chart(
        chart_id,
        _("各阶段项目数"),
        summary,
        [
            charts.Bar(
                str(s.label), s.count, _("%(n)s个 · %(money)s") % {"n": s.count, "money": money(s.money_yuan)}
            )
            for s in stages
        ],
    )


def on_time_chart(rows: list[statistics.OnTimeRow], chart_id: str = "chart-ontime") -> SafeString:
    summary = "；".join(
        _("%(org)s：按期%(met)s项，逾期完成%(late)s项，已逾期未完成%(overdue)s项，按期率%(rate)s")
        % {"org": r.organisation, "met": r.met, "late": r.late, "overdue": r.overdue, "rate": r.rate_text}
        for r in rows
    ) or _("暂无")
    return charts.stacked_chart(
        chart_id,
        _("各单位按期完成率"),
        summary,
        [
            charts.Stack(
                r.organisation,
                (("met", r.met), ("late", r.late), ("overdue", r.overdue)),
                r.rate_text,
            )
            for r in rows
        ],
        [("met", _("按期完成")), ("late", _("逾期完成")), ("overdue", _("已逾期未完成"))],
    )


def investment_chart(table: statistics.InvestmentTable, chart_id: str = "chart-investment") -> SafeString:
    summary = "；".join(
        _("%(year)s年：%(money)s") % {"year": y, "money": money(t)}
        for y, t in zip(table.years, table.totals, strict=True)
    ) or _("暂无")
    return charts.bar_chart(
        chart_id,
        _("各年度投资额"),
        summary,
        [
            charts.Bar(_("%(year)s年") % {"year": y}, float(t), money(t))
            for y, t in zip(table.years, table.totals, strict=True)
        ],
    )


def steps_chart(steps: list[statistics.StepRow], chart_id: str = "chart-steps") -> SafeString:
    shown = [s for s in steps if s.count]
    summary = "；".join(
        _("%(step)s：平均%(days)s个工作日（%(n)s项）")
        % {"step": s.label, "days": s.average_days, "n": s.count}
        for s in shown
    ) or _("暂无")
    return charts.bar_chart(
        chart_id,
        _("各环节平均用时（工作日）"),
        summary,
        [
            charts.Bar(
                str(s.label), float(s.average_days or 0), _("%(days)s个工作日") % {"days": s.average_days}
            )
            for s in shown
        ],
    )


@dataclass
class HomeCharts:
    pipeline: SafeString
    on_time: SafeString
    stages: list[statistics.StageRow]
    rows: list[statistics.OnTimeRow]
    #: The section as the home page shows it (templates/projects/_stats_home.html), rendered
    #: once with the figures: its two tables were a third of the bureau's home page (issue 10).
    html: str = ""


#: The SQL of ``latest_ask`` (core.kept_sql).
_KEPT = KeptQueries(4)


def home_charts_asks(user) -> list[Ask]:
    """What ``home_charts`` reads first, as asks the home page sends with its own (issue 10):
    the latest audit row, for a person who may read the figures."""
    if not may_read(user):
        return []
    latest = _KEPT.ask(("latest",), lambda: AuditEntry.objects.order_by("-pk").values_list("pk", "at")[:1])
    return [then(latest, lambda rows: rows[0] if rows else None)]


def home_charts(user, asked: list[Any] | None = None) -> HomeCharts | None:
    """The bureau's home page (issue 11 item 7): the pipeline by stage and the on-time rate per
    organisation — five queries whatever the number of projects (the page's functions).
    ``asked``: the answers of ``home_charts_asks``, when the page sent them."""
    if not may_read(user):
        return None
    today = timeutil.today()
    # Issue 10: the figures cost 0.25–0.5 s at 10,000 projects, on every visit of the bureau's
    # home page. They change only when something is recorded (every step, opinion and clock
    # writes an audit row) or the day turns (what is overdue): kept per process under the
    # latest audit row and the day, one indexed query decides whether they are still true.
    (latest,) = together(home_charts_asks(user)) if asked is None else asked
    key = (today, latest, translation.get_language())
    if _home_memo and _home_memo[0] == key:
        return _home_memo[1]
    filters = statistics.Filters()
    projects = statistics.projects_for(user, filters)
    stages = statistics.pipeline(projects)
    rows = statistics.on_time(projects, filters, today)
    charts = HomeCharts(
        pipeline_chart(stages, "home-pipeline"), on_time_chart(rows, "home-ontime"), stages, rows
    )
    charts.html = SafeString(render_to_string("projects/_stats_home.html", {"stats_charts": charts}))
    _home_memo[:] = [key, charts]
    return charts


#: (key, charts) of the last home figures computed in this process (``home_charts``).
_home_memo: list = []


# ---------------------------------------------------------------- pages


@login_required
@require_GET
def statistics_page(request):
    _bureau_only(request.user)
    filters = _filters(request)
    stats = statistics.statistics(request.user, filters, timeutil.today())
    years = sorted(
        set(Call.objects.values_list("year", flat=True))
        | set(AnnualPlan.objects.values_list("year", flat=True)),
        reverse=True,
    )
    owners = list(Organisation.objects.filter(kind=OrgKind.OWNER).order_by("name").only("pk", "name"))
    query = request.GET.copy()
    return render(
        request,
        "projects/statistics.html",
        {
            "stats": stats,
            "filters": filters,
            "years": years,
            "owners": owners,
            "owner_name": next((o.name for o in owners if o.pk == filters.owner), ""),
            "query": query.urlencode(),
            "charts": {
                "pipeline": pipeline_chart(stats.stages),
                "investment": investment_chart(stats.investment),
                "on_time": on_time_chart(stats.on_time),
                "steps": steps_chart(stats.steps),
            },
        },
    )


@login_required
@require_GET
def statistics_export(request):
    """The same numbers as a workbook (openpyxl), one sheet per table; the export is audited."""
    _bureau_only(request.user)
    filters = _filters(request)
    stats = statistics.statistics(request.user, filters, timeutil.today())
    title = _("政务信息化项目统计")
    audit.record(
        actor=request.user,
        action="export.statistics",
        obj=request.user,
        label=_("导出%(title)s") % {"title": title},
        data={"format": "xlsx", "year": filters.year, "owner": filters.owner},
    )
    # Handed to FileResponse, which closes it after streaming.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    owner = Organisation.objects.filter(pk=filters.owner).values_list("name", flat=True).first()
    write_statistics(stats, spool, owner or "")
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title + '.xlsx')}"
    return response
