"""The bureau's statistics (issue 12 item 7, issue 11 item 7): the pipeline by stage, the
investment by department and year, the on-time rate per organisation that must act and the
average working days per step — each summed by the database in a fixed number of queries,
whatever the number of projects (docs/statistics.md).

The page (web/stats_views.py), the bureau's home page and the workbook
(exports/statistics_xlsx.py) read these functions and nothing else, so a chart, its table and
the workbook always show the same numbers.

Which projects: those the person may see (``projects.selectors.visible_projects``; the page is
the bureau's, 办法第四条), optionally one plan year (the call's or the plan's year, as the
project list filters) and one department.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import (
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from core.formatting import pct_text
from core.states import STAGES
from core.vocabulary import Network, OrgKind
from lifecycle.clocks import ARTICLES
from lifecycle.models import ASPECTS, Aspect, CalendarDay, Clock, ClockKind
from projects.models import Organisation, Project, User, YearlyInvestment
from projects.selectors import visible_projects

from . import joint_review_counts

# ---------------------------------------------------------------- which projects


@dataclass(frozen=True)
class Filters:
    """年度 (the call's or the plan's year) and 项目建设单位; None: all."""

    year: int | None = None
    owner: int | None = None


def projects_for(user: User, filters: Filters) -> QuerySet[Project]:
    """The projects the statistics count: what ``user`` may see, filtered."""
    qs = visible_projects(user)
    if filters.year:
        qs = qs.filter(Q(call__year=filters.year) | Q(plan__year=filters.year))
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    return qs


# ---------------------------------------------------------------- pipeline by stage


@dataclass
class StageRow:
    label: StrOrPromise
    count: int
    money_yuan: Decimal


def pipeline(projects: QuerySet[Project]) -> list[StageRow]:
    """Projects and their 项目总投资 per stage of 办法第七条 and the chapters after it: one
    query grouped by state (at most one row per state, however many projects)."""
    by_state = {
        row["state"]: row
        for row in projects.order_by()
        .values("state")
        .annotate(n=Count("pk"), money=Coalesce(Sum("total_investment_yuan"), Decimal(0)))
    }
    rows = []
    for label, states in STAGES.items():
        hits = [by_state[s] for s in states if s in by_state]
        rows.append(
            StageRow(
                label=label,
                count=sum(h["n"] for h in hits),
                money_yuan=sum((h["money"] for h in hits), Decimal(0)),
            )
        )
    return rows


# ---------------------------------------------------------------- investment by department and year


@dataclass
class InvestmentTable:
    """办法第九条 年度投资额 of the projects, per department (rows) and year (columns)."""

    years: list[int]
    rows: list[tuple[str, list[Decimal], Decimal]]  # department, amount per year, total
    totals: list[Decimal]
    total: Decimal


def investment(projects: QuerySet[Project]) -> InvestmentTable:
    """办法第九条 年度投资额: the yearly amounts summed per department and year by the database
    (one query)."""
    sums = (
        YearlyInvestment.objects.filter(project__in=projects.order_by().values("pk"))
        .order_by()
        .values("project__owner_id", "project__owner__name", "year")
        .annotate(total=Sum("amount_yuan"))
    )
    cells: dict[tuple[int, str], dict[int, Decimal]] = {}
    years: set[int] = set()
    for row in sums:
        key = (row["project__owner_id"], row["project__owner__name"])
        cells.setdefault(key, {})[row["year"]] = row["total"] or Decimal(0)
        years.add(row["year"])
    ordered = sorted(years)
    rows = []
    for (_pk, name), amounts in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        values = [amounts.get(y, Decimal(0)) for y in ordered]
        rows.append((name, values, sum(values, Decimal(0))))
    totals = [sum((r[1][i] for r in rows), Decimal(0)) for i in range(len(ordered))]
    return InvestmentTable(ordered, rows, totals, sum(totals, Decimal(0)))


# ---------------------------------------------------------------- on time per organisation


@dataclass
class OnTimeRow:
    """The clocks an organisation had to meet: met (by the deadline), late (after it),
    overdue (still open and past it), pending (open, not yet due)."""

    organisation: str
    kind: str  # OrgKind of the organisation
    met: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    clocks: list[str] = field(default_factory=list)  # the clock names counted

    @property
    def decided(self) -> int:
        """The clocks whose outcome is known: met, late, or already overdue."""
        return self.met + self.late + self.overdue

    @property
    def rate(self) -> Decimal | None:
        """met ÷ (met + late + overdue); None while nothing is decided."""
        if not self.decided:
            return None
        return Decimal(self.met) / Decimal(self.decided)

    @property
    def rate_text(self) -> str:
        """The rate as a percentage with two decimals ("66.67%"), "—" while undecided."""
        return pct_text(self.rate) if self.rate is not None else "—"


#: Who must act before each clock's deadline (办法第十、十一、十八、二十五、二十九、三十三、三十六条).
#: "owner": the project's department; "design": the design approver of 第十八条 (the bureau, 省内网办
#: for an intranet project). The joint review (第十条) is counted per opinion, below.
ACTOR_OF_CLOCK: dict[str, str] = {
    ClockKind.INTAKE: OrgKind.BUREAU,  # 受理 (the bureau's own target)
    ClockKind.PLAN_COMPILATION: OrgKind.BUREAU,  # 第十一条
    ClockKind.DESIGN_REVIEW: "design",  # 第十八条
    ClockKind.RECTIFICATION: "owner",  # 第三十六条
    ClockKind.PERFORMANCE_REPORT: "owner",  # 第二十五条
    ClockKind.ACCEPTANCE_APPLICATION: "owner",  # 第二十九条
    ClockKind.SELF_EVALUATION: "owner",  # 第三十三条
}


def _outcomes(today: datetime.date) -> dict[str, Any]:
    """Met, late, overdue, pending over clocks annotated with ``due`` (the extended deadline)."""
    return {
        "met": Count("pk", filter=Q(stopped_on__isnull=False, stopped_on__lte=F("due"))),
        "late": Count("pk", filter=Q(stopped_on__isnull=False, stopped_on__gt=F("due"))),
        "overdue": Count("pk", filter=Q(stopped_on__isnull=True, due__lt=today)),
        "pending": Count("pk", filter=Q(stopped_on__isnull=True, due__gte=today)),
    }


def _with_due(clocks: QuerySet[Clock]) -> QuerySet[Clock]:
    return clocks.annotate(due=Coalesce("extended_to", "due_on", output_field=DateField()))


def on_time(projects: QuerySet[Project], filters: Filters, today: datetime.date) -> list[OnTimeRow]:
    """On time per organisation that must act, in four queries whatever the number of
    projects: the joint-review opinions per agency (办法第十条: the agency's first opinion by
    the clock's deadline, ``joint_review_counts``), the project clocks grouped by kind,
    network and department, the plan-compilation clocks (第十一条; not with a department
    filter) and the agencies' names. Agencies first (in the order of ``OrgKind``), then the
    departments by name."""
    ids = projects.order_by().values("pk")
    rows: dict[tuple[str, Any], OnTimeRow] = {}

    def row(kind: str, key: Any, name: str) -> OnTimeRow:
        return rows.setdefault((kind, key), OnTimeRow(organisation=name, kind=kind))

    def add(target: OnTimeRow, clock: str, met: int, late: int, overdue: int, pending: int) -> None:
        target.met += met
        target.late += late
        target.overdue += overdue
        target.pending += pending
        if met + late + overdue + pending and clock not in target.clocks:
            target.clocks.append(clock)

    joint = Clock.objects.filter(kind=ClockKind.JOINT_REVIEW, project__in=ids)
    for aspect, (_total, met, late, pending, overdue) in joint_review_counts.joint_review_counts(
        joint, today
    ).items():
        kind = ASPECTS[Aspect(aspect)][0]
        add(row(kind, None, ""), str(_("联合审核意见")), met, late, overdue, pending)

    grouped = cast(
        "list[dict[str, Any]]",
        list(
            _with_due(Clock.objects.filter(project__in=ids))
            .exclude(kind=ClockKind.JOINT_REVIEW)
            .order_by()
            .values("kind", "project__network", "project__owner_id", "project__owner__name")
            .annotate(**_outcomes(today))
        ),
    )
    labels = dict(ClockKind.choices)
    for g in grouped:
        actor = ACTOR_OF_CLOCK.get(g["kind"], "owner")
        if actor == "owner":
            target = row(OrgKind.OWNER, g["project__owner_id"], g["project__owner__name"])
        elif actor == "design":
            kind = OrgKind.INTRANET if g["project__network"] == Network.INTRANET else OrgKind.BUREAU
            target = row(kind, None, "")
        else:
            target = row(actor, None, "")
        add(target, str(labels[g["kind"]]), g["met"], g["late"], g["overdue"], g["pending"])

    if not filters.owner:
        plans = Clock.objects.filter(kind=ClockKind.PLAN_COMPILATION, project__isnull=True)
        if filters.year:
            plans = plans.filter(plan__year=filters.year)
        p = _with_due(plans).order_by().aggregate(**_outcomes(today))
        add(
            row(OrgKind.BUREAU, None, ""),
            str(labels[ClockKind.PLAN_COMPILATION]),
            *(p[k] for k in ("met", "late", "overdue", "pending")),
        )

    agency_kinds = [k for (k, key) in rows if k != OrgKind.OWNER]
    names = dict(
        Organisation.objects.filter(kind__in=agency_kinds).order_by("pk").values_list("kind", "name")
    )
    order = list(OrgKind.values)
    result = []
    for (kind, _key), r in sorted(
        rows.items(), key=lambda kv: (kv[0][0] == OrgKind.OWNER, order.index(kv[0][0]), kv[1].organisation)
    ):
        if kind != OrgKind.OWNER:
            r.organisation = names.get(kind) or str(OrgKind(kind).label)
        if r.decided or r.pending:
            result.append(r)
    return result


# ---------------------------------------------------------------- working days per step


class WeekdayNumber(Func):
    """Working days Monday–Friday from Monday 1970-01-05 (not counted) to the date: 5 per
    whole week and up to 4 of the last part week (Tuesday–Friday). The official exceptions
    (weekday holidays, weekend make-up days: ``CalendarDay``) are counted apart.

    The difference of two such numbers is the Monday–Friday days in (start, end], the count of
    ``lifecycle.workdays.working_days_between`` before the exceptions."""

    output_field = IntegerField()
    arity = 1

    def _template(self, days: str, least: str) -> str:
        return f"(5 * (({days}) / 7) + {least}(({days}) %% 7, 4))"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        days = f"CAST(julianday({sql}) - 2440591.5 AS INTEGER)"
        return self._template(days, "MIN"), (*params, *params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        days = f"({sql} - DATE '1970-01-05')"
        return self._template(days, "LEAST"), (*params, *params)


def _exceptions(workday: bool) -> Coalesce:
    """The official exceptions in (received_on, stopped_on] of the clock: weekend make-up days
    (``workday``) or weekday holidays."""
    days = (
        CalendarDay.objects.filter(
            is_workday=workday, date__gt=OuterRef("received_on"), date__lte=OuterRef("stopped_on")
        )
        .order_by()
        .values("is_workday")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(days, output_field=IntegerField()), Value(0))


@dataclass
class StepRow:
    kind: str
    label: StrOrPromise
    article: str
    count: int
    average_days: Decimal | None  # working days, one decimal


def working_days_per_step(projects: QuerySet[Project]) -> list[StepRow]:
    """Average working days from a clock's start (the day of receipt not counted) to its stop,
    without the working days it was paused for 补正 or the experts (办法第十条, 第十八条:
    ``Clock.paused_working_days``), per kind of clock — one query, the working days counted by
    the database on the official calendar (``WeekdayNumber`` and ``CalendarDay``). Only clocks
    that stopped are counted; the plan-compilation clock belongs to no project."""
    per_clock = (
        Clock.objects.filter(project__in=projects.order_by().values("pk"), stopped_on__isnull=False)
        .order_by()
        .annotate(
            days=WeekdayNumber(F("stopped_on"))
            - WeekdayNumber(F("received_on"))
            + _exceptions(True)
            - _exceptions(False)
            - F("paused_working_days")
        )
    )
    totals = cast(
        "list[dict[str, Any]]",
        list(per_clock.values("kind").annotate(n=Count("pk"), total=Sum("days")).order_by()),
    )
    sums = {r["kind"]: r for r in totals}
    rows = []
    for kind, article in ARTICLES.items():
        if kind == ClockKind.PLAN_COMPILATION:
            continue
        r = sums.get(kind) or {"n": 0, "total": 0}
        n = r["n"]
        average = (Decimal(r["total"]) / n).quantize(Decimal("0.1")) if n else None
        rows.append(StepRow(kind, ClockKind(kind).label, article, n, average))
    return rows


# ---------------------------------------------------------------- everything at once


@dataclass
class Statistics:
    filters: Filters
    today: datetime.date
    stages: list[StageRow]
    investment: InvestmentTable
    on_time: list[OnTimeRow]
    steps: list[StepRow]


def statistics(user: User, filters: Filters, today: datetime.date) -> Statistics:
    projects = projects_for(user, filters)
    return Statistics(
        filters=filters,
        today=today,
        stages=pipeline(projects),
        investment=investment(projects),
        on_time=on_time(projects, filters, today),
        steps=working_days_per_step(projects),
    )
