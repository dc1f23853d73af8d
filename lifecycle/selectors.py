"""Read-side queries about deadlines (办法第十、十八、二十五、二十九、三十三条 clocks)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from core import timeutil

from .models import Clock
from .workdays import add_working_days


def running_clocks() -> QuerySet[Clock]:
    return Clock.objects.filter(stopped_on__isnull=True, paused_on__isnull=True).select_related(
        "project", "plan"
    )


def _due(qs: QuerySet[Clock], op: str, day: datetime.date) -> QuerySet[Clock]:
    # A granted extension replaces the original date (Clock.effective_due_on).
    return qs.filter(
        Q(extended_to__isnull=True, **{f"due_on__{op}": day})
        | Q(extended_to__isnull=False, **{f"extended_to__{op}": day})
    )


def clocks_overdue(today: datetime.date | None = None) -> QuerySet[Clock]:
    """Running clocks whose (extended) deadline has passed."""
    return _due(running_clocks(), "lt", today or timeutil.today()).order_by("due_on", "pk")


def clocks_due_soon(today: datetime.date | None = None, working_days: int = 5) -> QuerySet[Clock]:
    """Running clocks due from today up to ``working_days`` working days ahead."""
    today = today or timeutil.today()
    horizon = add_working_days(today, working_days).date
    return _due(_due(running_clocks(), "gte", today), "lte", horizon).order_by("due_on", "pk")
