"""办法第十条: the joint-review statistics counted by the database (issue 10), checked on a
hand-built case.

The joint review takes 5 working days from 受理: accepted Thursday 19 June 2025, due Thursday
26 June. An opinion is on time if the local (Asia/Shanghai) day of the project's FIRST opinion
of that kind is no later than the (extended) deadline; an opinion not given is overdue once
today is past the deadline and pending until then. The wait from submission to 受理 is on
time if it stopped by its deadline (the bureau's own target; the 办法 sets no number).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import timeutil
from exports import joint_review_counts
from exports.reports import JointReviewStatsExporter
from lifecycle.models import Clock, ClockKind, ClockUnit, Opinion
from projects.models import Project
from tests.factories import CallFactory, ProjectFactory

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = D(2025, 7, 1)
DUE = D(2025, 6, 26)  # 受理 Thursday 19 June + 5 working days (办法第十条)
INTENSIVE = "集约化建设和数据共享审核意见（省营商环境局）"
SECURITY = "网络安全审核意见（省委网信办）"
CRYPTO = "密码应用审核意见（省国家密码管理局）"


def local(day: D, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def review_clock(project, *, due=DUE, extended_to=None):
    return Clock.objects.create(
        project=project,
        kind=ClockKind.JOINT_REVIEW,
        article="第十条",
        unit=ClockUnit.WORKING_DAYS,
        working_days=5,
        received_on=D(2025, 6, 19),
        due_on=due,
        extended_to=extended_to,
    )


def opinion(project, aspect, moment, people, stage="joint_review"):
    who = {
        "intensive": people.bureau_reviewer,
        "security": people.cac_reviewer,
        "crypto": people.crypto_reviewer,
    }
    person = who.get(aspect, people.bureau_reviewer)
    Opinion.objects.create(
        project=project,
        stage=stage,
        aspect=aspect,
        organisation=person.organisation,
        conclusion="approve",
        text="同意",
        given_by=person,
        given_at=moment,
    )


@pytest.fixture
def case(orgs, people, call_2026):
    """Three projects in joint review, one hidden one and one of another year's call."""
    p1, p2, p3, hidden = (ProjectFactory(owner=orgs["owner"], call=call_2026) for _ in range(4))
    review_clock(p1)
    # The deadline day itself, late in the evening, is on time.
    opinion(p1, "intensive", local(DUE, 23, 30), people)
    # 07:00 on the 27th in Heilongjiang is 23:00 on the 26th in UTC: late all the same.
    opinion(p1, "security", local(D(2025, 6, 27), 7), people)
    # The first opinion counts, not a later one issued again.
    opinion(p1, "crypto", local(D(2025, 6, 24), 10), people)
    opinion(p1, "crypto", local(D(2025, 7, 10), 10), people)
    # Extended to 3 July (e.g. an expert evaluation): judged against the extension.
    review_clock(p2, extended_to=D(2025, 7, 3))
    opinion(p2, "intensive", local(D(2025, 7, 2), 10), people)
    review_clock(p3)
    opinion(p3, "intensive", local(D(2025, 6, 25), 10), people, stage="emergency")  # not this review
    opinion(p3, "security", local(D(2025, 6, 20), 10), people)
    opinion(p3, "crypto", local(D(2025, 6, 30), 10), people)
    # Not among the projects asked about: never counted.
    review_clock(hidden)
    opinion(hidden, "intensive", local(D(2025, 6, 20), 10), people)
    later = ProjectFactory(owner=orgs["owner"], call=CallFactory(year=2027))
    review_clock(later)
    for aspect in ("intensive", "security", "crypto"):
        opinion(later, aspect, local(D(2025, 6, 20), 10), people)
    return Project.objects.exclude(pk=hidden.pk), later


def stats(projects, year=None):
    with timeutil.as_of(TODAY):
        return {r.values[1]: r.values[2:] for r in JointReviewStatsExporter(projects, year=year).rows()}


EXPECTED = {
    #          total on time late pending overdue  on-time rate
    INTENSIVE: [3, 2, 0, 0, 1, 2 / 3],
    SECURITY: [3, 1, 1, 1, 0, 1 / 2],
    CRYPTO: [3, 1, 1, 1, 0, 1 / 2],
}


def test_the_counts_follow_the_rules_of_article_10(case):
    projects, _later = case
    got = stats(projects, year=2026)
    for label, expected in EXPECTED.items():
        assert got[label][:5] == expected[:5], label
        assert got[label][5] == pytest.approx(expected[5]), label


def test_another_years_call_counts_only_without_a_year(case):
    projects, _later = case
    everything = stats(projects)
    assert everything[INTENSIVE][:5] == [4, 3, 0, 0, 1]
    assert everything[CRYPTO][:5] == [4, 2, 1, 1, 0]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
def test_the_day_of_an_opinion_is_the_local_day(case, zone):
    """Asia/Shanghai has one offset (SQLite's own date() applies it); a zone with summer time
    falls back to Django's conversion. 23:00 UTC on 26 June is the 27th in both: late."""
    projects, _later = case
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert stats(projects, year=2026)[SECURITY][:5] == EXPECTED[SECURITY][:5]


def test_in_utc_the_same_moment_would_be_on_time(case):
    projects, _later = case
    with timezone.override(datetime.UTC):
        assert stats(projects, year=2026)[SECURITY][:5] == [3, 2, 0, 1, 0]


def test_the_fixed_offset_is_found_only_for_a_zone_without_summer_time():
    assert joint_review_counts._fixed_offset_seconds("Asia/Shanghai") == 8 * 3600
    assert joint_review_counts._fixed_offset_seconds("UTC") == 0
    assert joint_review_counts._fixed_offset_seconds("Europe/Berlin") is None


def test_the_wait_before_acceptance(orgs, call_2026):
    """Submitted Monday 16 June 2025, the bureau's target 5 working days: Monday 23 June."""
    target = D(2025, 6, 23)
    cases = [
        (D(2025, 6, 19), None),  # accepted in time
        (D(2025, 6, 30), None),  # accepted late
        (None, None),  # still waiting on 1 July: over the target
        (None, D(2025, 7, 8)),  # still waiting, target moved to 8 July: not yet due
        (D(2025, 7, 1), D(2025, 7, 2)),  # moved to 2 July and accepted by then
    ]
    for stopped, extended in cases:
        Clock.objects.create(
            project=ProjectFactory(owner=orgs["owner"], call=call_2026),
            kind=ClockKind.INTAKE,
            article="第十条",
            unit=ClockUnit.WORKING_DAYS,
            working_days=5,
            received_on=D(2025, 6, 16),
            due_on=target,
            extended_to=extended,
            stopped_on=stopped,
        )
    intake = [v for label, v in stats(Project.objects.all()).items() if label.startswith("申报后受理")]
    assert intake[0][:5] == [5, 2, 1, 1, 1]
    assert intake[0][5] == pytest.approx(2 / 4)


def test_the_same_queries_whatever_the_number_of_projects(orgs, people, call_2026):
    def add(n):
        for _ in range(n):
            p = ProjectFactory(owner=orgs["owner"], call=call_2026)
            review_clock(p)
            opinion(p, "intensive", local(DUE, 10), people)
            Clock.objects.create(
                project=p,
                kind=ClockKind.INTAKE,
                article="第十条",
                unit=ClockUnit.WORKING_DAYS,
                received_on=D(2025, 6, 16),
                due_on=D(2025, 6, 23),
                stopped_on=D(2025, 6, 19),
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = stats(Project.objects.all())
        return len(ctx.captured_queries), rows

    add(2)
    small, _ = count()
    add(20)
    large, rows = count()
    assert small == large == 3
    assert rows[INTENSIVE][:5] == [22, 22, 0, 0, 0]
