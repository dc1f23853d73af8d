"""Working days on the official calendar, and clocks that pause, extend and recompute."""

from __future__ import annotations

import datetime

import pytest

from core.timeutil import as_of
from lifecycle import clocks, services
from lifecycle.errors import RuleViolation
from lifecycle.models import CalendarYear, Clock, ClockEvent, ClockKind
from lifecycle.selectors import clocks_due_soon, clocks_overdue
from lifecycle.workdays import add_months, add_working_days, is_workday, working_days_between
from projects import services as project_services

D = datetime.date
pytestmark = pytest.mark.django_db


class TestNationalDay2025:
    """2025: 10-1..10-8 off; Sunday 9-28 and Saturday 10-11 are make-up working days."""

    def test_the_make_up_sunday_and_saturday_are_working_days(self):
        assert is_workday(D(2025, 9, 28)) and is_workday(D(2025, 10, 11))
        assert not is_workday(D(2025, 10, 6)) and not is_workday(D(2025, 10, 8))

    def test_five_working_days_from_friday_9_26_run_to_10_10(self):
        # 9-28 (make-up Sunday), 9-29, 9-30, then 10-9, 10-10.
        assert add_working_days(D(2025, 9, 26), 5) == (D(2025, 10, 10), False)

    def test_the_day_of_receipt_is_not_counted(self):
        # Received on the make-up Sunday itself: counting starts on Monday 9-29.
        assert add_working_days(D(2025, 9, 28), 1).date == D(2025, 9, 29)
        assert add_working_days(D(2025, 9, 30), 1).date == D(2025, 10, 9)
        assert add_working_days(D(2025, 10, 10), 1).date == D(2025, 10, 11)


class TestSpringFestival2026:
    """2026: 2-15..2-23 off; Saturdays 2-14 and 2-28 are make-up working days."""

    def test_the_holiday_week_is_skipped(self):
        assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
        assert add_working_days(D(2026, 2, 14), 1).date == D(2026, 2, 24)

    def test_twenty_working_days_over_the_festival(self):
        assert add_working_days(D(2026, 2, 9), 20) == (D(2026, 3, 13), False)

    def test_working_days_between_counts_after_start_up_to_end(self):
        assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # 2-14 and 2-24


class TestProvisional2027:
    def test_a_deadline_in_an_unknown_year_is_provisional_on_weekends_only(self):
        assert not CalendarYear.objects.filter(year=2027).exists()
        deadline = add_working_days(D(2026, 12, 29), 5)
        # 12-30, 12-31, then 2027 on weekends only: Fri 1-1, Mon 1-4, Tue 1-5.
        assert deadline == (D(2027, 1, 5), True)

    def test_entering_2027_makes_it_firm_and_moves_it(self, people):
        with as_of(D(2026, 12, 29)):
            clock = clocks.start_working_days(ClockKind.JOINT_REVIEW, working_days=5)
        assert clock.provisional and clock.due_on == D(2027, 1, 5)
        changes = services.calendar_year_enter(
            2027,
            actor=people.admin,
            source="国办发明电〔2026〕X号（测试）",
            holidays={D(2027, 1, 1): "元旦", D(2027, 1, 4): "元旦"},
            workdays={D(2027, 1, 9): "元旦"},
        )
        clock.refresh_from_db()
        # 12-30, 12-31, then 1-1 and 1-4 are now off: 1-5, 1-6, 1-7.
        assert not clock.provisional and clock.due_on == D(2027, 1, 7)
        assert [(c.pk, before, after) for c, before, after in changes] == [
            (clock.pk, D(2027, 1, 5), D(2027, 1, 7))
        ]
        event = clock.events.get(kind=ClockEvent.Kind.RECOMPUTED)
        assert (event.due_before, event.due_after, event.actor) == (
            D(2027, 1, 5),
            D(2027, 1, 7),
            people.admin,
        )

    def test_only_an_administrator_enters_a_year(self, people):
        with pytest.raises(RuleViolation):
            services.calendar_year_enter(2027, actor=people.bureau_head, holidays={}, workdays={})

    def test_a_day_cannot_be_both_off_and_on(self, people):
        with pytest.raises(RuleViolation):
            services.calendar_year_enter(
                2027, actor=people.admin, holidays={D(2027, 1, 9): "x"}, workdays={D(2027, 1, 9): "x"}
            )


class TestClock:
    def test_a_pause_for_correction_pushes_the_deadline_by_the_working_days_paused(self):
        with as_of(D(2025, 6, 23)):
            clock = clocks.start_working_days(ClockKind.JOINT_REVIEW, working_days=5)
        assert clock.due_on == D(2025, 6, 30)
        clocks.pause(clock, reason="补正", on=D(2025, 6, 24))
        clocks.resume(clock, reason="已补正", on=D(2025, 6, 27))
        clock.refresh_from_db()
        assert clock.paused_working_days == 3 and clock.due_on == D(2025, 7, 3)
        clocks.stop(clock, on=D(2025, 7, 3))
        assert clock.met is True
        assert list(clock.events.values_list("kind", flat=True)) == [
            "started",
            "paused",
            "resumed",
            "stopped",
        ]

    def test_a_clock_stopped_late_is_not_met(self):
        with as_of(D(2025, 6, 23)):
            clock = clocks.start_working_days(ClockKind.JOINT_REVIEW, working_days=5)
        clocks.stop(clock, on=D(2025, 7, 1))
        assert clock.met is False

    def test_an_extension_moves_the_effective_deadline(self):
        clock = clocks.start_calendar(
            ClockKind.ACCEPTANCE_APPLICATION, received_on=D(2026, 1, 15), due_on=add_months(D(2026, 1, 15), 6)
        )
        clocks.extend(clock, to=D(2026, 9, 30), reason="档案整理")
        assert clock.effective_due_on == D(2026, 9, 30) and clock.due_on == D(2026, 7, 15)

    def test_overdue_and_due_soon_lists(self):
        with as_of(D(2025, 6, 23)):
            late = clocks.start_working_days(ClockKind.JOINT_REVIEW, working_days=5)  # due 6-30
            soon = clocks.start_working_days(ClockKind.DESIGN_REVIEW, working_days=20)  # due 7-21
        done = clocks.start_calendar(
            ClockKind.SELF_EVALUATION, received_on=D(2025, 1, 1), due_on=D(2025, 6, 1)
        )
        clocks.stop(done, on=D(2025, 5, 1))
        assert list(clocks_overdue(D(2025, 7, 2))) == [late]
        assert list(clocks_due_soon(D(2025, 7, 15), 5)) == [soon]  # 7-21 is 4 working days after 7-15
        assert list(clocks_due_soon(D(2025, 7, 10), 5)) == []


def test_months_are_added_to_the_end_of_short_months():
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2026, 1, 15), 12) == D(2027, 1, 15)


def test_a_call_opens_in_june_by_default(people):
    call = project_services.call_open(2027, actor=people.bureau_head)
    assert (call.opens_on, call.closes_on) == (D(2026, 6, 1), D(2026, 6, 30))


def test_each_construction_year_gets_its_performance_report_clock(orgs, people, call_2026):
    from core.states import ProjectState as S
    from tests.lifecycle.builders import project_in

    project, _on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    assert project_services.performance_report_clocks_open(2027) == 1
    assert project_services.performance_report_clocks_open(2027) == 0
    clock = Clock.objects.get(project=project, kind=ClockKind.PERFORMANCE_REPORT, year=2027)
    assert clock.due_on == D(2027, 12, 31)
