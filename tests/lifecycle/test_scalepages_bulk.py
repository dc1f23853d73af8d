"""Issue 10: set-based bulk work.

Entering a year's holidays recomputes every provisional deadline in a bounded number of
queries (the same for 5 clocks and 600), with the deadlines the working-day rule gives (the
day of receipt not counted; the days off and make-up working days of the notice; counted
here independently, day by day), one RECOMPUTED event and one audit row per clock, linked
into the hash chain. The yearly 绩效评价报告 clocks (办法第二十五条) open in bulk, and the
consolidated submission (办法第八、九条) checks its drafts without one query per draft.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.chain import verify
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Clock, ClockEvent, ClockKind, ClockUnit
from projects import services as project_services
from projects.models import AnnualPlan, CallSubmission, Participant, Project
from tests.factories import CallFactory, ProjectFactory, complete_application
from tests.lifecycle.builders import provisional_clocks

D = datetime.date
pytestmark = pytest.mark.django_db

#: A made-up 2027 notice (the test's own rule book): weekday days off and weekend make-up days.
HOLIDAYS = {
    D(2027, 1, 1): "元旦",
    **{D(2027, 2, day): "春节" for day in range(5, 12)},
    D(2027, 4, 5): "清明节",
    **{D(2027, 5, day): "劳动节" for day in range(3, 6)},
    **{D(2027, 10, day): "国庆节" for day in range(1, 8)},
}
WORKDAYS = {D(2027, 2, 14): "春节", D(2027, 2, 20): "春节", D(2027, 5, 8): "劳动节", D(2027, 10, 9): "国庆节"}


def nth_working_day(received: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``received``, counted one day at a time from the notice."""
    day, counted = received, 0
    while counted < n:
        day += datetime.timedelta(days=1)
        off = day in HOLIDAYS or (day.weekday() >= 5 and day not in WORKDAYS)
        counted += not off
    return day


def enter_2027(people):
    return services.calendar_year_enter(
        2027, actor=people.admin, holidays=dict(HOLIDAYS), workdays=dict(WORKDAYS), source="测试通知"
    )


class TestHolidaysRecomputeInBulk:
    def test_the_same_queries_for_5_clocks_and_600(self, orgs, people):
        # 600: more than a statement of the 500 rows Django would batch by default.
        plan = AnnualPlan.objects.create(year=2027)
        with transaction.atomic():
            provisional_clocks(5, orgs["owner"], plan)
            with CaptureQueriesContext(connection) as small:
                assert len(enter_2027(people)) > 0
            transaction.set_rollback(True)
        provisional_clocks(600, orgs["owner"], plan)
        with CaptureQueriesContext(connection) as large:
            enter_2027(people)
        assert len(large.captured_queries) == len(small.captured_queries)
        assert Clock.objects.filter(provisional=True).count() == 0

    def test_deadlines_events_and_audit_rows_as_the_rule_gives_them(self, orgs, people):
        plan = AnnualPlan.objects.create(year=2027)
        made = provisional_clocks(24, orgs["owner"], plan)
        before = {c.pk: c.due_on for c in made}
        started = timezone.now()
        changes = enter_2027(people)
        for clock in Clock.objects.filter(pk__in=before):
            expected = nth_working_day(clock.received_on, clock.working_days + clock.paused_working_days)
            assert (clock.due_on, clock.provisional) == (expected, False), clock.received_on
            event = clock.events.get(kind=ClockEvent.Kind.RECOMPUTED)
            assert (event.due_before, event.due_after, event.actor) == (
                before[clock.pk],
                expected,
                people.admin,
            )
            row = AuditEntry.objects.get(action="clock.recomputed", data__clock=clock.pk)
            assert row.at >= started and row.actor == people.admin and row.organisation == orgs["bureau"]
            assert (row.project_id, row.plan_id) == (
                (clock.project_id, plan.pk) if clock.project_id else (None, plan.pk)
            )
            assert row.data["due_before"] == before[clock.pk].isoformat()
            assert row.data["due_after"] == expected.isoformat()
            assert row.article == "第十条" and row.reason == "录入2027年节假日安排"
        # The changes reported are exactly the clocks whose date moved.
        moved = {pk for pk, due in before.items() if due != Clock.objects.get(pk=pk).due_on}
        assert {c.pk for c, _b, _a in changes} == moved and moved
        assert verify(AuditEntry).ok


def building_projects(n: int, owner) -> list[Project]:
    return Project.objects.bulk_create(
        [Project(name=f"在建{i}", owner=owner, state=S.CONSTRUCTION) for i in range(n)]
    )


class TestYearlyClocksInBulk:
    """办法第二十五条: a 绩效评价报告 of every construction year, due before the year's end."""

    def test_the_same_queries_for_5_projects_and_50_and_the_clocks_the_rule_gives(self, orgs, people):
        with transaction.atomic():
            building_projects(5, orgs["owner"])
            with as_of(D(2027, 1, 4)), CaptureQueriesContext(connection) as small:
                assert project_services.performance_report_clocks_open(2027) == 5
            transaction.set_rollback(True)
        projects = building_projects(50, orgs["owner"])
        with as_of(D(2027, 1, 4)), CaptureQueriesContext(connection) as large:
            assert project_services.performance_report_clocks_open(2027) == 50
        assert len(large.captured_queries) == len(small.captured_queries)
        for project in projects:
            clock = Clock.objects.get(project=project, kind=ClockKind.PERFORMANCE_REPORT, year=2027)
            assert (clock.due_on, clock.unit, clock.article) == (
                D(2027, 12, 31),
                ClockUnit.CALENDAR,
                "第二十五条",
            )
            assert clock.events.get().kind == ClockEvent.Kind.STARTED
            assert AuditEntry.objects.filter(
                project=project, action="clock.started", data__clock=clock.pk
            ).exists()
        # Idempotent: a second run opens nothing.
        assert project_services.performance_report_clocks_open(2027) == 0
        assert Clock.objects.filter(kind=ClockKind.PERFORMANCE_REPORT, year=2027).count() == 50
        assert verify(AuditEntry).ok


class TestSubmissionCheck:
    """办法第八、九条: the head's consolidated submission checks every draft's application."""

    def drafts(self, orgs, call, n, *, incomplete=True):
        made = []
        for i in range(n):
            project = complete_application(ProjectFactory(owner=orgs["owner"], call=call, name=f"草稿{i}"))
            Participant.objects.create(
                project=project,
                organisation=orgs["other_owner"],
                part="数据对接",
                confirmed_at=timezone.now(),
            )
            made.append(project)
        if incomplete:
            made[-1].data_resources.all().delete()  # incomplete: 办法第九条 数据资源目录
        return made

    def check(self, orgs, people, call):
        drafts = project_services.submission_drafts(orgs["owner"], call)
        with CaptureQueriesContext(connection) as ctx, pytest.raises(RuleViolation) as refused:
            project_services.drafts_refused(drafts, people.owner_head, people.owner_head)
        return len(ctx.captured_queries), str(refused.value)

    def test_the_same_queries_for_5_drafts_and_50(self, orgs, people):
        with as_of(D(2025, 6, 10)):
            with transaction.atomic():
                call = CallFactory(year=2026)
                self.drafts(orgs, call, 5)
                small, message = self.check(orgs, people, call)
                assert message.count("《") == 1 and "《草稿4》" in message and "数据资源目录" in message
                transaction.set_rollback(True)
            call = CallFactory(year=2026)
            self.drafts(orgs, call, 50)
            large, message = self.check(orgs, people, call)
        assert large == small
        # Exactly the incomplete draft is named, as the per-draft check named it.
        assert message.count("《") == 1 and "《草稿49》" in message and "数据资源目录" in message

    def test_a_complete_submission_still_goes_out(self, orgs, people):
        with as_of(D(2025, 6, 10)):
            call = CallFactory(year=2026)
            self.drafts(orgs, call, 3, incomplete=False)
            submission = CallSubmission.objects.create(call=call, organisation=orgs["owner"])
            project_services.call_submit(
                submission,
                actor=people.owner_head,
                letter="申报函",
                responsible_person=people.owner_head,
                splits_confirmed=True,
            )
        assert set(Project.objects.filter(call=call).values_list("state", flat=True)) == {S.SUBMITTED}
