"""Twenty people press the same button at the same moment (issue 9, "load and faults").

Twenty sessions of the bureau POST 受理 (accept_application, 办法第十条) of one submitted
application at once, each from its own thread with its own database connection, through the
whole web stack (middleware, the step page, services.perform): exactly one is told "已办理",
the nineteen others get a Chinese answer saying the project changed under them (400 "该事项
已被他人处理", or — when they came in after the winner had finished — sent back to the
project page with "当前状态…下不能办理"), never a 500; and the trail, the state and the
clocks show the step once.

PostgreSQL only: SQLite serialises writers (its two-person race on a file database is
tests/web/test_concurrent_sqlite.py), and the SQLite test database is in memory.
"""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from core.states import ProjectState as S
from lifecycle.models import AuditEntry, Clock, ClockKind
from tests.lifecycle.builders import project_in

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
N = 20


def race(user, url, data):
    """POST ``data`` to ``url`` from N sessions of ``user`` at once: [(status, body, messages)]."""
    barrier, results, lock = threading.Barrier(N), [], threading.Lock()

    def run():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            barrier.wait(timeout=120)
            response = client.post(url, data)
            said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
            answer = (response.status_code, response.content.decode(errors="replace"), said)
        except Exception as exc:  # failing before the barrier must not hang the others
            barrier.abort()
            answer = (0, repr(exc), [])
        finally:
            connection.close()
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=run) for _ in range(N)]
    [t.start() for t in threads]
    [t.join(timeout=300) for t in threads]
    return results


# Skipped before its fixtures: a transactional test empties every table when it ends.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="true concurrency needs a database with row locks (the PostgreSQL run)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_acceptances_one_succeeds(orgs, people, call_2026):
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    url = f"/projects/{project.pk}/steps/accept_application/"
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(10), SHANGHAI), tick=False):
        results = race(people.bureau_reviewer, url, {"reason": ""})

    assert len(results) == N, results
    assert all(status and status < 500 for status, _body, _said in results), [r[:1] for r in results]
    won = [r for r in results if r[0] == 302 and any(tag == "success" for tag, _text in r[2])]
    lost = [r for r in results if r not in won]
    assert len(won) == 1, [(s, said) for s, _b, said in results]
    assert "已办理：受理" in won[0][2][0][1]
    for status, body, said in lost:
        if status == 302:  # came in after the winner: back to the project page, told why
            assert [tag for tag, _text in said] == ["error"], said
            assert "当前状态“联合审核”下不能办理“受理”" in said[0][1], said
        else:  # raced the winner inside perform(): optimistic locking refused it
            assert status in (400, 409), status
            assert "该事项已被他人处理（状态已变化），请刷新页面后重试。" in body
            assert "Traceback" not in body

    project.refresh_from_db()
    assert project.state == S.JOINT_REVIEW
    assert AuditEntry.objects.filter(project=project, action="accept_application").count() == 1
    # 办法第十条: one joint-review clock of 5 working days, started once.
    assert Clock.objects.filter(project=project, kind=ClockKind.JOINT_REVIEW).count() == 1
