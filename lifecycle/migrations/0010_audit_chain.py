"""Issue 9: the audit trail becomes a hash chain (lifecycle/chain.py). The rows written
before it are linked in the order of their numbers. The triggers that refuse UPDATE and DELETE
(0003) are lifted for the backfill only and put back, on SQLite and PostgreSQL alike.

It runs after every other migration of the apps that write audit rows, so the rows their data
migrations wrote (projects 0007_supervision) are linked too."""

from django.db import migrations, models

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS lifecycle_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS lifecycle_auditentry_no_delete;",
]
SQLITE_CREATE = [
    """CREATE TRIGGER lifecycle_auditentry_no_update BEFORE UPDATE ON lifecycle_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;""",
    """CREATE TRIGGER lifecycle_auditentry_no_delete BEFORE DELETE ON lifecycle_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;""",
]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS lifecycle_auditentry_no_change ON lifecycle_auditentry;"]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION lifecycle_auditentry_immutable() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are immutable'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER lifecycle_auditentry_no_change BEFORE UPDATE OR DELETE ON lifecycle_auditentry
       FOR EACH ROW EXECUTE FUNCTION lifecycle_auditentry_immutable();""",
]


def _run(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def lift_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


def restore_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP + SQLITE_CREATE, "postgresql": POSTGRES_DROP + POSTGRES_CREATE})


def link_existing(apps, schema_editor):
    from lifecycle import chain

    AuditEntry = apps.get_model("lifecycle", "AuditEntry")
    prev = ""
    for row in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        row_hash = chain.digest(prev, row)
        AuditEntry.objects.filter(pk=row.pk).update(prev_hash=prev, row_hash=row_hash)
        prev = row_hash


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0009_evaluation"),
        ("projects", "0011_evaluation"),
        ("documents", "0007_alter_filing_kind"),
    ]

    operations = [
        migrations.RunPython(lift_triggers, restore_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=80, verbose_name="前一条记录摘要"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_hash",
            field=models.CharField(blank=True, editable=False, max_length=80, verbose_name="本条记录摘要"),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
        migrations.RunPython(restore_triggers, lift_triggers),
    ]
