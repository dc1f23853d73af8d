"""Issue 9: the audit trail is a hash chain. A row changed, removed or slipped in underneath
the application — with the database's own protections lifted, as a superuser could — is found
by `manage.py verify_audit`, which names the first broken row and exits with an error."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from lifecycle import audit, chain
from lifecycle.models import AuditEntry


@pytest.fixture
def trail(people):
    rows = [
        audit.record_access(
            action="auth.login", label="登录", actor=people.owner_head, data={"ip": f"10.0.0.{i}"}
        )
        for i in range(5)
    ]
    return [AuditEntry.objects.get(pk=r.pk) for r in rows]


def lift_protection():
    """What a database superuser could do: switch the immutability triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
            cursor.execute("ALTER TABLE lifecycle_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER lifecycle_auditentry_no_update")
            cursor.execute("DROP TRIGGER lifecycle_auditentry_no_delete")


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_row_links_to_the_one_before(trail):
    assert trail[0].prev_hash == "" or trail[0].prev_hash == (
        AuditEntry.objects.filter(pk__lt=trail[0].pk)
        .order_by("-pk")
        .values_list("row_hash", flat=True)
        .first()
    )
    for before, row in itertools.pairwise(trail):
        assert row.prev_hash == before.row_hash and row.row_hash.startswith(f"{chain.ALGORITHM}:")
        assert row.row_hash == chain.digest(before.row_hash, row)
    verdict = chain.verify(AuditEntry)
    assert verdict.ok and verdict.head == trail[-1].row_hash


def test_many_rows_at_once_are_linked_too(trail, people):
    now = timezone.now()
    made = AuditEntry.objects.bulk_create(
        [
            AuditEntry(at=now, actor_name="系统", object_type="x", object_id=str(i), action="x")
            for i in range(3)
        ]
    )
    assert made[0].prev_hash == trail[-1].row_hash and chain.verify(AuditEntry).ok


def test_a_changed_row_is_found(trail):
    lift_protection()
    raw("UPDATE lifecycle_auditentry SET reason = %s WHERE id = %s", ["改过的理由", trail[2].pk])
    verdict = chain.verify(AuditEntry)
    assert verdict.broken_at == trail[2].pk and "改动" in verdict.why


def test_a_removed_row_is_found(trail):
    lift_protection()
    raw("DELETE FROM lifecycle_auditentry WHERE id = %s", [trail[2].pk])
    assert chain.verify(AuditEntry).broken_at == trail[3].pk


def test_a_back_dated_row_slipped_in_is_found_even_with_a_valid_digest(trail):
    """A forger who knows the algorithm appends a row dated last year with a correct digest."""
    forged = AuditEntry(
        at=timezone.now() - datetime.timedelta(days=365),
        actor_name="张三",
        object_type="projects.project",
        object_id="1",
        action="pass_review",
    )
    forged.prev_hash = trail[-1].row_hash
    forged.row_hash = chain.digest(forged.prev_hash, forged)
    raw(
        "INSERT INTO lifecycle_auditentry (at, actor_name, role, object_type, object_id, action,"
        " action_label, article, from_state, to_state, reason, override, data, prev_hash, row_hash)"
        " VALUES (%s, %s, '', %s, %s, %s, '', '', '', '', '', %s, %s, %s, %s)",
        [
            forged.at,
            forged.actor_name,
            forged.object_type,
            forged.object_id,
            forged.action,
            False,
            "{}",
            forged.prev_hash,
            forged.row_hash,
        ],
    )
    verdict = chain.verify(AuditEntry)
    assert not verdict.ok and "倒签" in verdict.why


def test_the_command_reports_and_records_the_result(trail, capsys):
    call_command("verify_audit")
    assert "哈希链完整" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="audit.verified", data__ok=True).exists()
    lift_protection()
    raw("UPDATE lifecycle_auditentry SET actor_name = %s WHERE id = %s", ["李四", trail[1].pk])
    with pytest.raises(CommandError, match=f"第{trail[1].pk}号"):
        call_command("verify_audit")
    assert AuditEntry.objects.filter(action="audit.verified", data__ok=False).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rows_written_before_the_chain_are_linked_and_stay_protected():
    from django.db import DatabaseError
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    old = migrate([("lifecycle", "0009_evaluation")])
    Old = old.get_model("lifecycle", "AuditEntry")
    now = timezone.now()
    for i in range(3):
        Old.objects.create(at=now, actor_name="系统", object_type="x", object_id=str(i), action="x")
    try:
        migrate([("lifecycle", "0010_audit_chain")])
        verdict = chain.verify(AuditEntry)
        assert verdict.ok and verdict.rows >= 3
        assert all(r.row_hash for r in AuditEntry.objects.all())
        with pytest.raises(DatabaseError):
            raw("UPDATE lifecycle_auditentry SET reason = 'x'")
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())
