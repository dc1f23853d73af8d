"""办法第十五条: the progress of each project as the 投资项目在线审批监管平台 asks for it (进展填报).

Every new project except a classified one is approved on the platform and must report its
progress there "及时" (第十五条). The platform identifies a project by its 项目代码 (recorded
before the FSR is submitted, ``Project.platform_code``); this module gives, per 项目代码, what
the system knows of the stage, the date of each step of the approval (第十五、十八、十九条) and
of construction, acceptance and operation (第二十一、二十九条), and the amounts: the investment
applied for, the FSR estimate, the approved 概算, the total after an approved change (第二十八条),
the amount and funding source 省政府 decided (第十九条: 省财政厅 arranges the funds from it), the
plan year's investment (第十一条) and the investment executed as the yearly reports state it
(第二十五条). Nothing is estimated: a figure the system has not recorded stays empty.

``progress_records`` is the one source of these rows: the workbook (``ProgressExporter``,
exports/views.py) and the API (api/views.py) both read it. It reads the projects in chunks,
a fixed number of queries per chunk, so the workbook streams whatever the number of projects.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from core import timeutil
from core.formatting import wan
from core.states import STAGES, ChangeState
from core.tables import Column, Exporter, Row
from lifecycle.models import AuditEntry, ChangeRequest, PerformanceReport
from projects.models import Project, YearlyInvestment

CHUNK = 500
STAGE_OF = {state: label for label, states in STAGES.items() for state in states}

#: Dates read from the audit trail (the step's day: ``data["as_of"]`` when history was
#: entered after the fact, else the day of the row): key → (steps, first or last occurrence).
STEP_DATES: dict[str, tuple[tuple[str, ...], str]] = {
    "fsr_submitted_on": (("submit_fsr",), "first"),  # 办法第十五条 可研报批
    "fsr_approved_on": (("approve_fsr",), "last"),  # 办法第十五条 可研批复
    "design_submitted_on": (("submit_design",), "first"),  # 办法第十八条 初步设计报批
    "design_approved_on": (("approve_design",), "last"),  # 办法第十八条 初步设计批复
    "ratification_submitted_on": (("submit_ratification",), "last"),  # 办法第十九条 报省政府审定
}

#: The fields of one record, in the workbook's order: key, column.
FIELDS: list[tuple[str, Column]] = [
    ("platform_code", Column("项目代码", "text", 26)),
    ("name", Column("项目名称", "text", 32)),
    ("owner", Column("项目建设单位", "text", 22)),
    ("stage", Column("建设阶段", "text", 10)),
    ("state_label", Column("当前状态", "text", 18)),
    ("fsr_submitted_on", Column("可研报批日期", "date", 11, group="审批（办法第十五、十八、十九条）")),
    ("fsr_approved_on", Column("可研批复日期", "date", 11, group="审批（办法第十五、十八、十九条）")),
    ("fsr_approval_no", Column("可研批复文号", "text", 18, group="审批（办法第十五、十八、十九条）")),
    ("design_submitted_on", Column("初步设计报批日期", "date", 11, group="审批（办法第十五、十八、十九条）")),
    ("design_approved_on", Column("初步设计批复日期", "date", 11, group="审批（办法第十五、十八、十九条）")),
    ("design_approval_no", Column("初步设计批复文号", "text", 18, group="审批（办法第十五、十八、十九条）")),
    (
        "ratification_submitted_on",
        Column("报省政府审定日期", "date", 11, group="审批（办法第十五、十八、十九条）"),
    ),
    ("ratified_on", Column("省政府审定日期", "date", 11, group="审批（办法第十五、十八、十九条）")),
    ("ratification_no", Column("省政府审定文号", "text", 18, group="审批（办法第十五、十八、十九条）")),
    ("construction_started_on", Column("开工日期", "date", 11, group="建设实施")),
    ("completed_on", Column("建成日期", "date", 11, group="建设实施")),
    ("accepted_on", Column("验收日期", "date", 11, group="建设实施")),
    ("went_live_on", Column("投入运行日期", "date", 11, group="建设实施")),
    ("total_investment_wan", Column("申报总投资", "money", 12, group="投资（万元）")),
    ("fsr_estimate_wan", Column("可研批复估算", "money", 12, group="投资（万元）")),
    ("approved_estimate_wan", Column("概算总投资", "money", 12, group="投资（万元）")),
    ("adjusted_total_wan", Column("变更调整后总投资", "money", 12, group="投资（万元）")),
    ("decided_amount_wan", Column("省政府审定金额", "money", 12, group="投资（万元）")),
    ("decided_funding_source", Column("审定资金来源", "text", 16, group="投资（万元）")),
    ("plan_year", Column("计划年度", "int", 8, group="投资（万元）")),
    ("plan_year_investment_wan", Column("计划年度投资", "money", 12, group="投资（万元）")),
    ("executed_wan", Column("累计完成投资", "money", 12, group="投资（万元）")),
    ("executed_until", Column("完成投资截至年度", "int", 8, group="投资（万元）")),
    ("reported_on", Column("填报日期", "date", 11)),
]
KEYS = [key for key, _column in FIELDS]


#: What a 项目代码 may look like when asked for (core.validation.validate_platform_code checks
#: the full format when one is recorded); anything else matches no project — a NUL byte or a
#: 3,000-character string never reaches the database.
CODE_CHARS = re.compile(r"[0-9A-Za-z-]{1,24}")


def clean_code(value: str | None) -> str | None:
    """``value`` as a 项目代码 to look for: "" when none is asked for, None when it cannot be one."""
    if not value:
        return ""
    return value if CODE_CHARS.fullmatch(value) else None


def reportable(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects reported to the platform: not classified (办法第十五条: 涉密除外) and with a
    项目代码 recorded."""
    return projects.filter(classified=False).exclude(platform_code="").order_by("platform_code", "pk")


def _day(entry: Mapping[str, Any]) -> datetime.date:
    as_of = (entry["data"] or {}).get("as_of")
    if as_of:
        return datetime.date.fromisoformat(str(as_of)[:10])
    return timezone.localtime(entry["at"]).date()


def _step_dates(ids: list[int]) -> dict[int, dict[str, datetime.date]]:
    wanted = {action: key for key, (actions, _which) in STEP_DATES.items() for action in actions}
    rows = (
        AuditEntry.objects.filter(project_id__in=ids, action__in=list(wanted))
        .order_by("at", "pk")
        .values("project_id", "action", "at", "data")
    )
    found: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    for row in rows:
        key = wanted[row["action"]]
        if STEP_DATES[key][1] == "first" and key in found[row["project_id"]]:
            continue
        found[row["project_id"]][key] = _day(row)
    return found


def _adjusted_totals(ids: list[int]) -> dict[int, Decimal]:
    """办法第二十八条: the total after the last approved change."""
    result: dict[int, Decimal] = {}
    rows = ChangeRequest.objects.filter(project_id__in=ids, state=ChangeState.APPROVED).order_by(
        "decided_at", "pk"
    )
    for project_id, total in rows.values_list("project_id", "new_total_yuan"):
        result[project_id] = total
    return result


def _executed(ids: list[int]) -> dict[int, tuple[Decimal, int]]:
    """办法第二十五条: the investment executed, summed over the yearly reports, and the last year."""
    result: dict[int, tuple[Decimal, int]] = {}
    rows = PerformanceReport.objects.filter(project_id__in=ids).order_by("year")
    for project_id, year, amount in rows.values_list("project_id", "year", "investment_executed_yuan"):
        before = result.get(project_id, (Decimal("0"), year))[0]
        result[project_id] = (before + amount, year)
    return result


def _plan_year_investments(projects: list[Project]) -> dict[int, Decimal]:
    years = {p.pk: p.plan.year for p in projects if p.plan is not None}
    rows = YearlyInvestment.objects.filter(project_id__in=list(years)).values_list(
        "project_id", "year", "amount_yuan"
    )
    return {pid: amount for pid, year, amount in rows if years.get(pid) == year}


def progress_records(projects: QuerySet[Project], *, today: datetime.date | None = None) -> Iterator[dict]:
    """办法第十五条 进展填报: one record per 项目代码 of ``projects`` (the caller passes what the
    person may see), keys as ``KEYS``; amounts in 万元 (Decimal, two places), dates as dates."""
    today = today or timeutil.today()
    qs = reportable(projects).select_related("owner", "plan")
    last_pk: tuple[str, int] | None = None
    while True:
        chunk_qs = qs
        if last_pk is not None:
            code, pk = last_pk
            chunk_qs = qs.filter(Q(platform_code__gt=code) | Q(platform_code=code, pk__gt=pk))
        chunk = list(chunk_qs[:CHUNK])
        if not chunk:
            return
        ids = [p.pk for p in chunk]
        dates, adjusted = _step_dates(ids), _adjusted_totals(ids)
        executed, planned = _executed(ids), _plan_year_investments(chunk)
        for p in chunk:
            done = executed.get(p.pk)
            yield {
                "platform_code": p.platform_code,
                "project_id": p.pk,
                "name": p.name,
                "owner": p.owner.name,
                "stage": str(STAGE_OF.get(p.state, "")),
                "state": p.state,
                "state_label": p.get_state_display(),
                **{key: dates.get(p.pk, {}).get(key) for key in STEP_DATES},
                "fsr_approval_no": p.fsr_approval_no,
                "design_approval_no": p.design_approval_no,
                "ratified_on": p.ratified_on,
                "ratification_no": p.ratification_no,
                "construction_started_on": p.construction_started_on,
                "completed_on": p.completed_on,
                "accepted_on": p.accepted_on,
                "went_live_on": p.went_live_on,
                "total_investment_wan": wan(p.total_investment_yuan),
                "fsr_estimate_wan": wan(p.fsr_estimate_yuan),
                "approved_estimate_wan": wan(p.approved_estimate_yuan),
                "adjusted_total_wan": wan(adjusted.get(p.pk)),
                "decided_amount_wan": wan(p.decided_amount_yuan),
                "decided_funding_source": p.decided_funding_source,
                "plan_year": p.plan.year if p.plan is not None else None,
                "plan_year_investment_wan": wan(planned.get(p.pk)),
                "executed_wan": wan(done[0]) if done else None,
                "executed_until": done[1] if done else None,
                "reported_on": today,
            }
        last_pk = (chunk[-1].platform_code, chunk[-1].pk)


class ProgressExporter(Exporter):
    """办法第十五条 进展填报: one row per 项目代码, in the platform's terms."""

    def __init__(self, projects: QuerySet[Project], *, code: str = ""):
        super().__init__(
            title="投资项目在线审批监管平台进展填报表", columns=[column for _key, column in FIELDS]
        )
        self.projects = projects.filter(platform_code=code) if code else projects

    def rows(self) -> Iterator[Row]:
        for record in progress_records(self.projects):
            yield Row([record[key] for key in KEYS])
