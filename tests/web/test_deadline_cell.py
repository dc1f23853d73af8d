"""The deadline cell of the project tables (home queues, the project list): "剩余N个工作日"
for a running working-day clock not yet late, nothing for a paused or a late one (issue 10:
the label is made by ``selectors.decorate``, not by a template tag per row). The days are
counted by hand on the calendar: November 2026 has no holiday."""

from __future__ import annotations

import datetime

import pytest

from lifecycle.models import Clock
from projects import selectors
from projects.models import Project

TODAY = datetime.date(2026, 11, 2)  # a Monday


@pytest.mark.parametrize(
    ("due", "paused", "label", "overdue"),
    [
        # (Mon 2 Nov, Fri 13 Nov]: 3–6 and 9–13 November.
        (datetime.date(2026, 11, 13), None, "剩余9个工作日", False),
        (datetime.date(2026, 11, 2), None, "剩余0个工作日", False),
        (datetime.date(2026, 11, 13), datetime.date(2026, 11, 1), "", False),
        (datetime.date(2026, 10, 30), None, "", True),
    ],
)
def test_the_days_left_are_shown_for_a_running_clock_not_yet_late(orgs, due, paused, label, overdue):
    project = Project.objects.create(name="时限显示", owner=orgs["owner"], state="joint_review")
    Clock.objects.create(
        project=project,
        kind="joint_review",
        article="第十条",
        unit="working_days",
        working_days=5,
        received_on=datetime.date(2026, 10, 26),
        due_on=due,
        paused_on=paused,
    )
    project.running_clocks = list(Clock.objects.filter(project=project))
    (row,) = selectors.decorate([project], today=TODAY)
    assert row.days_left_label == label
    assert row.overdue is overdue
