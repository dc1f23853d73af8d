"""项目台账, 逾期事项表 and the joint-review on-time statistics per agency."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from core import timeutil
from core.formatting import wan
from core.states import STAGES
from core.tables import Column, Exporter, Row
from lifecycle.models import ASPECTS, JOINT_REVIEW_ASPECTS, Aspect, Clock, ClockKind, Contract
from lifecycle.policy import get_policy
from lifecycle.workdays import WorkCalendar
from projects.models import AnnualPlan, Organisation, Project
from projects.selectors import choice_labels

from . import joint_review_counts

STAGE_OF = {state: str(label) for label, states in STAGES.items() for state in states}


class LedgerExporter(Exporter):
    """Every project ``projects`` holds (the caller passes what the person may see)."""

    def __init__(self, projects):
        super().__init__(
            title="政务信息化项目台账",
            columns=[
                Column("序号", "int", 6),
                Column("项目名称", "text", 32),
                Column("项目建设单位", "text", 22),
                Column("建设性质", "text", 10),  # issue 15 (core/nature.py)
                Column("阶段", "text", 10),
                Column("状态", "text", 18),
                Column("计划年度", "int", 8),
                Column("申报总投资", "money", 12, group="投资（万元）"),
                Column("概算总投资", "money", 12, group="投资（万元）"),
                Column("省政府审定金额", "money", 12, group="投资（万元）"),
                Column("开工日期", "date", 11, group="日期"),
                Column("建成日期", "date", 11, group="日期"),
                Column("验收日期", "date", 11, group="日期"),
                Column("当前时限", "text", 20, group="时限"),
                Column("截止日期", "date", 11, group="时限"),
                Column("是否逾期", "text", 8, group="时限"),
                # 办法第二十一、二十四、三十条: the contracts recorded (lifecycle.contracts).
                Column("建设合同（采购方式·供应商·编号·日期）", "text", 40, group="合同"),
                Column("建设合同金额", "money", 12, group="合同"),
                Column("监理单位", "text", 22, group="合同"),
                Column("监理合同编号", "text", 16, group="合同"),
                Column("知识产权条款", "text", 12, group="合同"),
                # 办法第三十三条: both evaluations, and whether the self-evaluation came late.
                Column("自评价等级", "text", 8, group="评价"),
                Column("自评价报送", "text", 14, group="评价"),
                Column("后评价等级", "text", 8, group="评价"),
            ],
        )
        self.projects = projects

    def _contracts(self) -> dict[int, list[Contract]]:
        """The projects' contracts, in one query."""
        result: dict[int, list[Contract]] = defaultdict(list)
        for contract in Contract.objects.filter(project__in=self.projects).order_by("signed_on", "pk"):
            result[contract.project_id].append(contract)
        return result

    @staticmethod
    def _contract_cells(contracts: list[Contract], methods: dict[str, str]) -> list:
        building = [c for c in contracts if c.kind == Contract.Kind.CONSTRUCTION]
        supervision = [c for c in contracts if c.kind == Contract.Kind.SUPERVISION]
        amounts = [c.amount_yuan for c in building if c.amount_yuan is not None]
        missing = sum(1 for c in contracts if not c.ip_clause)
        return [
            "；".join(
                "·".join((methods.get(c.procurement_method, c.procurement_method), c.supplier, c.number))
                + f"·{c.signed_on or ''}"
                for c in building
            ),
            wan(sum(amounts, Decimal("0"))) if amounts else None,
            "、".join(c.supplier for c in supervision),
            "、".join(c.number for c in supervision),
            ("" if not contracts else "已载明" if not missing else f"{missing}份未载明（例外登记）"),
        ]

    def rows(self) -> Iterator[Row]:
        today = timeutil.today()
        # Issue 10: each label translated once, not once per row (a gettext per label and row
        # was a third of the ledger's rows at 10,000 projects).
        labels = choice_labels(Project, "state")
        kinds = choice_labels(Clock, "kind")
        nearest = {}
        clocks = (
            Clock.objects.filter(project__in=self.projects, stopped_on__isnull=True)
            .annotate(due=Coalesce(F("extended_to"), F("due_on")))
            .order_by("due")
            .values_list("project_id", "kind", "due")
        )
        for project_id, kind, due in clocks.iterator():
            nearest.setdefault(project_id, (kind, due))
        contracts = self._contracts()
        methods = choice_labels(Contract, "procurement_method")
        qs = (
            self.projects.select_related(None)
            .order_by("owner__name", "pk")
            .values_list(
                "pk",
                "name",
                "owner__name",
                "nature",
                "state",
                "plan__year",
                "call__year",
                "total_investment_yuan",
                "approved_estimate_yuan",
                "decided_amount_yuan",
                "construction_started_on",
                "completed_on",
                "accepted_on",
                "self_evaluation_grade",
                "self_evaluation_submitted_on",
                "self_evaluation_late",
                "post_evaluation_grade",
            )
        )
        grades = choice_labels(Project, "self_evaluation_grade")  # 后评价 has the same grades
        natures = choice_labels(Project, "nature")
        for seq, rec in enumerate(qs.iterator(chunk_size=2000), 1):
            (
                pk,
                name,
                owner,
                nature,
                state,
                plan_year,
                call_year,
                total,
                estimate,
                decided,
                started,
                completed,
                accepted,
                self_grade,
                self_on,
                self_late,
                post_grade,
            ) = rec
            kind, due = nearest.get(pk, (None, None))
            yield Row(
                [
                    seq,
                    name,
                    owner,
                    natures.get(nature, nature),
                    STAGE_OF.get(state, ""),
                    labels.get(state, state),
                    plan_year or call_year,
                    wan(total),
                    wan(estimate),
                    wan(decided),
                    started,
                    completed,
                    accepted,
                    kinds[kind] if kind else "",
                    due,
                    ("是" if due < today else "否") if due else "",
                    *self._contract_cells(contracts.get(pk, []), methods),
                    grades.get(self_grade, ""),
                    (f"{self_on} " + ("逾期报送" if self_late else "按期报送")) if self_on else "",
                    grades.get(post_grade, ""),
                ]
            )


class OverdueExporter(Exporter):
    """Every running deadline already passed or due within ``days`` working days."""

    def __init__(self, projects, *, days: int = 5, include_plans: bool = True):
        super().__init__(
            title=f"逾期及{days}个工作日内到期事项表",
            unit="",
            columns=[
                Column("序号", "int", 6),
                Column("项目或计划", "text", 32),
                Column("项目建设单位", "text", 22),
                Column("事项", "text", 24),
                Column("依据", "text", 10),
                Column("开始日期", "date", 11),
                Column("截止日期", "date", 11),
                Column("情况", "text", 22),
                Column("暂定（节假日未公布）", "text", 10),
            ],
        )
        self.projects, self.days, self.include_plans = projects, days, include_plans

    def rows(self) -> Iterator[Row]:
        today = timeutil.today()
        calendar = WorkCalendar()
        horizon = calendar.add_working_days(today, self.days).date
        qs = (
            Clock.objects.filter(stopped_on__isnull=True)
            .annotate(due=Coalesce(F("extended_to"), F("due_on")))
            .filter(due__lte=horizon)
            .order_by("due", "pk")
        )
        if self.include_plans:
            qs = qs.filter(Q(project__in=self.projects) | Q(project__isnull=True, plan__isnull=False))
        else:
            qs = qs.filter(project__in=self.projects)
        # Issue 10: the values a row shows, not three model instances per row (a project's
        # hundred columns, converted and set on 1,921 instances, were half the workbook's time
        # at 10,000 projects).
        values = qs.values_list(
            "kind",
            "article",
            "received_on",
            "due",
            "paused_on",
            "provisional",
            "project_id",
            "project__name",
            "project__state",
            "project__owner__name",
            "plan__year",
        )
        kinds = choice_labels(Clock, "kind")  # not a gettext per row
        rows = values.iterator(chunk_size=1000)
        for seq, (kind, article, received, due, paused_on, provisional, project_id, *about) in enumerate(
            rows, 1
        ):
            name, state, owner_name, plan_year = about
            if paused_on and project_id and state == "expert_evaluation":
                # 办法第十条: 专家评审时间不计入审核时限 (cf. 行政许可法第四十五条).
                status = "暂停计时（专家评估论证，专家评审时间不计入审核时限）"
            elif paused_on:  # a running clock (stopped_on is empty) paused on that day
                status = "暂停计时（陈述和补正中）"
            elif due < today:
                status = f"已逾期{(today - due).days}天"
            else:
                status = f"剩余{calendar.working_days_between(today, due)}个工作日"
            subject = name if project_id else str(AnnualPlan(year=plan_year))
            owner = owner_name if project_id else "省营商环境局、省财政厅"
            yield Row(
                [
                    seq,
                    subject,
                    owner,
                    kinds.get(kind, kind),
                    f"办法{article}",
                    received,
                    due,
                    status,
                    "是" if provisional else "否",
                ]
            )


class JointReviewStatsExporter(Exporter):
    """办法第十条: per agency, how many joint-review opinions came within the 5 working days."""

    def __init__(self, projects, *, year: int | None = None):
        super().__init__(
            title="联合审核按时出具意见情况统计" + (f"（{year}年度申报）" if year else ""),
            unit="",
            columns=[
                Column("审核部门", "text", 30),
                Column("意见类型", "text", 26),
                Column("审核项目数", "int", 10),
                Column("按时出具", "int", 10),
                Column("逾期出具", "int", 10),
                Column("尚未出具（未到期）", "int", 12),
                Column("尚未出具（已逾期）", "int", 12),
                Column("按时率", "pct", 10),
            ],
        )
        self.projects, self.year = projects, year

    def _agency_names(self) -> dict[str, str]:
        """The name of each agency kind of the rows (the first by name, as ``.first()`` gave)."""
        kinds = {ASPECTS[aspect][0] for aspect in JOINT_REVIEW_ASPECTS} | {"bureau"}
        names: dict[str, str] = {}
        for kind, name in Organisation.objects.filter(kind__in=kinds).values_list("kind", "name"):
            names.setdefault(kind, name)
        return names

    def _intake_rows(self, today: datetime.date, names: dict[str, str]) -> Iterator[Row]:
        """The wait from submission to 受理 against the bureau's target: 办法第十条 counts its
        5 working days from 受理 and sets no number for this wait (Policy.intake_target_working_days)."""
        clocks = joint_review_counts.joint_review_clocks(self.projects, self.year, ClockKind.INTAKE)
        total, on_time, late, pending, overdue = joint_review_counts.intake_counts(clocks, today)
        if not total:
            return
        decided = on_time + late + overdue
        yield Row(
            [
                names.get("bureau", "bureau"),
                f"申报后受理（本局目标{get_policy().intake_target_working_days}个工作日，办法未规定）",
                total,
                on_time,
                late,
                pending,
                overdue,
                (on_time / decided) if decided else None,
            ]
        )

    def rows(self) -> Iterator[Row]:
        # Issue 10: counted by the database (exports/joint_review_counts.py), two queries
        # and one for the agencies' names, whatever the number of projects.
        today = timeutil.today()
        clocks = joint_review_counts.joint_review_clocks(self.projects, self.year)
        counts = joint_review_counts.joint_review_counts(clocks, today)
        names = self._agency_names()
        for aspect in JOINT_REVIEW_ASPECTS:
            total, on_time, late, pending, overdue = counts[str(aspect)]
            decided = on_time + late + overdue
            rate = (on_time / decided) if decided else None
            yield Row(
                [
                    names.get(ASPECTS[aspect][0], ASPECTS[aspect][0]),
                    str(Aspect(aspect).label),
                    total,
                    on_time,
                    late,
                    pending,
                    overdue,
                    rate,
                ]
            )
        yield from self._intake_rows(today, names)
