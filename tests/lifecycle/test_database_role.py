"""docs/deploy.md: in production the application connects as a role that owns nothing. After
deploy/grants.sql that role can still do its work, but cannot erase or rewrite the audit trail
underneath the application: no TRUNCATE, no UPDATE or DELETE of audit rows, no disabling or
dropping of the triggers, no replica mode (issue 9). PostgreSQL only."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from lifecycle import audit
from lifecycle.models import AuditEntry
from projects.models import Organisation

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")

GRANTS = Path(__file__).resolve().parents[2] / "deploy" / "grants.sql"


@pytest.fixture
def app_role(db):
    """A fresh role with the grants of deploy/grants.sql, taken for the rest of the test's
    transaction (rolled back with it)."""
    role = f"xmgl_app_{uuid.uuid4().hex[:8]}"
    lines = GRANTS.read_text().replace("xmgl_app", role).splitlines()
    sql = "\n".join(line for line in lines if not line.startswith("--"))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for statement in filter(str.strip, sql.split(";")):
            cursor.execute(statement)
        cursor.execute(f"SET LOCAL ROLE {role}")
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(error.value)


def test_the_application_role_does_its_work(app_role, orgs, people):
    entry = audit.record_access(action="auth.login", label="登录", actor=people.owner_head)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    Organisation.objects.filter(pk=orgs["owner"].pk).update(name="黑龙江省教育厅（改）")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role


def test_the_application_role_cannot_erase_or_rewrite_the_trail(app_role, orgs, people):
    audit.record_access(action="auth.login", label="登录", actor=people.owner_head)
    assert "permission denied" in refused("TRUNCATE lifecycle_auditentry CASCADE")
    assert "permission denied" in refused("UPDATE lifecycle_auditentry SET reason = 'x'")
    assert "permission denied" in refused("DELETE FROM lifecycle_auditentry")
    assert "must be owner" in refused("ALTER TABLE lifecycle_auditentry DISABLE TRIGGER ALL")
    assert "must be owner" in refused("DROP TRIGGER lifecycle_auditentry_no_change ON lifecycle_auditentry")
    assert "permission denied" in refused("SET session_replication_role = replica")
    assert "permission denied" in refused("CREATE TABLE lifecycle_copy_of_audit (id int)")
    assert "permission denied" in refused("TRUNCATE projects_project CASCADE")
