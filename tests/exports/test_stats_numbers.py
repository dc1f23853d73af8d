"""Issue 12 item 7: the bureau's statistics on a hand-built province, every number worked out
by hand below (the calendar days from the State Council's notices, not from the code).

Projects (the 2026 call unless said; money in 元):
  P1 教育厅   联合审核中   1,000,000
  P2 教育厅   建设中       3,000,000   yearly 2026: 2,000,000, 2027: 1,000,000
  P3 卫健委   建设中       2,000,000   yearly 2026: 2,000,000   (电子政务内网)
  P4 卫健委   已关闭         500,000   yearly 2025:   500,000   (2025 call)
  P5 卫健委   草稿         9,999,999   yearly 2026: 9,999,999   (a draft: the bureau never sees it)
  P6 教育厅   已申报         700,000                              (2027 call)
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.states import ProjectState as S
from core.vocabulary import Network
from exports import statistics
from lifecycle.models import Clock, ClockKind, ClockUnit, Opinion
from projects.models import AnnualPlan, Project, YearlyInvestment
from tests.factories import CallFactory

D = datetime.date
TODAY = D(2026, 3, 2)
W = Decimal(10_000)


@pytest.fixture(autouse=True)
def chinese():
    """The labels compared below are the Chinese ones, whatever an earlier test activated."""
    with translation.override("zh-hans"):
        yield


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10))


def clock(project, kind, received, due, stopped=None, *, extended=None, paused=0, plan=None):
    return Clock.objects.create(
        project=project,
        plan=plan,
        kind=kind,
        article="第十条",
        unit=ClockUnit.WORKING_DAYS,
        working_days=5,
        received_on=received,
        due_on=due,
        extended_to=extended,
        stopped_on=stopped,
        paused_working_days=paused,
    )


def opinion(project, org, aspect, day, people):
    Opinion.objects.create(
        project=project,
        stage="joint_review",
        aspect=aspect,
        organisation=org,
        conclusion="approve",
        text="同意。",
        given_by=people.bureau_reviewer,
        given_at=_at(day),
    )


@pytest.fixture
def province(orgs, people):
    edu, health = orgs["owner"], orgs["other_owner"]
    c2025, c2026, c2027 = CallFactory(year=2025), CallFactory(year=2026), CallFactory(year=2027)

    def project(key, owner, state, total, call=c2026, network=Network.EXTRANET):
        return Project.objects.create(
            name=key,
            owner=owner,
            state=state,
            total_investment_yuan=Decimal(total),
            call=call,
            network=network,
        )

    p = {
        "P1": project("P1", edu, S.JOINT_REVIEW, 1_000_000),
        "P2": project("P2", edu, S.CONSTRUCTION, 3_000_000),
        "P3": project("P3", health, S.CONSTRUCTION, 2_000_000, network=Network.INTRANET),
        "P4": project("P4", health, S.CLOSED, 500_000, call=c2025),
        "P5": project("P5", health, S.DRAFT, 9_999_999),
        "P6": project("P6", edu, S.SUBMITTED, 700_000, call=c2027),
    }
    for key, year, amount in (
        ("P2", 2026, 2_000_000),
        ("P2", 2027, 1_000_000),
        ("P3", 2026, 2_000_000),
        ("P4", 2025, 500_000),
        ("P5", 2026, 9_999_999),
    ):
        YearlyInvestment.objects.create(project=p[key], year=year, amount_yuan=Decimal(amount))

    # 办法第十条: the joint review of P1 (due 1月12日): 营商环境局 on 1月9日 (on time), 网信办 on
    # 1月14日 (late), 密码管理局 not yet (overdue on 3月2日). P4's (due 10月14日) all on 9月25日.
    clock(p["P1"], ClockKind.JOINT_REVIEW, D(2026, 1, 5), D(2026, 1, 12))
    opinion(p["P1"], orgs["bureau"], "intensive", D(2026, 1, 9), people)
    opinion(p["P1"], orgs["cac"], "security", D(2026, 1, 14), people)
    # Received Tue 9月23日, stopped Fri 10月10日 with 2 working days paused for 补正:
    # 9/24, 9/25, 9/26, Sun 9/28 (调休上班), 9/29, 9/30, 10/9, 10/10 = 8 (10/1–10/8 国庆) − 2 = 6.
    clock(p["P4"], ClockKind.JOINT_REVIEW, D(2025, 9, 23), D(2025, 10, 14), D(2025, 10, 10), paused=2)
    for org, aspect in (("bureau", "intensive"), ("cac", "security"), ("crypto", "crypto")):
        opinion(p["P4"], orgs[org], aspect, D(2025, 9, 25), people)
    # 受理 (the bureau's target): P1 Fri 1月2日 → Mon 1月5日: Sun 1/4 (调休上班), 1/5 = 2, met.
    clock(p["P1"], ClockKind.INTAKE, D(2026, 1, 2), D(2026, 1, 9), D(2026, 1, 5))
    # P4 Mon 9月1日 → Thu 9月4日: 9/2, 9/3, 9/4 = 3, met.
    clock(p["P4"], ClockKind.INTAKE, D(2025, 9, 1), D(2025, 9, 8), D(2025, 9, 4))
    # 办法第十八条: P2's design (extranet → the bureau) Mon 1月5日 → Thu 2月5日, after its deadline
    # 2月2日: 23 weekdays, no holiday, 3 paused = 20, late. P3's (intranet → 省内网办) running.
    clock(p["P2"], ClockKind.DESIGN_REVIEW, D(2026, 1, 5), D(2026, 2, 2), D(2026, 2, 5), paused=3)
    clock(p["P3"], ClockKind.DESIGN_REVIEW, D(2026, 2, 20), D(2026, 4, 1))
    # The departments: P3's rectification extended to 3月10日 (pending on 3月2日), its 2025 report
    # Mon 12月1日 → Sat 12月20日 (14 weekdays), met; P2's 2025 report still open: overdue.
    clock(p["P3"], ClockKind.RECTIFICATION, D(2026, 1, 20), D(2026, 2, 10), extended=D(2026, 3, 10))
    clock(p["P3"], ClockKind.PERFORMANCE_REPORT, D(2025, 12, 1), D(2025, 12, 31), D(2025, 12, 20))
    clock(p["P2"], ClockKind.PERFORMANCE_REPORT, D(2025, 1, 1), D(2025, 12, 31))
    # 办法第十一条: the 2026 plan compiled after its deadline (the bureau, late).
    plan = AnnualPlan.objects.create(year=2026)
    clock(None, ClockKind.PLAN_COMPILATION, D(2025, 9, 1), D(2025, 10, 31), D(2025, 11, 5), plan=plan)
    # P5 (a draft) has a clock the bureau must never count.
    clock(p["P5"], ClockKind.INTAKE, D(2026, 1, 5), D(2026, 1, 12), D(2026, 2, 27))
    return p


def _stats(people, **filters):
    return statistics.statistics(people.bureau_head, statistics.Filters(**filters), TODAY)


def test_pipeline_counts_and_money_per_stage(province, people):
    stages = {str(s.label): (s.count, s.money_yuan / W) for s in _stats(people).stages}
    assert stages == {
        "申报": (1, 70),
        "联合审核": (1, 100),
        "计划编制": (0, 0),
        "项目审批": (0, 0),
        "建设": (2, 500),
        "验收": (0, 0),
        "运行与评价": (0, 0),
        "已结束": (1, 50),
    }


def test_pipeline_filtered_by_year_and_department(province, people, orgs):
    by_year = {str(s.label): s.count for s in _stats(people, year=2026).stages if s.count}
    assert by_year == {"联合审核": 1, "建设": 2}
    by_owner = {
        str(s.label): (s.count, s.money_yuan / W)
        for s in _stats(people, owner=orgs["other_owner"].pk).stages
        if s.count
    }
    assert by_owner == {"建设": (1, 200), "已结束": (1, 50)}


def test_investment_by_department_and_year(province, people, orgs):
    inv = _stats(people).investment
    assert inv.years == [2025, 2026, 2027]
    rows = {name: ([v / W for v in values], total / W) for name, values, total in inv.rows}
    assert rows == {
        orgs["other_owner"].name: ([50, 200, 0], 250),
        orgs["owner"].name: ([0, 200, 100], 300),
    }
    assert [t / W for t in inv.totals] == [50, 400, 100] and inv.total / W == 550
    in_2026 = _stats(people, year=2026).investment
    assert in_2026.years == [2026, 2027] and in_2026.total / W == 500


def test_on_time_per_organisation_that_must_act(province, people, orgs):
    rows = [(r.organisation, r.met, r.late, r.overdue, r.pending, r.rate) for r in _stats(people).on_time]
    third = Decimal(2) / Decimal(3)
    assert rows == [
        # 2 opinions on time, 2 intakes met; the design of P2 and the plan late: 4 of 6.
        (orgs["bureau"].name, 4, 2, 0, 0, third),
        (orgs["cac"].name, 1, 1, 0, 0, Decimal("0.5")),
        (orgs["crypto"].name, 1, 0, 1, 0, Decimal("0.5")),
        (orgs["intranet"].name, 0, 0, 0, 1, None),
        (orgs["other_owner"].name, 1, 0, 0, 1, Decimal(1)),
        (orgs["owner"].name, 0, 0, 1, 0, Decimal(0)),
    ]


def test_on_time_for_one_department_leaves_out_the_plan(province, people, orgs):
    rows = {
        r.organisation: (r.met, r.late, r.overdue, r.pending)
        for r in _stats(people, owner=orgs["owner"].pk).on_time
    }
    # 教育厅's P1 and P2 (P6 has no clock): the opinions on P1, its intake, P2's design and report.
    assert rows == {
        orgs["bureau"].name: (2, 1, 0, 0),
        orgs["cac"].name: (0, 1, 0, 0),
        orgs["crypto"].name: (0, 0, 1, 0),
        orgs["owner"].name: (0, 0, 1, 0),
    }


def test_average_working_days_per_step_without_pauses(province, people):
    steps = {s.kind: (s.count, s.average_days) for s in _stats(people).steps}
    assert steps == {
        ClockKind.JOINT_REVIEW: (1, Decimal("6.0")),
        ClockKind.INTAKE: (2, Decimal("2.5")),  # (2 + 3) ÷ 2; P5's draft not counted
        ClockKind.DESIGN_REVIEW: (1, Decimal("20.0")),
        ClockKind.RECTIFICATION: (0, None),
        ClockKind.PERFORMANCE_REPORT: (1, Decimal("14.0")),
        ClockKind.ACCEPTANCE_APPLICATION: (0, None),
        ClockKind.SELF_EVALUATION: (0, None),
    }
