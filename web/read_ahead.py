"""What most pages read of the person besides their own rows, as asks a page sends with its
own queries (issue 10: one round trip to PostgreSQL instead of one each, core.kept_sql.together).

* the header's unread count (issue 12), remembered on the person object for the header;
* the delegations lent to the person today (issue 12, 代办), remembered on the person object
  for every role check after it (lifecycle.acting) — asked only of a person whose own role
  reviews nothing, the one whose checks ask for them.
"""

from __future__ import annotations

from typing import Any

from core.kept_sql import Ask
from lifecycle import acting
from lifecycle.rules import REVIEWERS
from projects import notifications as notify


def person_asks(user: Any) -> list[Ask]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [notify.unread_ask(user, remember=True), *acting.holds_asks(user, REVIEWERS)]
