"""A database error in the middle of a step leaves nothing half-written (issue 9, "load and
faults"). Both databases.

The step is the bureau's 受理 of a submitted application (办法第十条), taken on its page. The
fault is a real database error (a statement on a table that does not exist: the database
itself refuses it and, on PostgreSQL, aborts the transaction), injected at each point of the
step's one transaction (services.perform): the audit row, a clock effect, the event the other
apps react to. Afterwards the project is in its state of before, with the audit trail, the
clocks and their events exactly as they were; the person sees the Chinese 500 page ("系统出错，
您的操作没有完成"), no stack trace; and the same step taken again once the fault is gone works.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from core.states import ProjectState as S
from lifecycle.models import AuditEntry, Clock, ClockEvent, ClockKind
from projects.models import Project
from tests.conftest import at
from tests.lifecycle.builders import project_in


def database_error(*args, **kwargs):
    """What a database failure looks like from the code: the database refuses a statement."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM injected_fault_no_such_table")


def trail(project):
    """Everything the step writes: state, audit rows, clocks (with their stop) and their events."""
    project = Project.objects.get(pk=project.pk)
    return {
        "state": project.state,
        "audit": sorted(AuditEntry.objects.filter(project=project).values_list("pk", "action")),
        "clocks": sorted(Clock.objects.filter(project=project).values_list("pk", "kind", "stopped_on")),
        "events": ClockEvent.objects.filter(clock__project=project).count(),
    }


@pytest.mark.parametrize(
    "where",
    [
        "lifecycle.services.audit.record",  # the audit row, just after the new state was saved
        "lifecycle.clocks.start_working_days",  # the joint-review clock (after the intake clock stopped)
        "lifecycle.services.events.announce",  # the signal the documents app reacts to, last
    ],
)
def test_a_database_error_inside_a_step_leaves_no_half_state(orgs, people, call_2026, where):
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    before = trail(project)
    # 办法第十条: waiting for 受理, the intake clock runs; 受理 would stop it and start the review's.
    assert [(kind, stop) for _pk, kind, stop in before["clocks"]] == [(ClockKind.INTAKE, None)]
    client = Client(raise_request_exception=False)
    client.force_login(people.bureau_reviewer)
    url = f"/projects/{project.pk}/steps/accept_application/"
    with at(on.year, on.month, on.day), mock.patch(where, side_effect=database_error) as injected:
        response = client.post(url, {"reason": ""})
    assert injected.called
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出错，您的操作没有完成" in body
    assert "Traceback" not in body and "injected_fault" not in body
    assert trail(project) == before

    # The fault gone, the same step goes through, once.
    with at(on.year, on.month, on.day):
        response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    after = trail(project)
    assert after["state"] == S.JOINT_REVIEW
    assert [a for _pk, a in after["audit"]].count("accept_application") == 1
    assert [k for _pk, k, _stop in after["clocks"]].count(ClockKind.JOINT_REVIEW) == 1
