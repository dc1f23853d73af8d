"""年度建设计划表 (办法第十一条): the projects of a year's plan, by department, with
subtotals per department, the split by funding source, and a grand total — in 万元.

One query (amounts per funding source summed by the database in subqueries) read with
``iterator()``; subtotals accumulate in 元 as Decimal and are converted once, so a total is
the database's sum rounded, never a sum of rounded figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.formatting import wan
from core.kept_sql import Ask, KeptQueries, then, together
from core.nature import ProjectNature
from core.states import BUILT_STATES, LEFT_PLAN_STATES, ProjectState
from core.tables import Column, Exporter, Row
from projects.models import FundingLine, FundingSource, PlanTally, Project, YearlyInvestment
from projects.track_record import track_records

ZERO = Decimal("0")
SOURCES = list(FundingSource)
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)


def _sum_of(qs):
    return Coalesce(
        Subquery(
            qs.values("project").annotate(s=Sum("amount_yuan")).values("s")[:1], output_field=MONEY_FIELD
        ),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )


class PlanExporter(Exporter):
    def __init__(self, year: int, *, projects=None, track_record: bool = False):
        super().__init__(
            title=f"{year}年度省级政务信息化项目建设计划表",
            columns=[
                Column("序号", "int", 6),
                Column("项目名称", "text", 32),
                Column("项目建设单位", "text", 22),
                Column("建设内容和规模", "text", 40),
                Column("建设工期（月）", "int", 9),
                Column("合计", "money", 12, group="项目总投资及资金来源（万元）"),
                *[Column(str(s.label), "money", 12, group="项目总投资及资金来源（万元）") for s in SOURCES],
                Column(f"{year}年度计划投资（万元）", "money", 14),
                # issue 15: 建设性质, as published annual-plan tables carry it (core/nature.py).
                Column("建设性质", "text", 10),
                Column("项目阶段", "text", 16),
                Column("备注", "text", 16),
                # 办法第三十八条: each department's record, on its subtotal row (for the agencies).
                *([Column("部门履约记录（办法第三十八条）", "text", 40)] if track_record else []),
            ],
        )
        self.track_record = track_record
        self.year = year
        self.projects = projects if projects is not None else Project.objects.all()

    def queryset(self):
        year_amount = YearlyInvestment.objects.filter(project=OuterRef("pk"), year=self.year)
        annotations = {
            f"src_{s.value}": _sum_of(FundingLine.objects.filter(project=OuterRef("pk"), source=s.value))
            for s in SOURCES
        }
        return (
            self.projects.filter(plan__year=self.year)
            .annotate(year_yuan=_sum_of(year_amount), **annotations)
            .order_by("owner__name", "pk")
            .values_list(
                "owner__name",
                "name",
                "content_and_scale",
                "period_months",
                "total_investment_yuan",
                *annotations,
                "year_yuan",
                "state",
                "emergency_mandate",
                "nature",
            )
        )

    def _money(self, sums):
        return [wan(v) for v in sums]

    def rows(self) -> Iterator[Row]:
        labels = dict(ProjectState.choices)
        natures = dict(ProjectNature.choices)
        n_src = len(SOURCES)
        width = 2 + n_src  # total, sources…, year amount
        grand, grand_n = [ZERO] * width, 0
        dept, dept_sums, dept_n = None, [ZERO] * width, 0
        records = self._records()
        extra = [""] if self.track_record else []
        for rec in self.queryset().iterator(chunk_size=2000):
            owner, name, content, months, total = rec[:5]
            sources = rec[5 : 5 + n_src]
            year_yuan, state, mandate, nature = rec[5 + n_src :]
            if owner != dept:
                if dept is not None:
                    yield self._subtotal(f"{dept}小计（{dept_n}个项目）", dept_sums, record=records.get(dept))
                dept, dept_sums, dept_n = owner, [ZERO] * width, 0
            amounts = [total or ZERO, *sources, year_yuan]
            for i, a in enumerate(amounts):
                dept_sums[i] += a
                grand[i] += a
            dept_n += 1
            grand_n += 1  # also the row's 序号
            yield Row(
                [
                    grand_n,
                    name,
                    owner,
                    content,
                    months,
                    *self._money(amounts),
                    str(natures.get(nature, nature)),
                    str(labels.get(state, state)),
                    "紧急纳入（办法第十二条）" if mandate else "",
                    *extra,
                ]
            )
        if dept is not None:
            yield self._subtotal(f"{dept}小计（{dept_n}个项目）", dept_sums, record=records.get(dept))
        yield self._subtotal(f"合计（{grand_n}个项目）", grand, style="total")
        # Subtotals by funding source (办法第十九条: funds follow the decided source).
        for i, source in enumerate(SOURCES, start=1):
            values = [None] * len(self.columns)
            values[1] = f"其中：{source.label}"
            values[5] = wan(grand[i])
            values[5 + i] = wan(grand[i])
            yield Row(values, style="subtotal")

    def _subtotal(self, label, sums, style="subtotal", record: str | None = None) -> Row:
        extra = [record or ""] if self.track_record else []
        return Row([None, label, None, None, None, *self._money(sums), None, None, None, *extra], style=style)

    def _records(self) -> dict[str, str]:
        """办法第三十八条: department name → its track-record summary (constant queries)."""
        if not self.track_record:
            return {}
        owners = dict(
            self.projects.filter(plan__year=self.year)
            .values_list("owner_id", "owner__name")
            .order_by()
            .distinct()
        )
        records = track_records(owners, year=self.year)
        return {owners[pk]: r.summary() for pk, r in records.items() if pk in owners}


# ---------------------------------------------------------------- execution (办法第十二条)

#: States of a project that has not (yet) entered a plan: applications, and plan members
#: waiting for the government's approval or an emergency decision.
_BEFORE_PLAN = frozenset(
    {
        ProjectState.DRAFT,
        ProjectState.SUBMITTED,
        ProjectState.JOINT_REVIEW,
        ProjectState.CORRECTING,
        ProjectState.EXPERT_EVALUATION,
        ProjectState.REVIEW_PASSED,
        ProjectState.REVIEW_REJECTED,
        ProjectState.EMERGENCY_REQUESTED,
        ProjectState.EMERGENCY_FORWARDED,
        ProjectState.NOT_INCLUDED,
        ProjectState.WITHDRAWN,
    }
)


_KEPT = KeptQueries(8)


def _per_state(plan_id: int) -> Any:
    return (
        PlanTally.objects.filter(plan_id=plan_id).order_by().values_list("state").annotate(n=Sum("projects"))
    )


def per_state(plan) -> dict[str, int]:
    """How many of the plan's projects are at each stage (every stage, applications and
    emergency requests included), from the database's tally (issue 10: a plan of thousands is
    not read row by row; projects/models_tally.py), SQL kept per process (core.kept_sql)."""
    (found,) = together([per_state_ask(plan)])
    return found


def per_state_ask(plan) -> Ask:
    """``per_state`` as an ``Ask``, to run with others (core.kept_sql.together)."""
    return then(_KEPT.ask(_per_state, _per_state, plan.pk), dict)


def execution(plan, counts: dict[str, int] | None = None) -> dict[str, int]:
    """办法第十二条 年度建设计划下达后必须严格执行: how far the plan's projects are.

    ``entered``: the projects that entered the plan; ``left``: those that left it before
    construction (不予批复, 不予审定, 撤回/撤销: core.states.LEFT_PLAN_STATES) — they leave the
    execution count; ``counted`` = entered − left; ``built``: counted and built; ``unfinished``
    = counted − built (what lifecycle.guards.unfinished_previous_plan holds against the
    department the year after). ``counts``: the plan's ``per_state`` when already read."""
    entered_per_state = {
        s: n for s, n in (per_state(plan) if counts is None else counts).items() if s not in _BEFORE_PLAN
    }
    entered = sum(entered_per_state.values())
    left = sum(n for s, n in entered_per_state.items() if s in LEFT_PLAN_STATES)
    built = sum(n for s, n in entered_per_state.items() if s in BUILT_STATES and s not in LEFT_PLAN_STATES)
    counted = entered - left
    return {
        "entered": entered,
        "left": left,
        "counted": counted,
        "built": built,
        "unfinished": counted - built,
    }
