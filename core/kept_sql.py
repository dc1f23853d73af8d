"""SQL kept per process under a key that names everything it is built from (issue 10): for
a query a page runs on every visit whose building and compiling in Django costs more than
running it. Bounded: cleared when full. Used by the home queues
(projects/selectors.py ``_capped``) and the header's unread count
(projects/notifications.py ``unread_count``)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections

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
