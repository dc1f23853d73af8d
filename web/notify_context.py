"""Issue 12: the unread count of the header (templates/base.html), at most one query, and
only on a page that shows it (a callable the template evaluates where it asks)."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from projects import notifications as notify


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = request.user

    @functools.cache
    def unread() -> int:
        if not user.is_authenticated or not getattr(user, "organisation_id", None):
            return 0
        return notify.unread_count(user)

    return {"unread_notifications": unread}
