"""Issue 10: ``Project.first_due`` — the earliest (extended) deadline of a project's running
clocks, the order of every home queue — stays true through every write of a clock, and a
project saved from an instance loaded before a clock moved never writes an old date back.
The expected dates are counted here by hand on the 2026 calendar."""

from __future__ import annotations

import datetime

import pytest

from lifecycle import clocks
from lifecycle.models import ClockKind
from projects.models import Project
from tests.factories import ProjectFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def first_due(project):
    return Project.objects.values_list("first_due", flat=True).get(pk=project.pk)


def test_every_write_of_a_clock_keeps_the_earliest_running_deadline():
    project = ProjectFactory()
    assert first_due(project) is None  # no clock
    # 办法第十条: five working days from Monday 2026-03-02 (not counted): 3-3 … 3-6, then 3-9.
    joint = clocks.start_working_days(
        ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 3, 2), project=project
    )
    assert first_due(project) == D(2026, 3, 9)
    acceptance = clocks.start_calendar(
        ClockKind.ACCEPTANCE_APPLICATION, due_on=D(2026, 9, 1), received_on=D(2026, 3, 2), project=project
    )
    assert first_due(project) == D(2026, 3, 9)  # the earlier of the two
    clocks.extend(joint, to=D(2026, 10, 1))
    assert first_due(project) == D(2026, 9, 1)  # the joint review now ends after the other
    clocks.pause(joint, on=D(2026, 3, 4))
    assert first_due(project) == D(2026, 9, 1)  # a paused clock still runs
    clocks.stop(acceptance, on=D(2026, 3, 5))
    assert first_due(project) == D(2026, 10, 1)  # the extended date of the paused clock
    clocks.resume(joint, on=D(2026, 3, 6))
    assert first_due(project) == D(2026, 10, 1)
    clocks.redate(joint, extended_to=None)
    # 3-4 paused, resumed 3-6: the pause's working days (3-5, 3-6) are added: 3-9 → 3-11.
    assert first_due(project) == D(2026, 3, 11)
    clocks.stop(joint, on=D(2026, 3, 10))
    assert first_due(project) is None


def test_clocks_started_in_bulk_keep_each_projects_deadline():
    first, second = ProjectFactory(), ProjectFactory()
    clocks.start_working_days(
        ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 3, 2), project=second
    )
    clocks.start_calendar_many(
        ClockKind.PERFORMANCE_REPORT,
        due_on=D(2026, 4, 30),
        targets=[first, second],
        received_on=D(2026, 1, 1),
    )
    assert first_due(first) == D(2026, 4, 30)
    assert first_due(second) == D(2026, 3, 9)


def test_saving_a_project_loaded_before_its_clock_started_leaves_the_date():
    project = ProjectFactory()
    stale = Project.objects.get(pk=project.pk)
    clocks.start_working_days(
        ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 3, 2), project=project
    )
    stale.name = "改名后的项目"
    stale.save()
    assert first_due(project) == D(2026, 3, 9)
    assert Project.objects.get(pk=project.pk).name == "改名后的项目"
    # A project loaded with some columns only saves those (as Django does), still not first_due.
    partial = Project.objects.only("name").get(pk=project.pk)
    partial.name = "再次改名"
    partial.save()
    assert (Project.objects.get(pk=project.pk).name, first_due(project)) == ("再次改名", D(2026, 3, 9))
