"""The date and time at which a step takes effect.

Normally "now". Entering a project's history after the fact (loading demo data, or
migrating a project that started before the system existed) runs the steps inside
``as_of(day)``: the steps, clocks and opinions carry that day, while each audit row keeps
the real time it was written and records the effective day under ``data["as_of"]``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime

from django.utils import timezone

_as_of: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("as_of", default=None)


def effective_day() -> datetime.date | None:
    return _as_of.get()


def today() -> datetime.date:
    return _as_of.get() or timezone.localdate()


def now() -> datetime.datetime:
    day = _as_of.get()
    if day is None:
        return timezone.now()
    local = timezone.localtime()
    return local.replace(year=day.year, month=day.month, day=day.day)


@contextlib.contextmanager
def as_of(day: datetime.date):
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)
