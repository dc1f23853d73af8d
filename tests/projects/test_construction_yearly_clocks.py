"""办法第二十五条: the yearly 绩效评价报告 — its clock opens by itself at the start of each
construction year (projects/yearly.py, config/daily.py), and the report carries the opinions
of the using units and of the 监理 separately, and the 试运行 effect of a system in trial
operation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import Clock, PerformanceReport
from projects import yearly
from tests.conftest import at
from tests.lifecycle.builders import project_in

D = datetime.date


@pytest.fixture
def daily(settings):
    settings.LIFECYCLE_DAILY_CHECKS = True
    yearly.forget()
    yield
    yearly.forget()


def report_clocks(project):
    return sorted(
        Clock.objects.filter(project=project, kind="performance_report").values_list("year", "due_on")
    )


@pytest.fixture
def building(orgs, people, call_2026):
    """Under construction since the autumn of 2025 (the walker's dates)."""
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    assert project.construction_started_on.year == 2025
    return project, on


def test_the_first_request_of_a_new_year_opens_its_clock(client, daily, building, people):
    project, _on = building
    assert report_clocks(project) == [(2025, D(2025, 12, 31))]
    client.force_login(people.bureau_reviewer)
    with at(2026, 1, 2):  # nobody ran any command
        assert client.get(reverse("home")).status_code == 200
    assert report_clocks(project) == [(2025, D(2025, 12, 31)), (2026, D(2026, 12, 31))]
    opened = Clock.objects.get(project=project, kind="performance_report", year=2026)
    assert project.audit_entries.filter(object_id=str(opened.pk)).exists() or opened.events.exists()
    # later requests of the day and of later days open nothing twice
    with at(2026, 1, 2, hour=15):
        client.get(reverse("home"))
    with at(2026, 1, 5):
        client.get(reverse("project_list"))
    assert len(report_clocks(project)) == 2


def test_a_login_page_request_is_enough_and_projects_not_under_construction_get_none(
    client, daily, orgs, people, call_2026
):
    built, _on = project_in(S.COMPLETED, orgs, people, call_2026)
    before = report_clocks(built)
    with at(2027, 1, 4):
        client.get("/accounts/login/")
    assert report_clocks(built) == before


def test_once_per_day_and_process(daily, building):
    _project, _on = building
    assert yearly.ensure_yearly_clocks(D(2026, 1, 1)) == 1
    assert yearly.ensure_yearly_clocks(D(2026, 1, 1)) is None  # checked today already
    assert yearly.ensure_yearly_clocks(D(2026, 1, 2)) == 0  # checked again, nothing to open


def test_switched_off_nothing_opens_by_itself(client, settings, building, people):
    settings.LIFECYCLE_DAILY_CHECKS = False
    yearly.forget()
    project, _on = building
    client.force_login(people.bureau_reviewer)
    with at(2026, 1, 2):
        client.get(reverse("home"))
    assert [y for y, _d in report_clocks(project)] == [2025]


# ---------------------------------------------------------------- the report's content


def submit(project, people, on, **overrides):
    data = {
        "year": on.year,
        "progress": "完成总体设计。",
        "investment_executed_yuan": Decimal("100000.00"),
        "user_opinions": "使用单位：满足业务需要。",
        "supervisor_opinion": "监理单位：进度、质量受控。",
        **overrides,
    }
    with as_of(on):
        return services.performance_report_submit(project, actor=people.owner_preparer, **data)


@pytest.mark.parametrize(
    "missing",
    [
        {"user_opinions": ""},
        {"supervisor_opinion": "   "},
        {"in_trial_operation": True, "trial_operation": ""},
    ],
)
def test_the_report_needs_both_opinions_and_the_trial_operation_effect(building, people, missing):
    project, on = building
    with pytest.raises(RuleViolation) as exc:
        submit(project, people, on, **missing)
    assert exc.value.article == "第二十五条"
    assert not PerformanceReport.objects.filter(project=project).exists()


def test_a_complete_report_keeps_the_two_opinions_apart(building, people):
    project, on = building
    report = submit(
        project, people, on, in_trial_operation=True, trial_operation="试运行平稳，发现两处性能问题。"
    )
    assert report.user_opinions.startswith("使用单位") and report.supervisor_opinion.startswith("监理单位")
    assert report.in_trial_operation and report.trial_operation.startswith("试运行平稳")


def test_not_in_trial_operation_the_effect_is_not_recorded(building, people):
    project, on = building
    report = submit(project, people, on, trial_operation="（误填）")
    assert (report.in_trial_operation, report.trial_operation) == (False, "")


def test_the_page_asks_for_each_opinion(client, building, people):
    project, on = building
    client.force_login(people.owner_preparer)
    url = reverse("performance_report_new", args=[project.pk])
    data = {"year": str(on.year), "progress": "完成总体设计。", "investment_executed_yuan": "10"}
    with as_of(on), at(on.year, on.month, on.day):
        page = client.get(url).content.decode()
        assert 'name="user_opinions"' in page and 'name="supervisor_opinion"' in page
        assert client.post(url, {**data, "user_opinions": "满意"}).status_code == 400
        response = client.post(
            url,
            {**data, "user_opinions": "满意", "supervisor_opinion": "认可", "in_trial_operation": "on"},
        )
        assert response.status_code == 400 and "试运行效果及问题" in response.content.decode()
        assert PerformanceReport.objects.count() == 0
        assert (
            client.post(url, {**data, "user_opinions": "满意", "supervisor_opinion": "认可"}).status_code
            == 302
        )
    assert PerformanceReport.objects.get(project=project).supervisor_opinion == "认可"
