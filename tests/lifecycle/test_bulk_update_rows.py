"""core.bulk.update_rows: the values of many rows written in one statement per batch (issue
10: entering a year's holidays rewrites thousands of deadlines). Exactly the fields named, of
exactly the rows given, each value as a save writes it, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import update_rows
from lifecycle.models import Clock, ClockKind, ClockUnit

pytestmark = pytest.mark.django_db

D = datetime.date


def _clock(n: int) -> Clock:
    return Clock.objects.create(
        kind=ClockKind.JOINT_REVIEW,
        article="第十条",
        unit=ClockUnit.WORKING_DAYS,
        working_days=5,
        received_on=D(2027, 1, 4),
        due_on=D(2027, 1, 11),
        provisional=True,
        paused_working_days=n,
    )


def test_only_the_fields_named_of_the_rows_given_are_written():
    a, b, untouched = _clock(0), _clock(1), _clock(2)
    a.due_on, a.provisional, a.working_days = D(2027, 1, 13), False, 99
    b.due_on, b.paused_working_days = D(2028, 2, 29), 7
    untouched.due_on = D(2030, 1, 1)
    assert update_rows(Clock, [a, b], ["due_on", "provisional", "paused_working_days"]) == 2
    rows = {
        c.pk: (c.due_on, c.provisional, c.paused_working_days, c.working_days) for c in Clock.objects.all()
    }
    assert rows[a.pk] == (D(2027, 1, 13), False, 0, 5)  # working_days was not named
    assert rows[b.pk] == (D(2028, 2, 29), True, 7, 5)
    assert rows[untouched.pk] == (D(2027, 1, 11), True, 2, 5)


def test_one_statement_per_batch_and_none_for_no_rows():
    clocks = [_clock(n) for n in range(7)]
    for n, clock in enumerate(clocks):
        clock.due_on = D(2027, 2, 1) + datetime.timedelta(days=n)
    with CaptureQueriesContext(connection) as ctx:
        assert update_rows(Clock, clocks, ["due_on"], batch=3) == 7
        assert update_rows(Clock, [], ["due_on"]) == 0
    assert len(ctx.captured_queries) == 3  # 3 + 3 + 1 rows
    assert sorted(Clock.objects.values_list("due_on", flat=True)) == [
        D(2027, 2, 1) + datetime.timedelta(days=n) for n in range(7)
    ]


# ---------------------------------------------------------------- insert_rows


def test_rows_inserted_hold_what_django_s_insert_stores(people, orgs):
    """The audit trail's rows (JSON, times, a missing project, the hash chain) inserted by
    ``audit.insert_many`` equal those ``audit.record_many`` (Django's bulk_create) stores."""
    from django.utils import timezone

    from lifecycle import audit
    from lifecycle.chain import verify
    from lifecycle.models import AuditEntry
    from projects.models import Project

    project = Project.objects.create(name="插入", owner=orgs["owner"], state="draft")

    def rows(tag: str) -> list[AuditEntry]:
        made = []
        for n, obj in enumerate([project, orgs["owner"], project]):
            row = audit.unsaved(
                actor=people.admin if n else None,
                action="clock.recomputed",
                obj=obj,
                label=f"标签{n}",
                article="第十条",
                reason=tag,
                data={"n": n, "due": datetime.date(2027, 1, n + 1), "list": [1, "二", None]},
            )
            row.at = timezone.now()
            made.append(row)
        return made

    audit.record_many(rows("django"))
    with CaptureQueriesContext(connection) as ctx:
        assert audit.insert_many(rows("ours"), batch_size=2) == 3
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # 2 + 1 rows
    skip = {"id", "at", "reason", "row_hash", "prev_hash"}
    names = [f.attname for f in AuditEntry._meta.concrete_fields if f.attname not in skip]
    theirs = list(AuditEntry.objects.filter(reason="django").order_by("pk").values_list(*names))
    ours = list(AuditEntry.objects.filter(reason="ours").order_by("pk").values_list(*names))
    assert ours == theirs and len(ours) == 3
    assert ours[0][names.index("data")] == {"n": 0, "due": "2027-01-01", "list": [1, "二", None]}
    assert verify(AuditEntry).ok


def test_sqlite_connections_take_as_many_parameters_as_sqlite_allows():
    """core.sqlite_limits (Django 6.0's behaviour, ticket #36143): not Django 5.2's fixed 999."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    import sqlite3

    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    assert connection.features.max_query_params == limit > 999
