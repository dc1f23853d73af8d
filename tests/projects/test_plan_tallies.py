"""Issue 10: a plan's counts and sums kept by the database's triggers (projects/models_tally.py,
migration projects/0024_plan_tallies) are, after any write a person, a service, the admin or a
bulk statement can make, the sums of the rows themselves (办法第十一条: the plan's totals per
department, per source and per stage).

The expected figures are summed here in Python, in exact decimals, from the projects and their
funding lines — never read from the tallies or from SQL sums (SQLite adds decimals as floats).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState
from projects.models import (
    AnnualPlan,
    FundingLine,
    FundingSource,
    Organisation,
    PlanSourceTally,
    PlanTally,
    Project,
)
from projects.models_tally import yuan

STATES = ["submitted", "review_passed", "in_plan", "construction", "terminated"]
assert set(STATES) <= set(ProjectState.values)
SOURCES = list(FundingSource.values)
AMOUNTS = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2),
    st.sampled_from([Decimal("0.10"), Decimal("0.20"), Decimal("0.30"), Decimal("1234567.89")]),
)
LINE_AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2)


def expected() -> tuple[dict, dict]:
    """The tallies as the rows make them: {(plan, owner, state): (projects, 元)} and
    {(plan, source): (lines, 元)}."""
    per_state: dict = defaultdict(lambda: [0, Decimal(0)])
    for plan_id, owner_id, state, total in Project.objects.filter(plan__isnull=False).values_list(
        "plan_id", "owner_id", "state", "total_investment_yuan"
    ):
        row = per_state[(plan_id, owner_id, state)]
        row[0] += 1
        row[1] += Decimal(total or 0)
    per_source: dict = defaultdict(lambda: [0, Decimal(0)])
    for plan_id, source, amount in FundingLine.objects.filter(project__plan__isnull=False).values_list(
        "project__plan_id", "source", "amount_yuan"
    ):
        row = per_source[(plan_id, source)]
        row[0] += 1
        row[1] += Decimal(amount)
    return (
        {k: (n, s.quantize(Decimal("0.01"))) for k, (n, s) in per_state.items()},
        {k: (n, s.quantize(Decimal("0.01"))) for k, (n, s) in per_source.items()},
    )


def kept() -> tuple[dict, dict]:
    return (
        {(t.plan_id, t.owner_id, t.state): (t.projects, yuan(t.total_fen)) for t in PlanTally.objects.all()},
        {(t.plan_id, t.source): (t.lines, yuan(t.total_fen)) for t in PlanSourceTally.objects.all()},
    )


@pytest.fixture
def world(db):
    owners = [Organisation.objects.create(name=f"省统计测试厅{n}", kind="owner") for n in range(2)]
    plans = [AnnualPlan.objects.create(year=2090 + n) for n in range(2)]
    return owners, plans


def test_the_tallies_follow_creation_changes_and_deletion(world):
    owners, plans = world
    a = Project.objects.create(
        name="甲",
        owner=owners[0],
        plan=plans[0],
        state="in_plan",
        total_investment_yuan=Decimal("100.10"),
    )
    b = Project.objects.create(name="乙", owner=owners[0], plan=plans[0], state="in_plan")
    FundingLine.objects.create(project=a, source=SOURCES[0], amount_yuan=Decimal("0.10"))
    FundingLine.objects.create(project=b, source=SOURCES[0], amount_yuan=Decimal("0.20"))
    # Counted by hand: two projects of one department at one stage, 100.10 元 (乙 has no total).
    assert kept() == (
        {(plans[0].pk, owners[0].pk, "in_plan"): (2, Decimal("100.10"))},
        {(plans[0].pk, SOURCES[0]): (2, Decimal("0.30"))},
    )
    Project.objects.filter(pk=b.pk).update(plan=plans[1], state="construction")
    assert kept() == (
        {
            (plans[0].pk, owners[0].pk, "in_plan"): (1, Decimal("100.10")),
            (plans[1].pk, owners[0].pk, "construction"): (1, Decimal("0.00")),
        },
        {(plans[0].pk, SOURCES[0]): (1, Decimal("0.10")), (plans[1].pk, SOURCES[0]): (1, Decimal("0.20"))},
    )
    a.delete()  # its funding line goes first (Django's cascade), then the project
    Project.objects.filter(pk=b.pk).update(plan=None)
    assert kept() == ({}, {})


def test_the_application_cannot_write_a_tally(world):
    owners, plans = world
    Project.objects.create(name="甲", owner=owners[0], plan=plans[0], state="in_plan")
    row = PlanTally.objects.get()
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()


def test_the_migration_fills_the_tallies_from_the_rows_already_there(world):
    owners, plans = world
    p = Project.objects.create(
        name="甲", owner=owners[1], plan=plans[1], state="construction", total_investment_yuan=Decimal("7.77")
    )
    FundingLine.objects.create(project=p, source=SOURCES[-1], amount_yuan=Decimal("3.33"))
    Project.objects.create(name="乙", owner=owners[1], state="submitted", total_investment_yuan=Decimal("1"))
    before = kept()
    migration = importlib.import_module("projects.migrations.0024_plan_tallies")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_plantally")
        cursor.execute("DELETE FROM projects_plansourcetally")
    assert kept() == ({}, {})
    fen = migration.sqlite_fen("{x}") if connection.vendor == "sqlite" else migration.PG_FEN
    with connection.cursor() as cursor:
        for sql in migration._fill(fen):
            cursor.execute(sql)
    assert kept() == before == expected()


# One step of a random sequence: what it does to which rows.
STEP = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.integers(-1, 1), st.sampled_from(STATES), AMOUNTS),
    st.tuples(
        st.just("update"),
        st.integers(0, 5),
        st.integers(0, 1),
        st.integers(-1, 1),
        st.sampled_from(STATES),
        AMOUNTS,
    ),
    st.tuples(st.just("save"), st.integers(0, 5), st.integers(-1, 1), AMOUNTS),
    st.tuples(st.just("move_department"), st.integers(0, 1), st.integers(-1, 1)),
    st.tuples(st.just("bulk_state"), st.sampled_from(STATES), st.sampled_from(STATES)),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("line"), st.integers(0, 5), st.sampled_from(SOURCES), LINE_AMOUNTS),
    st.tuples(
        st.just("line_change"), st.integers(0, 7), st.integers(0, 5), st.sampled_from(SOURCES), LINE_AMOUNTS
    ),
    st.tuples(st.just("line_delete"), st.integers(0, 7)),
)


def _apply(step, owners, plans):
    projects = list(Project.objects.filter(owner__in=owners).order_by("pk"))
    lines = list(FundingLine.objects.filter(project__owner__in=owners).order_by("pk"))

    def plan(n):
        return None if n < 0 else plans[n]

    kind, *args = step
    if kind == "create":
        owner, p, state, total = args
        Project.objects.create(
            name="新", owner=owners[owner], plan=plan(p), state=state, total_investment_yuan=total
        )
    elif not projects and kind not in ("move_department", "bulk_state"):
        return
    elif kind == "update":  # a service's or the admin's UPDATE of one row
        n, owner, p, state, total = args
        Project.objects.filter(pk=projects[n % len(projects)].pk).update(
            owner=owners[owner], plan=plan(p), state=state, total_investment_yuan=total
        )
    elif kind == "save":  # a whole row saved (every column in the UPDATE)
        n, p, total = args
        project = projects[n % len(projects)]
        project.plan = plan(p)
        project.total_investment_yuan = total
        Project.objects.bulk_update([project], ["plan", "total_investment_yuan", "name"])
    elif kind == "move_department":  # many rows in one statement
        owner, p = args
        Project.objects.filter(owner=owners[owner]).update(plan=plan(p))
    elif kind == "bulk_state":
        old, new = args
        Project.objects.filter(owner__in=owners, state=old).update(state=new)
    elif kind == "delete":
        projects[args[0] % len(projects)].delete()
    elif kind == "line":
        n, source, amount = args
        project = projects[n % len(projects)]
        if not FundingLine.objects.filter(project=project, source=source).exists():
            FundingLine.objects.create(project=project, source=source, amount_yuan=amount)
    elif kind == "line_change" and lines:
        n, to, source, amount = args
        line = lines[n % len(lines)]
        project = projects[to % len(projects)]
        if not FundingLine.objects.filter(project=project, source=source).exclude(pk=line.pk).exists():
            FundingLine.objects.filter(pk=line.pk).update(project=project, source=source, amount_yuan=amount)
    elif kind == "line_delete" and lines:
        lines[args[0] % len(lines)].delete()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, max_size=14))
def test_after_any_sequence_of_writes_the_tallies_are_the_sums_of_the_rows(world, steps):
    owners, plans = world
    with transaction.atomic():
        for step in steps:
            _apply(step, owners, plans)
            assert kept() == expected(), step
        # Taking every row away leaves no tally behind.
        FundingLine.objects.filter(project__owner__in=owners).delete()
        Project.objects.filter(owner__in=owners).delete()
        assert kept() == ({}, {})
