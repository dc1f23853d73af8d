"""SQL kept per process under a key that names everything it is built from (issue 10): for
a query a page runs on every visit whose building and compiling in Django costs more than
running it. Bounded: cleared when full. Used by the home queues
(projects/selectors.py ``_capped``) and the header's unread count
(projects/notifications.py ``unread_count``); ``KeptQueries`` and ``KeptPages`` keep the
compiled querysets of the project, plan and home pages and the track records (docs/scale.md,
"SQL compiled once per process")."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Func, IntegerField
from django.db.models.sql.constants import MULTI

Compiled = tuple[str, tuple[Any, ...]]


def compiled(qs: Any) -> Compiled:
    """(SQL, parameters) of a queryset, as its database runs it."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, tuple(params)


class KeptSQL:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: dict[Hashable, Compiled] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()

    def get(self, key: Hashable | None, build: Callable[[], Compiled]) -> Compiled:
        """The SQL kept under ``key``, built (and kept) the first time; built every time
        when ``key`` is None."""
        if key is None:
            return build()
        found = self._kept.get(key)
        if found is None:
            found = build()
            if len(self._kept) >= self.limit:
                self._kept.clear()
            self._kept[key] = found
        return found

    def fetch(self, db: str, key: Hashable | None, build: Callable[[], Compiled]) -> list[tuple[Any, ...]]:
        """The rows of the kept SQL on database ``db``."""
        with connections[db].cursor() as cursor:
            cursor.execute(*self.get(key, build))
            return cursor.fetchall()


#: Stand-ins for the whole numbers a kept query binds (``KeptQueries``): values no row id,
#: year or amount takes, each found among a compiled query's parameters and replaced there.
_SLOTS = tuple(-1_987_654_301 - n for n in range(64))
_SLOT_AT = {value: n for n, value in enumerate(_SLOTS)}
_BIGINT = (-(2**63), 2**63 - 1)


class _Shape(NamedTuple):
    queryset: Any
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position among the parameters, which value)


#: ``KeptQueries.list_in`` asks for lists of ids of a multiple of this length.
PAD_STEP = 8


class KeptQueries:
    """Querysets whose compiled SQL is kept per process, by a key that names everything the
    SQL is built from except some whole numbers (a project's id, a person's): ``list(key,
    build, *values)`` builds ``build(*stand-ins)`` once, compiles it, remembers where each
    stand-in sits among the parameters, and from then on runs the kept SQL with ``values``
    in their places. The rows come as ``list(queryset)`` would give them — the same model
    instances, ``select_related`` and ``prefetch_related`` included — through Django's own
    iterables, whose compiler is a copy of the kept one on this thread's connection.

    Issue 10: the project page's thirty small queries cost ~0.25 ms each to build and
    compile in Django, more than the database took to answer them. A list, never a lazy
    queryset, is returned: a query changed afterwards (sliced, filtered) cannot silently run
    the kept SQL."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: dict[Hashable, _Shape] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()

    def _shape(self, build: Callable[..., Any], arity: int) -> _Shape:
        queryset = build(*_SLOTS[:arity])
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = tuple((i, _SLOT_AT[p]) for i, p in enumerate(params) if type(p) is int and p in _SLOT_AT)
        missing = set(range(arity)) - {n for _, n in slots}
        if missing:
            raise ValueError(f"kept query: value {sorted(missing)} is not a parameter of {sql[:120]}")
        return _Shape(queryset, compiler, sql, tuple(params), slots)

    def list(self, key: Hashable | None, build: Callable[..., Any], *values: int) -> list[Any]:
        """``list(build(*values))``, from SQL kept under ``key`` (built afresh when ``key`` is
        None). ``build`` must make the same SQL for the same ``key`` whatever ``values``."""
        if key is None or not _bindable(values):
            # Not whole numbers a column holds (e.g. a 20-digit id from an address): as Django
            # answers them (no row), not bound into kept SQL the database would refuse.
            return list(build(*values))
        return self._run(key, build, values)

    def _kept_shape(self, key: Hashable, build: Callable[..., Any], arity: int) -> _Shape | None:
        """The kept shape of ``key``, compiled now if new; None for a query that cannot match
        (``.none()``: nothing to keep)."""
        shape = self._kept.get(key)
        if shape is None:
            try:
                shape = self._shape(build, arity)
            except EmptyResultSet:
                return None
            if len(self._kept) >= self.limit:
                self._kept.clear()
            self._kept[key] = shape
        return shape

    @staticmethod
    def _bound(shape: _Shape, values: Sequence[int | None]) -> tuple[Any, ...]:
        params = list(shape.params)
        for position, n in shape.slots:
            params[position] = values[n]
        return tuple(params)

    @staticmethod
    def _queryset(shape: _Shape, params: tuple[Any, ...], fetched: builtins.list[Any] | None = None) -> Any:
        """The kept queryset with ``params`` bound; with ``fetched``, rows the database has
        already answered (``many``), handed to Django's iterables as its cursor would."""
        queryset = shape.queryset._chain()
        compiler = copy.copy(shape.compiler)
        compiler.connection = connections[queryset.db]
        compiler.as_sql = lambda *args, **kwargs: (shape.sql, params)
        if fetched is not None:
            if compiler.has_extra_select:  # as SQLCompiler.execute_sql trims them
                fetched = [row[: compiler.col_count] for row in fetched]
            rows = fetched

            def execute_sql(result_type: str = MULTI, *args: Any, **kwargs: Any) -> Any:
                if result_type != MULTI:
                    raise ValueError(f"kept rows answer a list of rows, not {result_type}")
                return iter([rows])

            compiler.execute_sql = execute_sql
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset

    def _run(
        self, key: Hashable, build: Callable[..., Any], values: Sequence[int | None]
    ) -> builtins.list[Any]:
        shape = self._kept_shape(key, build, len(values))
        if shape is None:
            return list(build(*values))
        return list(self._queryset(shape, self._bound(shape, values)))

    def many(self, asks: Sequence[tuple[Hashable, Callable[..., Any], Sequence[int]]]) -> builtins.list[Any]:
        """``[self.list(key, build, *values) for key, build, values in asks]``, the queries
        sent to PostgreSQL together in one pipeline (psycopg's pipeline mode): one round trip
        to the server instead of one per query (issue 10: the project page's twenty small
        queries spent more time travelling than being answered). Elsewhere, one by one."""
        shapes: builtins.list[tuple[_Shape, tuple[Any, ...]] | None] = []
        for key, build, values in asks:
            shape = self._kept_shape(key, build, len(values)) if _bindable(values) else None
            shapes.append((shape, self._bound(shape, values)) if shape is not None else None)
        kept = [s for s in shapes if s is not None]
        dbs = {s.queryset.db for s, _params in kept}
        fetched: dict[int, builtins.list[Any]] = {}
        if len(kept) > 1 and len(dbs) == 1:
            connection = connections[dbs.pop()]
            if connection.vendor == "postgresql":
                connection.ensure_connection()
                cursors = []
                with connection.connection.pipeline():
                    for n, found in enumerate(shapes):
                        if found is not None:
                            cursor = connection.cursor()
                            cursor.execute(found[0].sql, found[1])
                            cursors.append((n, cursor))
                for n, cursor in cursors:
                    with cursor:
                        fetched[n] = cursor.fetchall()
        out: builtins.list[Any] = []
        for n, ((_key, build, values), found) in enumerate(zip(asks, shapes, strict=True)):
            if found is None:
                out.append(list(build(*values)))
            else:
                out.append(list(self._queryset(found[0], found[1], fetched.get(n))))
        return out

    def list_in(self, key: Hashable, build: Callable[..., Any], ids: Sequence[int]) -> builtins.list[Any]:
        """``list(build(*ids))`` for a list of ids that ``build`` only tests membership of
        (``__in``): the SQL is kept per ``key`` and a few lengths of list — the ids are bound
        followed by NULLs up to a multiple of ``PAD_STEP``, which match no row. NULL, not a
        repeated id: PostgreSQL estimates ``x IN (40, 40, …)`` as eight departments' rows and
        chose to scan every clock for one department's record (4 ms instead of 0.3 ms). No
        ids, no query (Django's answer to an empty ``IN``)."""
        ids = list(ids)
        if not ids or not _bindable(ids):
            return list(build(*ids))
        pads: list[int | None] = [None] * (-len(ids) % PAD_STEP)
        return self._run((key, len(ids) + len(pads)), build, [*ids, *pads])


def _bindable(values: Sequence[Any]) -> bool:
    """Whether ``values`` may be bound into kept SQL: whole numbers a bigint column holds, no
    more of them than there are stand-ins."""
    return len(values) <= len(_SLOTS) and all(
        type(v) is int and _BIGINT[0] <= v <= _BIGINT[1] for v in values
    )


class KeptPages:
    """What ``django.core.paginator.Paginator`` reads of a queryset — its count and a slice —
    from SQL kept in ``kept`` under ``key`` with ``values`` bound (``KeptQueries.list``): a
    page of a long list runs two kept queries instead of compiling two. The key of a slice
    carries its bounds (a LIMIT is written into the SQL). ``known``: the number of rows, when
    the caller has it already (a count the database keeps): no count query then."""

    def __init__(
        self,
        kept: KeptQueries,
        key: Hashable,
        build: Callable[..., Any],
        *values: int,
        known: int | None = None,
    ) -> None:
        self.kept, self.key, self.build, self.values, self.known = kept, key, build, values, known

    def count(self) -> int:
        if self.known is not None:
            return self.known

        def counted(*values: int) -> Any:
            return (
                self.build(*values)
                .order_by()
                .values_list(Func(template="COUNT(*)", output_field=IntegerField()), flat=True)
            )

        found = self.kept.list(("count", self.key), counted, *self.values)
        return int(found[0]) if found else 0  # none at all: a query that cannot match

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        return self.kept.list(
            ("slice", start, stop, self.key), lambda *v: self.build(*v)[start:stop], *self.values
        )
