"""The home page sends what it reads besides its queues with the queues' first queries
(issue 10, ``selectors.home_queues_with``): the header's unread count (issue 12), the
delegations that decide the review-page links (办法第十条, issue 12 代办), the latest plans
(办法第十一条) and the calendar's exceptions for the days left. Each must still answer what it
answered on its own, and no answer may outlive the request that asked it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.states import ProjectState as S
from lifecycle import delegation, workdays
from projects import notifications as notify
from tests.conftest import at
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

pytestmark = pytest.mark.django_db

ACCEPTED = datetime.date(2025, 9, 26)  # a Friday: the joint review begins (办法第十条)
LINK = "进入本方面审核页面"


@pytest.fixture
def joint_review(orgs, people, call_2026, django_capture_on_commit_callbacks):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with django_capture_on_commit_callbacks(execute=True):
        Walker(people).step(project, "accept_application", people.bureau_reviewer, ACCEPTED)
    return project


def _home(client, person):
    client.force_login(person)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("home")).content.decode()
    return body, [q["sql"] for q in ctx.captured_queries]


def test_the_header_counts_the_unread_entries_once(client, joint_review, people):
    # The joint review's arrival reached 网信办's 审核人 (one entry, unread).
    body, sql = _home(client, people.cac_reviewer)
    assert "1条未读" in body
    counts = [s for s in sql if 'COUNT("projects_notification"' in s]
    assert len(counts) == 1, counts
    notify.mark_read(people.cac_reviewer, notify.inbox(people.cac_reviewer))
    body, _sql = _home(client, people.cac_reviewer)
    assert "条未读" not in body


def test_a_count_sent_with_the_page_is_read_once(joint_review, people):
    person = people.cac_reviewer
    from core.kept_sql import together

    (n,) = together([notify.unread_ask(person, remember=True)])
    assert n == 1
    with CaptureQueriesContext(connection) as ctx:
        assert notify.unread_count(person) == 1
    assert not ctx.captured_queries
    # Read since: the next count asks the database again, and says so.
    notify.mark_read(person, notify.inbox(person))
    assert notify.unread_count(person) == 0


def test_a_substitute_gets_the_review_link_while_the_delegation_is_in_force(client, joint_review, people):
    """办法第十条 (issue 12 代办): 网信办's 经办人 stands in for its 审核人 on one day only."""
    day = datetime.date(2025, 10, 9)  # a Thursday, after the National Day holiday
    with at(2025, 10, 8):
        delegation.delegation_create(
            actor=people.cac_reviewer, substitute=people.cac_preparer, starts_on=day, ends_on=day
        )
        body, _sql = _home(client, people.cac_preparer)
        assert LINK not in body
    with at(2025, 10, 9):
        body, sql = _home(client, people.cac_preparer)
        assert LINK in body and joint_review.name in body
        # The delegations are read once, with the queues, for the link and the checks after it.
        assert len([s for s in sql if s.startswith('SELECT "lifecycle_delegation"')]) == 1
    with at(2025, 10, 10):
        body, _sql = _home(client, people.cac_preparer)
        assert LINK not in body


def test_the_reviewers_own_role_needs_no_delegation(client, joint_review, people):
    with at(2025, 10, 9):
        body, sql = _home(client, people.cac_reviewer)
    assert LINK in body
    assert not [s for s in sql if s.startswith('SELECT "lifecycle_delegation"')]


def test_the_latest_plans_are_listed_for_the_bureau(client, people, orgs):
    from projects.models import AnnualPlan

    for year in (2024, 2025, 2026, 2027):
        AnnualPlan.objects.create(year=year)
    body, _sql = _home(client, people.bureau_head)
    section = body[body.index("年度建设计划") :]
    # The three latest, newest first (办法第十一条: one plan a year).
    assert [y for y in ("2027", "2026", "2025", "2024") if f"{y}年" in section] == ["2027", "2026", "2025"]
    body, _sql = _home(client, people.owner_head)
    assert "年度建设计划</h2>" not in body


# ---------------------------------------------------------------- the calendar read ahead


def test_exceptions_read_ahead_are_used_only_for_the_years_they_cover(db):
    # 2024's National Day: 1–7 October off, Sunday 29 September and Saturday 12 October worked.
    # (Mon 30 Sep, Tue 8 Oct]: only Tuesday 8 October is a working day.
    start, end = datetime.date(2024, 9, 30), datetime.date(2024, 10, 8)
    unread_ahead = workdays.Read(2025, 2027, {})  # says nothing of 2024
    with CaptureQueriesContext(connection) as ctx:
        calendar = workdays.WorkCalendar({2024}, read=unread_ahead)
    assert len(ctx.captured_queries) == 1
    assert calendar.working_days_between(start, end) == 1
    # Covered: no query, and the read exceptions are the ones counted.
    from core.kept_sql import together

    (read,) = together([workdays.exceptions_ask(2024, 2024)])
    with CaptureQueriesContext(connection) as ctx:
        calendar = workdays.WorkCalendar({2024}, read=read)
    assert not ctx.captured_queries
    assert calendar.working_days_between(start, end) == 1
    assert calendar.is_workday(datetime.date(2024, 9, 29)) and calendar.is_workday(
        datetime.date(2024, 10, 12)
    )


# ---------------------------------------------------------------- the project page


def _on(day: datetime.date):
    return at(day.year, day.month, day.day)


def test_a_substitute_s_steps_on_the_project_page_read_the_delegation_once(client, orgs, people, call_2026):
    """办法第十条: the bureau's 审核人 accepts an application; its 经办人 may, on the days a
    delegation is in force (issue 12), and the page reads the delegations once for all its
    checks, with its own queries (web/read_ahead.py)."""
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    day = max(on, datetime.date(2026, 12, 1)) + datetime.timedelta(days=1)
    with _on(day - datetime.timedelta(days=1)):
        delegation.delegation_create(
            actor=people.bureau_reviewer, substitute=people.bureau_preparer, starts_on=day, ends_on=day
        )
    step = f'class="button primary" href="{reverse("project_step", args=[project.pk, "accept_application"])}"'
    client.force_login(people.bureau_preparer)
    with _on(day):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(reverse("project", args=[project.pk])).content.decode()
        assert step in body
        sql = [q["sql"] for q in ctx.captured_queries]
        assert len([s for s in sql if s.startswith('SELECT "lifecycle_delegation"')]) == 1
        assert len([s for s in sql if 'COUNT("projects_notification"' in s]) == 1
    with _on(day + datetime.timedelta(days=1)):
        body = client.get(reverse("project", args=[project.pk])).content.decode()
        assert step not in body
