"""``pk__any_of=<subquery>``: membership in a subquery's rows that PostgreSQL can answer from an
index even inside an ``OR`` (issue 10).

``x IN (SELECT …)`` beside another condition (``owner_id = 12 OR id IN (SELECT project_id …)``,
a department's projects and those it takes part in) becomes a *hashed SubPlan* on PostgreSQL,
which no index serves: the planner estimated half the projects and scanned all 10,000 for a
department's list (9.3 ms). ``x = ANY(ARRAY(SELECT …))`` is computed once (an InitPlan) and is
an index condition: a BitmapOr of the two indexes, the 266 rows estimated as found (1.5 ms).
Elsewhere (SQLite) it is Django's ``IN``, which SQLite already answers from both indexes.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import In


@models.BigAutoField.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if self.rhs_is_direct_value():  # a list of values: as ``__in``
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
