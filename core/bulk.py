"""Writing many rows in few statements (issue 10).

Django's ``bulk_update`` writes each column as a ``CASE WHEN pk = … THEN … END`` over the
batch: for thousands of rows, building and resolving those expressions in Python costs more
than the database takes to run them (entering a year's holidays rewrote 3,500 clocks' dates in
1.4 s, most of it in Django). ``update_rows`` sends the same values as a ``VALUES`` list joined
to the table (``UPDATE … SET c = v.column2 … FROM (VALUES …) AS v WHERE id = v.column1``), which
PostgreSQL and SQLite (3.33 and later) both run; each value is prepared by its field as a save
would prepare it. Like ``bulk_update`` it sends no signal and calls no ``save()``.

``insert_rows`` is ``bulk_create`` for new rows whose ids nobody reads afterwards. On SQLite,
the same values (each field's ``pre_save`` and ``get_db_prep_save``, as Django's insert
prepares them) in a plain ``INSERT … VALUES`` list: Django compiles an insert field by field
and value by value, which for 10,000 audit rows took twice as long as the database did to
store them. On PostgreSQL, Django's own insert (each column sent as one array).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import AutoField, QuerySet

#: Rows per statement (each row binds one value per column and its id).
BATCH = 500


def update_rows(model: Any, objs: Sequence[Any], fields: Sequence[str], batch: int = BATCH) -> int:
    """Write ``fields`` of each of ``objs`` (instances of ``model`` with a primary key) to its row,
    one statement per ``batch`` rows. Returns the number of rows written."""
    if not objs:
        return 0
    db = router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    # PostgreSQL types a VALUES list from its literals; each value is cast to its column's type
    # (SQLite would read a cast to "date" as a number: there the column's affinity decides).
    if connection.vendor == "postgresql":
        cast = [f"CAST(v.column{n + 2} AS {field.db_type(connection)})" for n, field in enumerate(columns)]
        key = f"CAST(v.column1 AS {pk.rel_db_type(connection)})"
    else:
        cast = [f"v.column{n + 2}" for n in range(len(columns))]
        key = "v.column1"
    sets = ", ".join(f"{quote(field.column)} = {value}" for field, value in zip(columns, cast, strict=True))
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"

    def values(obj: Any) -> list[Any]:
        prepared = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        return [pk.get_db_prep_save(obj.pk, connection), *prepared]

    def statement(n: int) -> str:
        return (
            f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row] * n)}) AS v "
            f"WHERE {table}.{quote(pk.column)} = {key}"
        )

    return _in_batches(connection, objs, len(columns) + 1, batch, values, statement)


def insert_rows(model: Any, objs: Sequence[Any], batch: int = BATCH) -> int:
    """Insert ``objs`` (new instances of ``model``, no primary key set) in one statement per
    ``batch`` rows; their ids are not read back. Returns the number of rows inserted."""
    if not objs:
        return 0
    db = router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.generated and not isinstance(f, AutoField)]
    if any(hasattr(f, "get_placeholder") for f in fields) or any(o.pk is not None for o in objs):
        raise ValueError(f"insert_rows: {meta.label} needs Django's own insert (bulk_create)")
    if connection.vendor == "postgresql":
        # There Django sends each column as one array (INSERT … SELECT FROM UNNEST): psycopg
        # parsing a VALUES list of 180,000 placeholders took longer than Django's compiling.
        # A plain QuerySet: a model's own bulk_create (the audit trail's links rows) is not
        # run a second time.
        QuerySet(model, using=db).bulk_create(list(objs), batch_size=batch)
        return len(objs)
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"

    def values(obj: Any) -> list[Any]:
        obj._prepare_related_fields_for_save(operation_name="insert_rows")
        return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]

    return _in_batches(connection, objs, len(fields), batch, values, lambda n: head + ", ".join([row] * n))


def rows_per_statement(connection: Any, width: int, batch: int) -> int:
    """``batch``, or fewer where the database takes fewer parameters in a statement than
    ``batch`` rows of ``width`` parameters each (SQLite's own limit: core.sqlite_limits)."""
    limit = connection.features.max_query_params
    return max(1, min(batch, limit // width)) if limit else batch


def _in_batches(
    connection: Any,
    objs: Sequence[Any],
    width: int,
    batch: int,
    values: Callable[[Any], list[Any]],
    statement: Callable[[int], str],
) -> int:
    """Run ``statement(n)`` — SQL for ``n`` rows of ``width`` parameters — with the ``values`` of
    each of ``objs``, ``batch`` rows at a time (fewer where the database takes fewer parameters:
    SQLite's own limit, core.sqlite_limits). Returns the rows the database counted."""
    batch = rows_per_statement(connection, width, batch)
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            some = objs[start : start + batch]
            cursor.execute(statement(len(some)), [v for obj in some for v in values(obj)])
            done += cursor.rowcount
    return done
