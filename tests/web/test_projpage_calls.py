"""Issue 10: the bureau's calls page (办法第八条) runs the same queries whatever the size of the
audit trail, shows the newest 50 rows of the calls' own trail, and finds them through the
index ``audit_action_at`` (lifecycle migration ``*_projpage``) instead of walking every
audit row by time (252,000 rows at 10,000 projects: 13× a bare page)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.timeutil import as_of
from lifecycle.models import AuditEntry
from projects import calls, services as project_services

D = datetime.date


def _noise(n, organisation):
    """Audit rows of other work: the bulk of a province's trail."""
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=now,
                actor_name="经办人",
                organisation=organisation,
                object_type="projects.project",
                object_id=str(i),
                action="submit",
                reason="其他工作",
            )
            for i in range(n)
        ]
    )


def _count(client):
    client.get(reverse("call_list"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("call_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["bureau_reviewer", "bureau_head"])
def test_the_calls_page_runs_the_same_queries_as_the_trail_grows(client, orgs, people, who):
    client.force_login(people[who])
    with as_of(D(2026, 6, 10)):
        call = project_services.call_open(2027, actor=people.bureau_head)
    small, body = _count(client)
    assert "2027" in body
    _noise(200, orgs["owner"])
    with as_of(D(2026, 6, 20)):
        calls.call_extend(call, actor=people.bureau_head, closes_on=D(2026, 7, 10), reason="延长理由甲")
        for year in range(2028, 2031):
            project_services.call_open(year, actor=people.bureau_head, reason="提前发布")
    large, body = _count(client)
    assert large == small
    assert "延长理由甲" in body and "其他工作" not in body


def test_the_trail_shows_the_newest_50_rows_newest_first(client, people):
    client.force_login(people.bureau_reviewer)
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=now + datetime.timedelta(minutes=i),
                actor_name="负责人",
                object_type="projects.call",
                object_id="1",
                action=calls.EXTENDED,
                reason=f"第{i:02d}次延长",
            )
            for i in range(55)
        ]
    )
    _, body = _count(client)
    assert "第54次延长" in body and "第05次延长" in body and "第04次延长" not in body
    assert body.index("第54次延长") < body.index("第05次延长")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan text")
def test_the_trail_is_read_through_its_index(db):
    rows = AuditEntry.objects.filter(action__in=["call.opened", calls.EXTENDED, calls.CLOSED]).order_by(
        "-at", "-pk"
    )[:50]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "audit_action_at" in plan, plan
