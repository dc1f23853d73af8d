"""SQL kept per process under a key that names everything it is built from (issue 10): for
a query a page runs on every visit whose building and compiling in Django costs more than
running it. Bounded: cleared when full. Used by the home queues
(projects/selectors.py ``_capped_ask``) and the header's unread count
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

    def ask(self, db: str, key: Hashable | None, build: Callable[[], Compiled]) -> Ask:
        """The kept SQL on database ``db``, to run with others (``together``): its rows."""
        sql, params = self.get(key, build)
        return Ask(db, sql, params, list)


class Ask(NamedTuple):
    """One query to run with others (``together``): SQL and parameters on a database and what
    makes the answer of its rows — or, for what kept SQL cannot hold, ``plain``, the answer
    made as Django makes it."""

    db: str
    sql: str
    params: tuple[Any, ...]
    finish: Callable[[list[Any]], Any]
    plain: Callable[[], Any] | None = None


def answered(value: Any) -> Ask:
    """An ``Ask`` whose answer is known already (``value``): no query."""
    return Ask("", "", (), list, plain=lambda: value)


def then(ask: Ask, step: Callable[[Any], Any]) -> Ask:
    """``ask`` whose answer goes through ``step`` (to remember it, say)."""
    if ask.plain is not None:
        plain = ask.plain
        return ask._replace(plain=lambda: step(plain()))
    finish = ask.finish
    return ask._replace(finish=lambda rows: step(finish(rows)))


def together(asks: Sequence[Ask]) -> list[Any]:
    """The answers of ``asks``. Sent to PostgreSQL together in one pipeline (psycopg's pipeline
    mode): one round trip to the server instead of one per query (issue 10: the project page's
    twenty small queries spent more time travelling than being answered); elsewhere, one by
    one. Each runs through Django's cursor (its query log and wrappers see it)."""
    sent = [a for a in asks if a.plain is None]
    rows: dict[int, list[Any]] = {}
    if len(sent) > 1 and len({a.db for a in sent}) == 1 and connections[sent[0].db].vendor == "postgresql":
        connection = connections[sent[0].db]
        connection.ensure_connection()
        cursors = []
        # A failure surfaces when the pipeline is synced, outside Django's cursor: turned into
        # Django's exceptions here, as the cursor would.
        with connection.wrap_database_errors:
            with connection.connection.pipeline():
                for n, a in enumerate(asks):
                    if a.plain is None:
                        cursor = connection.cursor()
                        cursor.execute(a.sql, a.params)
                        cursors.append((n, cursor))
            for n, cursor in cursors:
                with cursor:
                    rows[n] = cursor.fetchall()
    out = []
    for n, a in enumerate(asks):
        if a.plain is not None:
            out.append(a.plain())
            continue
        if n not in rows:
            with connections[a.db].cursor() as cursor:
                cursor.execute(a.sql, a.params)
                rows[n] = cursor.fetchall()
        out.append(a.finish(rows[n]))
    return out


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
        (found,) = together([self.ask(key, build, *values)])
        return found

    def ask(self, key: Hashable | None, build: Callable[..., Any], *values: int) -> Ask:
        """``list(build(*values))`` as an ``Ask``, to run with others (``together``)."""
        if key is None or not _bindable(values):
            # Not whole numbers a column holds (e.g. a 20-digit id from an address): as Django
            # answers them (no row), not bound into kept SQL the database would refuse.
            return _plain(build, values)
        return self._ask(key, build, values)

    def _ask(self, key: Hashable, build: Callable[..., Any], values: Sequence[int | None]) -> Ask:
        shape = self._kept.get(key)
        if shape is None:
            try:
                shape = self._shape(build, len(values))
            except EmptyResultSet:  # a query that cannot match (``.none()``): nothing to keep
                return _plain(build, values)
            if len(self._kept) >= self.limit:
                self._kept.clear()
            self._kept[key] = shape
        params = list(shape.params)
        for position, n in shape.slots:
            params[position] = values[n]
        bound = tuple(params)
        return Ask(shape.queryset.db, shape.sql, bound, lambda rows: list(_answer(shape, bound, rows)))

    def list_in(self, key: Hashable, build: Callable[..., Any], ids: Sequence[int]) -> builtins.list[Any]:
        """``list(build(*ids))`` for a list of ids that ``build`` only tests membership of
        (``__in``), from kept SQL (``ask_in``)."""
        (found,) = together([self.ask_in(key, build, ids)])
        return found

    def ask_in(self, key: Hashable, build: Callable[..., Any], ids: Sequence[int]) -> Ask:
        """``list_in`` as an ``Ask``. The SQL is kept per ``key`` and a few lengths of list —
        the ids are bound followed by NULLs up to a multiple of ``PAD_STEP``, which match no
        row. NULL, not a repeated id: PostgreSQL estimates ``x IN (40, 40, …)`` as eight
        departments' rows and chose to scan every clock for one department's record (4 ms
        instead of 0.3 ms). No ids, no query (Django's answer to an empty ``IN``)."""
        ids = builtins.list(ids)
        if not ids or not _bindable(ids):
            return _plain(build, ids)
        pads: builtins.list[int | None] = [None] * (-len(ids) % PAD_STEP)
        return self._ask((key, len(ids) + len(pads)), build, [*ids, *pads])


def _plain(build: Callable[..., Any], values: Sequence[Any]) -> Ask:
    return Ask("", "", (), list, plain=lambda: list(build(*values)))


def _answer(shape: _Shape, params: tuple[Any, ...], rows: list[Any]) -> Any:
    """The kept queryset with ``params`` bound, its rows already fetched: Django's iterables
    make of them what they make of a cursor's (model instances, ``select_related``, values)."""
    queryset = shape.queryset._chain()
    compiler = copy.copy(shape.compiler)
    compiler.connection = connections[queryset.db]
    compiler.as_sql = lambda *args, **kwargs: (shape.sql, params)
    if compiler.has_extra_select:  # as SQLCompiler.execute_sql trims them
        rows = [row[: compiler.col_count] for row in rows]

    def execute_sql(result_type: str = MULTI, *args: Any, **kwargs: Any) -> Any:
        if result_type != MULTI:
            raise ValueError(f"kept rows answer a list of rows, not {result_type}")
        return iter([rows])

    compiler.execute_sql = execute_sql
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return queryset


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
        if self.known is None:
            (self.known,) = together([self.count_ask()])
        return self.known

    def count_ask(self) -> Ask:
        """The count as an ``Ask``, to send with a page's other queries; its answer becomes
        ``known``."""

        def counted(*values: int) -> Any:
            return (
                self.build(*values)
                .order_by()
                .values_list(Func(template="COUNT(*)", output_field=IntegerField()), flat=True)
            )

        def remember(found: list[Any]) -> int:
            self.known = int(found[0]) if found else 0  # none at all: a query that cannot match
            return self.known

        return then(self.kept.ask(("count", self.key), counted, *self.values), remember)

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        return self.kept.list(
            ("slice", start, stop, self.key), lambda *v: self.build(*v)[start:stop], *self.values
        )
