"""Issue 10: an annual plan's counts and sums kept by the database (projects/models_tally.py).

Triggers on projects_project and projects_fundingline keep projects_plantally (per plan,
department and stage: projects and total investment) and projects_plansourcetally (per plan
and source of funds: lines and amounts) in the same statement as every write that moves them.
Amounts are kept in whole 分. A row whose count falls to 0 is deleted. A row being taken away
is only ever decremented (UPDATE), never created: a table emptied before the others (a test
database being flushed) stays empty. The tables are filled from the rows already there.
"""

import django.db.models.deletion
from django.db import migrations, models


def sqlite_fen(x):
    return f"CAST(ROUND(COALESCE({x}, 0) * 100) AS INTEGER)"


def _sqlite_tally(sign, r):
    """Add (sign +) or take away (sign -) project ``r`` (NEW or OLD) to its plan's tally."""
    if sign == "+":
        return f"""INSERT INTO projects_plantally (plan_id, owner_id, state, projects, total_fen)
            SELECT {r}.plan_id, {r}.owner_id, {r}.state, 1, {sqlite_fen(r + '.total_investment_yuan')}
            WHERE {r}.plan_id IS NOT NULL
            ON CONFLICT (plan_id, owner_id, state) DO UPDATE
            SET projects = projects + excluded.projects, total_fen = total_fen + excluded.total_fen;"""
    key = f"plan_id = {r}.plan_id AND owner_id = {r}.owner_id AND state = {r}.state"
    return f"""UPDATE projects_plantally SET projects = projects - 1,
            total_fen = total_fen - {sqlite_fen(r + '.total_investment_yuan')} WHERE {key};
        DELETE FROM projects_plantally WHERE {key} AND projects <= 0;"""


def _sqlite_source(sign, plan, r):
    """Add or take away funding line ``r`` to the tally of ``plan`` (an SQL expression)."""
    if sign == "+":
        return f"""INSERT INTO projects_plansourcetally (plan_id, source, lines, total_fen)
            SELECT {plan}, {r}.source, 1, {sqlite_fen(r + '.amount_yuan')} WHERE {plan} IS NOT NULL
            ON CONFLICT (plan_id, source) DO UPDATE
            SET lines = lines + excluded.lines, total_fen = total_fen + excluded.total_fen;"""
    key = f"plan_id = {plan} AND source = {r}.source"
    return f"""UPDATE projects_plansourcetally SET lines = lines - 1,
            total_fen = total_fen - {sqlite_fen(r + '.amount_yuan')} WHERE {key};
        DELETE FROM projects_plansourcetally WHERE {key} AND lines <= 0;"""


def _plan_of(r):
    return f"(SELECT plan_id FROM projects_project WHERE id = {r}.project_id)"


_LINES_OF_NEW = "FROM projects_fundingline f WHERE f.project_id = NEW.id"
SQLITE = [
    f"""CREATE TRIGGER plan_tally_project_insert AFTER INSERT ON projects_project
        WHEN NEW.plan_id IS NOT NULL BEGIN {_sqlite_tally('+', 'NEW')} END;""",
    f"""CREATE TRIGGER plan_tally_project_delete AFTER DELETE ON projects_project
        WHEN OLD.plan_id IS NOT NULL BEGIN {_sqlite_tally('-', 'OLD')} END;""",
    f"""CREATE TRIGGER plan_tally_project_update
        AFTER UPDATE OF plan_id, owner_id, state, total_investment_yuan ON projects_project
        WHEN OLD.plan_id IS NOT NEW.plan_id OR OLD.owner_id IS NOT NEW.owner_id OR OLD.state IS NOT NEW.state
          OR OLD.total_investment_yuan IS NOT NEW.total_investment_yuan
        BEGIN {_sqlite_tally('-', 'OLD')} {_sqlite_tally('+', 'NEW')} END;""",
    # A project moved to another plan (or out of one) takes its funding lines with it.
    f"""CREATE TRIGGER plan_source_tally_project_moved AFTER UPDATE OF plan_id ON projects_project
        WHEN OLD.plan_id IS NOT NEW.plan_id BEGIN
        UPDATE projects_plansourcetally SET
            lines = lines - (SELECT COUNT(*) {_LINES_OF_NEW} AND f.source = projects_plansourcetally.source),
            total_fen = total_fen - (SELECT COALESCE(SUM({sqlite_fen('f.amount_yuan')}), 0) {_LINES_OF_NEW}
                                     AND f.source = projects_plansourcetally.source)
          WHERE plan_id = OLD.plan_id AND source IN (SELECT f.source {_LINES_OF_NEW});
        DELETE FROM projects_plansourcetally WHERE plan_id = OLD.plan_id AND lines <= 0;
        INSERT INTO projects_plansourcetally (plan_id, source, lines, total_fen)
          SELECT NEW.plan_id, f.source, COUNT(*), SUM({sqlite_fen('f.amount_yuan')}) {_LINES_OF_NEW}
          AND NEW.plan_id IS NOT NULL GROUP BY f.source
          ON CONFLICT (plan_id, source) DO UPDATE
          SET lines = lines + excluded.lines, total_fen = total_fen + excluded.total_fen;
        END;""",
    f"""CREATE TRIGGER plan_source_tally_line_insert AFTER INSERT ON projects_fundingline
        BEGIN {_sqlite_source('+', _plan_of('NEW'), 'NEW')} END;""",
    f"""CREATE TRIGGER plan_source_tally_line_delete AFTER DELETE ON projects_fundingline
        BEGIN {_sqlite_source('-', _plan_of('OLD'), 'OLD')} END;""",
    f"""CREATE TRIGGER plan_source_tally_line_update
        AFTER UPDATE OF project_id, source, amount_yuan ON projects_fundingline
        WHEN OLD.project_id IS NOT NEW.project_id OR OLD.source IS NOT NEW.source
          OR OLD.amount_yuan IS NOT NEW.amount_yuan
        BEGIN {_sqlite_source('-', _plan_of('OLD'), 'OLD')} {_sqlite_source('+', _plan_of('NEW'), 'NEW')} END;""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "plan_tally_project_insert",
        "plan_tally_project_delete",
        "plan_tally_project_update",
        "plan_source_tally_project_moved",
        "plan_source_tally_line_insert",
        "plan_source_tally_line_delete",
        "plan_source_tally_line_update",
    )
]

PG_FEN = "ROUND(COALESCE({x}, 0) * 100)::bigint"
POSTGRES = [
    # Add ``n`` projects and ``fen`` to a tally row; a row is created only when adding.
    """CREATE OR REPLACE FUNCTION projects_plan_tally_add(p bigint, o bigint, s varchar, n integer, fen bigint)
       RETURNS void LANGUAGE plpgsql AS $$
       BEGIN
         IF p IS NULL THEN RETURN; END IF;
         IF n > 0 THEN
           INSERT INTO projects_plantally (plan_id, owner_id, state, projects, total_fen) VALUES (p, o, s, n, fen)
           ON CONFLICT (plan_id, owner_id, state) DO UPDATE
           SET projects = projects_plantally.projects + excluded.projects,
               total_fen = projects_plantally.total_fen + excluded.total_fen;
         ELSE
           UPDATE projects_plantally SET projects = projects + n, total_fen = total_fen + fen
             WHERE plan_id = p AND owner_id = o AND state = s;
           DELETE FROM projects_plantally WHERE plan_id = p AND owner_id = o AND state = s AND projects <= 0;
         END IF;
       END $$;""",
    """CREATE OR REPLACE FUNCTION projects_plan_source_tally_add(p bigint, s varchar, n integer, fen bigint)
       RETURNS void LANGUAGE plpgsql AS $$
       BEGIN
         IF p IS NULL OR n = 0 THEN RETURN; END IF;
         IF n > 0 THEN
           INSERT INTO projects_plansourcetally (plan_id, source, lines, total_fen) VALUES (p, s, n, fen)
           ON CONFLICT (plan_id, source) DO UPDATE
           SET lines = projects_plansourcetally.lines + excluded.lines,
               total_fen = projects_plansourcetally.total_fen + excluded.total_fen;
         ELSE
           UPDATE projects_plansourcetally SET lines = lines + n, total_fen = total_fen + fen
             WHERE plan_id = p AND source = s;
           DELETE FROM projects_plansourcetally WHERE plan_id = p AND source = s AND lines <= 0;
         END IF;
       END $$;""",
    # The two rows a change touches are touched in the order of their keys, so that two
    # transactions moving projects in opposite directions never wait for each other in a cycle.
    f"""CREATE OR REPLACE FUNCTION projects_plan_tally_project() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE line record;
       BEGIN
         IF TG_OP = 'INSERT' THEN
           PERFORM projects_plan_tally_add(NEW.plan_id, NEW.owner_id, NEW.state, 1,
                                           {PG_FEN.format(x='NEW.total_investment_yuan')});
         ELSIF TG_OP = 'DELETE' THEN
           PERFORM projects_plan_tally_add(OLD.plan_id, OLD.owner_id, OLD.state, -1,
                                           -{PG_FEN.format(x='OLD.total_investment_yuan')});
         ELSIF (NEW.plan_id, NEW.owner_id, NEW.state) < (OLD.plan_id, OLD.owner_id, OLD.state) THEN
           PERFORM projects_plan_tally_add(NEW.plan_id, NEW.owner_id, NEW.state, 1,
                                           {PG_FEN.format(x='NEW.total_investment_yuan')});
           PERFORM projects_plan_tally_add(OLD.plan_id, OLD.owner_id, OLD.state, -1,
                                           -{PG_FEN.format(x='OLD.total_investment_yuan')});
         ELSE
           PERFORM projects_plan_tally_add(OLD.plan_id, OLD.owner_id, OLD.state, -1,
                                           -{PG_FEN.format(x='OLD.total_investment_yuan')});
           PERFORM projects_plan_tally_add(NEW.plan_id, NEW.owner_id, NEW.state, 1,
                                           {PG_FEN.format(x='NEW.total_investment_yuan')});
         END IF;
         -- A project moved to another plan (or out of one) takes its funding lines with it.
         IF TG_OP = 'UPDATE' AND OLD.plan_id IS DISTINCT FROM NEW.plan_id THEN
           FOR line IN SELECT f.source, COUNT(*)::integer AS n,
                              SUM({PG_FEN.format(x='f.amount_yuan')})::bigint AS fen
                         FROM projects_fundingline f WHERE f.project_id = NEW.id GROUP BY f.source ORDER BY f.source
           LOOP
             PERFORM projects_plan_source_tally_add(OLD.plan_id, line.source, -line.n, -line.fen);
             PERFORM projects_plan_source_tally_add(NEW.plan_id, line.source, line.n, line.fen);
           END LOOP;
         END IF;
         RETURN NULL;
       END $$;""",
    f"""CREATE OR REPLACE FUNCTION projects_plan_source_tally_line() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('UPDATE', 'DELETE') THEN
           PERFORM projects_plan_source_tally_add(
             (SELECT plan_id FROM projects_project WHERE id = OLD.project_id), OLD.source, -1,
             -{PG_FEN.format(x='OLD.amount_yuan')});
         END IF;
         IF TG_OP IN ('UPDATE', 'INSERT') THEN
           PERFORM projects_plan_source_tally_add(
             (SELECT plan_id FROM projects_project WHERE id = NEW.project_id), NEW.source, 1,
             {PG_FEN.format(x='NEW.amount_yuan')});
         END IF;
         RETURN NULL;
       END $$;""",
    """CREATE TRIGGER plan_tally_project_insert_delete AFTER INSERT OR DELETE ON projects_project
       FOR EACH ROW EXECUTE FUNCTION projects_plan_tally_project();""",
    """CREATE TRIGGER plan_tally_project_update
       AFTER UPDATE OF plan_id, owner_id, state, total_investment_yuan ON projects_project FOR EACH ROW
       WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id OR OLD.owner_id IS DISTINCT FROM NEW.owner_id
             OR OLD.state IS DISTINCT FROM NEW.state
             OR OLD.total_investment_yuan IS DISTINCT FROM NEW.total_investment_yuan)
       EXECUTE FUNCTION projects_plan_tally_project();""",
    """CREATE TRIGGER plan_source_tally_line_insert_delete AFTER INSERT OR DELETE ON projects_fundingline
       FOR EACH ROW EXECUTE FUNCTION projects_plan_source_tally_line();""",
    """CREATE TRIGGER plan_source_tally_line_update
       AFTER UPDATE OF project_id, source, amount_yuan ON projects_fundingline FOR EACH ROW
       WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.source IS DISTINCT FROM NEW.source
             OR OLD.amount_yuan IS DISTINCT FROM NEW.amount_yuan)
       EXECUTE FUNCTION projects_plan_source_tally_line();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS plan_tally_project_insert_delete ON projects_project;",
    "DROP TRIGGER IF EXISTS plan_tally_project_update ON projects_project;",
    "DROP TRIGGER IF EXISTS plan_source_tally_line_insert_delete ON projects_fundingline;",
    "DROP TRIGGER IF EXISTS plan_source_tally_line_update ON projects_fundingline;",
    "DROP FUNCTION IF EXISTS projects_plan_tally_project();",
    "DROP FUNCTION IF EXISTS projects_plan_source_tally_line();",
    "DROP FUNCTION IF EXISTS projects_plan_tally_add(bigint, bigint, varchar, integer, bigint);",
    "DROP FUNCTION IF EXISTS projects_plan_source_tally_add(bigint, varchar, integer, bigint);",
]


def _fill(fen):
    return [
        f"""INSERT INTO projects_plantally (plan_id, owner_id, state, projects, total_fen)
            SELECT plan_id, owner_id, state, COUNT(*), SUM({fen.format(x='total_investment_yuan')})
            FROM projects_project WHERE plan_id IS NOT NULL GROUP BY plan_id, owner_id, state;""",
        f"""INSERT INTO projects_plansourcetally (plan_id, source, lines, total_fen)
            SELECT p.plan_id, f.source, COUNT(*), SUM({fen.format(x='f.amount_yuan')})
            FROM projects_fundingline f JOIN projects_project p ON p.id = f.project_id
            WHERE p.plan_id IS NOT NULL GROUP BY p.plan_id, f.source;""",
    ]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE + _fill(sqlite_fen("{x}"))
    elif vendor == "postgresql":
        statements = POSTGRES + _fill(PG_FEN)
    else:
        raise NotImplementedError(f"the plan tallies' triggers are written for SQLite and PostgreSQL, not {vendor}")
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0023_project_search_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanSourceTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(max_length=16, verbose_name='资金来源')),
                ('lines', models.IntegerField(verbose_name='资金来源条数')),
                ('total_fen', models.BigIntegerField(verbose_name='金额（分）')),
                ('plan', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.annualplan')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('plan', 'source'), name='plan_source_tally_key')],
            },
        ),
        migrations.CreateModel(
            name='PlanTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(max_length=32, verbose_name='阶段')),
                ('projects', models.IntegerField(verbose_name='项目数')),
                ('total_fen', models.BigIntegerField(verbose_name='总投资（分）')),
                ('owner', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.organisation')),
                ('plan', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.annualplan')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('plan', 'owner', 'state'), name='plan_tally_key')],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
