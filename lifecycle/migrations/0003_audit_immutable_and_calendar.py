"""The audit trail refuses UPDATE and DELETE in the database itself, and the working-day
calendar is seeded from the chinese-calendar package (2004–2026)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER lifecycle_auditentry_no_update BEFORE UPDATE ON lifecycle_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;""",
    """CREATE TRIGGER lifecycle_auditentry_no_delete BEFORE DELETE ON lifecycle_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS lifecycle_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS lifecycle_auditentry_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION lifecycle_auditentry_immutable() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are immutable'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER lifecycle_auditentry_no_change BEFORE UPDATE OR DELETE ON lifecycle_auditentry
       FOR EACH ROW EXECUTE FUNCTION lifecycle_auditentry_immutable();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS lifecycle_auditentry_no_change ON lifecycle_auditentry;",
    "DROP FUNCTION IF EXISTS lifecycle_auditentry_immutable();",
]


def add_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def seed_calendar(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("lifecycle", "CalendarDay")
    CalendarYear = apps.get_model("lifecycle", "CalendarYear")
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    rows = [CalendarDay(date=d, is_workday=False, name=str(n)) for d, n in constants.holidays.items() if d.weekday() < 5]
    rows += [CalendarDay(date=d, is_workday=True, name=str(n)) for d, n in constants.workdays.items() if d.weekday() >= 5]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source="chinese-calendar") for y in years],
                                     ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0002_initial")]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
    ]
