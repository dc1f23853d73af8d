"""The audit trail cannot be changed; two people acting at once cannot both succeed."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import ConcurrentUpdate
from lifecycle.models import AuditEntry
from projects.models import Project
from tests.lifecycle.builders import project_in


def test_audit_rows_cannot_be_edited_or_deleted_through_the_orm(orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    entry = AuditEntry.objects.filter(project=project).first()
    entry.reason = "篡改"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="篡改")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()


def test_audit_rows_cannot_be_changed_in_the_database_either(orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    entry = AuditEntry.objects.filter(project=project).first()
    for sql in (
        "UPDATE lifecycle_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM lifecycle_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == entry.reason


def test_the_admin_offers_no_way_to_change_the_trail(admin_client, orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    entry = AuditEntry.objects.filter(project=project).first()
    response = admin_client.post(f"/admin/lifecycle/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_stale_copy_cannot_overwrite_a_newer_state(orgs, people, call_2026):
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    mine, theirs = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    with as_of(on):
        services.perform(mine, "accept_application", actor=people.bureau_reviewer)
        with pytest.raises(ConcurrentUpdate) as exc:
            services.perform(theirs, "withdraw", actor=people.owner_head, reason="撤回")
    assert "已被他人处理" in exc.value.message
    assert Project.objects.get(pk=project.pk).state == S.JOINT_REVIEW
    assert not AuditEntry.objects.filter(project=project, action="withdraw").exists()


# Skipped before its fixtures: a transactional test empties every table when it ends.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="true concurrency needs a database with row locks (the PostgreSQL run)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_transitions_only_one_wins(orgs, people, call_2026):
    """Run on PostgreSQL by `make test`: two threads, two connections, one project."""
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    barrier = threading.Barrier(2)
    results = {}

    def act(name, person, **kw):
        copy = Project.objects.get(pk=project.pk)
        barrier.wait()
        try:
            with as_of(on):
                services.perform(copy, name, actor=person, **kw)
            results[name] = "ok"
        except ConcurrentUpdate:
            results[name] = "lost"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("accept_application", people.bureau_reviewer)),
        threading.Thread(target=act, args=("withdraw", people.owner_head), kwargs={"reason": "撤回"}),
    ]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results.values()) == ["lost", "ok"]
    winner = next(name for name, r in results.items() if r == "ok")
    final = Project.objects.get(pk=project.pk).state
    assert final == {"accept_application": S.JOINT_REVIEW, "withdraw": S.WITHDRAWN}[winner]
    assert (
        AuditEntry.objects.filter(project=project, action__in=["accept_application", "withdraw"]).count() == 1
    )
