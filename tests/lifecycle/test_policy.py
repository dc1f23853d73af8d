"""办法第四十条: a city runs the system with its own numbers by swapping the policy object."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from core.states import ChangeState, ProjectState as S
from core.timeutil import as_of
from lifecycle import policy as policy_module, services
from lifecycle.models import Clock
from tests.lifecycle.builders import project_in

HARBIN = dataclasses.replace(
    policy_module.HEILONGJIANG_2023,
    name="哈尔滨市（测试）",
    joint_review_working_days=3,
    change_filing_max_ratio=Decimal("0.10"),
)


@pytest.fixture
def city_policy(settings):
    policy_module.HARBIN_TEST = HARBIN
    settings.LIFECYCLE_POLICY = "lifecycle.policy.HARBIN_TEST"
    yield HARBIN
    del policy_module.HARBIN_TEST


def test_the_city_numbers_apply(city_policy, orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with as_of(datetime.date(2025, 6, 23)):
        services.perform(project, "accept_application", actor=people.bureau_reviewer)
    assert Clock.objects.get(project=project, kind="joint_review").due_on == datetime.date(2025, 6, 26)


def test_the_city_change_threshold_applies(city_policy, orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on):
        change = services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整",
            reason="优化",
            ground="optimisation",
            items=[{"from_content": "a", "to_content": "b", "amount_yuan": Decimal("600000.00")}],
        )
        services.change_submit(change, actor=people.owner_head)
    assert change.state == ChangeState.PENDING_APPROVAL  # 12% > the city's 10%


# ---------------------------------------------------------------- percentages (办法第二十八条)


def test_a_percentage_is_shown_exactly_without_trailing_zeros():
    values = (15, Decimal("15.00"), 12.5, Decimal("12.50"), Decimal("1E+1"), Decimal("0.5"), 0)
    expected = ["15%", "15%", "12.5%", "12.5%", "10%", "0.5%", "0%"]
    assert [policy_module.percent_text(v) for v in values] == expected


def test_a_measured_share_is_rounded_half_up_and_says_so():
    values = (Decimal("16"), Decimal("12.3456"), Decimal("15.0050"))
    assert [policy_module.percent_text(v, places=2) for v in values] == ["16.00%", "12.35%", "15.01%"]


HALF_LIMIT = dataclasses.replace(
    policy_module.HEILONGJIANG_2023, name="12.5%（测试）", change_filing_max_ratio=Decimal("0.125")
)


@pytest.fixture
def twelve_and_a_half(settings):
    policy_module.HALF_LIMIT_TEST = HALF_LIMIT
    settings.LIFECYCLE_POLICY = "lifecycle.policy.HALF_LIMIT_TEST"
    yield HALF_LIMIT
    del policy_module.HALF_LIMIT_TEST


def test_a_limit_of_twelve_and_a_half_percent_is_not_shown_as_twelve(
    twelve_and_a_half, client, orgs, people, call_2026
):
    assert twelve_and_a_half.change_filing_max_percent == "12.5%"
    assert twelve_and_a_half.figures()["change_limit"] == "12.5%"
    project, _on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    client.force_login(people.owner_preparer)
    from django.urls import reverse

    body = client.get(reverse("change_new", args=[project.pk])).content.decode()
    assert "概算总投资12.5%" in body and "概算总投资12%" not in body


def test_the_reason_for_approval_quotes_the_limit_exactly(twelve_and_a_half, orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on):
        change = services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整",
            reason="优化",
            ground="optimisation",
            items=[{"from_content": "a", "to_content": "b", "amount_yuan": Decimal("650000.00")}],
        )
        services.change_submit(change, actor=people.owner_head)
    assert change.state == ChangeState.PENDING_APPROVAL  # 13% > 12.5%
    assert "累计调整金额超过概算总投资的12.5%" in change.route_reasons
