"""办法第二十八条: the cumulative ratio of money moved decides filing (备案) or approval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.states import ChangeState, ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from tests.lifecycle.builders import project_in

ESTIMATE = Decimal("5000000.00")  # the walker approves the total as the 概算


@pytest.fixture
def building(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    assert project.approved_estimate_yuan == ESTIMATE
    return project, on


def change(project, people, on, amount, **kw):
    kw.setdefault("ground", "optimisation")
    with as_of(on):
        c = services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整",
            reason="优化技术方案",
            items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": Decimal(amount)}],
            **kw,
        )
        services.change_submit(c, actor=people.owner_head)
    c.refresh_from_db()
    return c


def test_exactly_fifteen_percent_is_a_filing(building, people):
    project, on = building
    c = change(project, people, on, "750000.00")
    assert (c.state, c.ratio) == (ChangeState.FILED, Decimal("0.150000"))


def test_fifteen_point_zero_one_percent_goes_to_approval(building, people):
    project, on = building
    c = change(project, people, on, "750500.00")
    assert (c.state, c.ratio) == (ChangeState.PENDING_APPROVAL, Decimal("0.150100"))
    assert "累计调整金额超过概算总投资的15%" in c.route_reasons


def test_the_ratio_is_cumulative_over_filed_changes(building, people):
    project, on = building
    first = change(project, people, on, "400000.00")  # 8%
    second = change(project, people, on, "350000.00")  # 7% → 15% cumulative: still a filing
    third = change(project, people, on, "0.01")  # any more → approval
    assert [first.state, second.state, third.state] == [
        ChangeState.FILED,
        ChangeState.FILED,
        ChangeState.PENDING_APPROVAL,
    ]
    assert second.ratio == Decimal("0.150000")


def test_a_change_split_in_two_is_caught(building, people):
    project, on = building
    halves = [change(project, people, on, "450000.00") for _ in range(2)]  # 9% + 9% = 18%
    assert [h.state for h in halves] == [ChangeState.FILED, ChangeState.PENDING_APPROVAL]
    assert halves[1].ratio == Decimal("0.180000")


def test_a_rejected_or_approved_change_does_not_use_the_filing_allowance(building, people):
    project, on = building
    big = change(project, people, on, "1000000.00")
    services.change_decide(big, actor=people.bureau_head, approve=False, note="不同意")
    small = change(project, people, on, "700000.00")
    assert small.state == ChangeState.FILED and small.ratio == Decimal("0.140000")


@pytest.mark.parametrize(
    "kw, reason",
    [
        ({"goals_unchanged": False}, "建设目标发生变化"),
        ({"new_total_yuan": Decimal("5000000.01")}, "调整后总投资超出概算批复"),
        ({"ground": ""}, "不符合办法第二十八条所列三种情形"),
    ],
)
def test_a_small_change_still_needs_approval_when(building, people, kw, reason):
    project, on = building
    c = change(project, people, on, "100000.00", **kw)
    assert c.state == ChangeState.PENDING_APPROVAL and reason in c.route_reasons


def test_the_bureau_decides_a_change_and_the_owner_cannot(building, people):
    project, on = building
    c = change(project, people, on, "900000.00")
    with pytest.raises(RuleViolation) as exc:
        services.change_decide(c, actor=people.owner_head, approve=True)
    assert "办法第二十八条" in exc.value.message
    services.change_decide(c, actor=people.bureau_head, approve=True, note="同意")
    assert c.state == ChangeState.APPROVED


def test_changes_are_only_made_during_construction(orgs, people, call_2026):
    project, _on = project_in(S.RATIFIED, orgs, people, call_2026)
    with pytest.raises(RuleViolation) as exc:
        services.change_create(
            project,
            actor=people.owner_preparer,
            title="x",
            reason="y",
            items=[{"from_content": "a", "to_content": "b", "amount_yuan": Decimal("1")}],
        )
    assert "办法第二十八条" in exc.value.message


def test_money_is_never_a_float(building, people):
    project, on = building
    c = change(project, people, on, "333333.33")
    assert isinstance(c.ratio, Decimal) and c.ratio == Decimal("0.066667")
