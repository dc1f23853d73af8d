"""The bugs the simulation of the province found (issue 14, tests/simulation), each kept as a plain
test. Expected values come from the 办法 and the calendar, not from the code."""

from __future__ import annotations

import datetime

import chinese_calendar
import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import clocks, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Clock, ClockKind
from projects import services as project_services
from tests.factories import ProjectFactory
from tests.lifecycle.builders import project_in

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_project_of_another_plan_cannot_be_excluded_from_the_compiling_plan(orgs, people, call_2026):
    """办法第十一条: the bureau edits the plan it is compiling; a project of the approved 2026 plan
    is not "removed" from it through the 2027 plan (the service took any project and cleared its
    plan — the page looked the project up in the plan, the service did not)."""
    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)
    approved = project.plan
    with as_of(D(2026, 9, 10)):
        plan27 = project_services.plan_open(2027, actor=people.bureau_head)
    rows = AuditEntry.objects.count()
    with pytest.raises(RuleViolation) as refused:
        services.plan_exclude(plan27, project, actor=people.bureau_reviewer, reason="误操作")
    assert refused.value.article == "第十一条"
    project.refresh_from_db()
    assert project.plan == approved
    assert AuditEntry.objects.count() == rows


def test_a_schedule_entered_again_moves_the_running_deadlines(orgs, people):
    """Working days follow the official calendar: when an administrator enters a known year's
    schedule again (the State Council amends it, or a mistake is corrected), a running clock
    counted through that year is recounted on the new schedule — not only provisional ones.

    Received on Friday 9 October 2026, 5 working days (办法第十条). On the published 2026
    schedule Saturday 10 October is a make-up working day: due Thursday 15 October. On a
    schedule with no make-up day and Monday 12 October off: 13, 14, 15, 16, 19 October."""
    project = ProjectFactory(owner=orgs["owner"])
    with as_of(D(2026, 10, 9)):
        clock = clocks.start_working_days(
            ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 10, 9), project=project
        )
    assert (clock.due_on, clock.provisional) == (D(2026, 10, 15), False)
    with as_of(D(2026, 10, 9)):
        services.calendar_year_enter(
            2026,
            actor=people.admin,
            holidays={D(2026, 10, 12): "调整后的休息日"},
            workdays={},
            source="国务院办公厅通知（修订）",
        )
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.provisional) == (D(2026, 10, 19), False)


def test_a_pause_is_recounted_when_its_year_is_entered(orgs, people):
    """办法第十条: time paused for 陈述和补正 does not count. Received Monday 21 December 2026,
    5 working days; two counted (22, 23 Dec), paused on the 23rd, resumed Friday 8 January
    2027: three are left after the 8th — 11, 12, 13 January, whatever 2027's holidays are. When
    2027's schedule is entered (1 and 4 January off), the deadline stays on 13 January."""
    project = ProjectFactory(owner=orgs["owner"])
    clock = clocks.start_working_days(
        ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 12, 21), project=project
    )
    clocks.pause(clock, on=D(2026, 12, 23))
    clocks.resume(clock, on=D(2027, 1, 8))
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.provisional) == (D(2027, 1, 13), True)
    services.calendar_year_enter(
        2027,
        actor=people.admin,
        holidays={D(2027, 1, 1): "元旦", D(2027, 1, 4): "调休"},
        workdays={},
        source="国务院办公厅通知",
    )
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.provisional) == (D(2027, 1, 13), False)


def test_a_pause_recounted_without_moving_the_deadline_is_kept_for_the_next_pause(orgs, people):
    """办法第十条: time paused for 陈述和补正 does not count (found by the long simulation after
    the fix above). Received Monday 21 September 2026, 5 working days; 22 and 23 counted, paused
    on the 23rd, resumed Friday 9 October: 24, 28, 29, 30 September and 8, 9 October are the
    pause's 6 working days (25 September and 1–7 October are holidays). If the 2026 schedule is
    entered again with 7 October a working day, the pause holds 7 working days and the deadline
    does not move (one more working day inside the pause, one more counted): 13 October. A
    second pause from Monday 12 October to Wednesday 14 October holds 13 and 14 October; 9 in
    all, 14 working days from the 21st: 22, 23, 24, 28, 29, 30 Sep, 7, 8, 9, 10 (a make-up
    Saturday), 12, 13, 14, 15 Oct — due Thursday 15 October, not the 14th."""
    project = ProjectFactory(owner=orgs["owner"])
    with as_of(D(2026, 9, 21)):
        clock = clocks.start_working_days(
            ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 9, 21), project=project
        )
    clocks.pause(clock, on=D(2026, 9, 23))
    clocks.resume(clock, on=D(2026, 10, 9))
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.paused_working_days) == (D(2026, 10, 13), 6)
    holidays = dict.fromkeys(
        chinese_calendar.get_holidays(D(2026, 1, 1), D(2026, 12, 31), include_weekends=False), "节假日"
    )
    del holidays[D(2026, 10, 7)]
    workdays = {d: "调休上班" for d, _name in chinese_calendar.constants.workdays.items() if d.year == 2026}
    with as_of(D(2026, 10, 10)):
        services.calendar_year_enter(
            2026, actor=people.admin, holidays=holidays, workdays=workdays, source="国务院办公厅通知（修订）"
        )
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.paused_working_days) == (D(2026, 10, 13), 7)
    clocks.pause(clock, on=D(2026, 10, 12))
    clocks.resume(clock, on=D(2026, 10, 14))
    clock = Clock.objects.get(pk=clock.pk)
    assert clock.due_on == D(2026, 10, 15)


def test_a_pause_after_the_deadline_is_recounted_when_its_year_is_entered(orgs, people):
    """办法第十条: time paused does not count, wherever the pause lies. A joint review received
    Monday 14 December 2026, 5 working days: 15, 16, 17, 18, 21 — due Monday 21 December.
    Overdue, it is paused on Monday 11 January 2027 and resumed on Friday 15 January: 12, 13, 14,
    15 January, 4 working days (2027's schedule not yet entered: weekdays), and the deadline
    moves 4 working days on: 22, 23, 24, 25 December — the 9th working day, Friday 25 December.
    When 2027 is entered with 13 January a holiday, the pause holds 3 working days and the
    deadline is Thursday 24 December — although the deadline lies in 2026 and the pause in
    2027 (found by the long simulation: such a clock was left out of the recount)."""
    project = ProjectFactory(owner=orgs["owner"])
    with as_of(D(2026, 12, 14)):
        clock = clocks.start_working_days(
            ClockKind.JOINT_REVIEW, working_days=5, received_on=D(2026, 12, 14), project=project
        )
    assert clock.due_on == D(2026, 12, 21)
    clocks.pause(clock, on=D(2027, 1, 11))
    clocks.resume(clock, on=D(2027, 1, 15))
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.paused_working_days, clock.provisional) == (D(2026, 12, 25), 4, False)
    with as_of(D(2027, 1, 18)):
        services.calendar_year_enter(
            2027,
            actor=people.admin,
            holidays={D(2027, 1, 1): "元旦", D(2027, 1, 13): "调整后的休息日"},
            workdays={},
            source="国务院办公厅通知",
        )
    clock = Clock.objects.get(pk=clock.pk)
    assert (clock.due_on, clock.paused_working_days) == (D(2026, 12, 24), 3)
