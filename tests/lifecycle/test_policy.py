"""办法第四十条: a city runs the system with its own numbers by swapping the policy object."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from lifecycle import policy as policy_module
from lifecycle import services
from lifecycle.models import Clock
from core.states import ChangeState
from core.states import ProjectState as S
from core.timeutil import as_of
from tests.lifecycle.builders import project_in

HARBIN = dataclasses.replace(policy_module.HEILONGJIANG_2023, name="哈尔滨市（测试）", joint_review_working_days=3,
                             change_filing_max_ratio=Decimal("0.10"))


@pytest.fixture
def city_policy(settings):
    policy_module.HARBIN_TEST = HARBIN
    settings.LIFECYCLE_POLICY = "lifecycle.policy.HARBIN_TEST"
    yield HARBIN
    del policy_module.HARBIN_TEST


def test_the_city_numbers_apply(city_policy, orgs, people, call_2026):
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with as_of(datetime.date(2025, 6, 23)):
        services.perform(project, "accept_application", actor=people.bureau_reviewer)
    assert Clock.objects.get(project=project, kind="joint_review").due_on == datetime.date(2025, 6, 26)


def test_the_city_change_threshold_applies(city_policy, orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on):
        change = services.change_create(project, actor=people.owner_preparer, title="调整", reason="优化",
                                        ground="optimisation", items=[{"from_content": "a", "to_content": "b",
                                                                       "amount_yuan": Decimal("600000.00")}])
        services.change_submit(change, actor=people.owner_head)
    assert change.state == ChangeState.PENDING_APPROVAL  # 12% > the city's 10%
