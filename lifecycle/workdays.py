"""Working days (工作日) on the official Chinese holiday calendar.

A day is a working day when the calendar table says so; otherwise Monday to Friday are.
The table holds only the exceptions (weekday holidays, weekend make-up days) of the years
listed in ``CalendarYear``. Seeded from the ``chinese-calendar`` package (2004–2026);
administrators enter later years when the State Council publishes them
(``services.calendar_year_enter``).

A count that runs through a year with no data uses weekends only and is *provisional*.
"""

from __future__ import annotations

import calendar as _cal
import datetime
import functools
from typing import Any, NamedTuple

from chinese_calendar import constants

from core.kept_sql import Ask, KeptQueries, then

from .models import CalendarDay, CalendarYear

ONE_DAY = datetime.timedelta(days=1)


class Deadline(NamedTuple):
    date: datetime.date
    provisional: bool


class Read(NamedTuple):
    """The exceptions of the years ``first``..``last``, read already (``exceptions_ask``)."""

    first: int
    last: int
    exceptions: dict[datetime.date, bool]

    def covers(self, years: set[int]) -> bool:
        return all(self.first <= year <= self.last for year in years)


def _exceptions(first: int, last: int) -> Any:
    # A range, not ``date__year__in``: SQLite would compute every row's year.
    return CalendarDay.objects.filter(
        date__gte=datetime.date(first, 1, 1), date__lte=datetime.date(last, 12, 31)
    ).values_list("date", "is_workday")


#: The SQL of ``exceptions_ask`` by range of years (core.kept_sql).
_KEPT = KeptQueries(64)


def exceptions_ask(first: int, last: int) -> Ask:
    """The exceptions of the years ``first``..``last`` as a ``Read``, to send with a page's
    other queries (issue 10: the home page's, core.kept_sql.together)."""
    ask = _KEPT.ask(("exceptions", first, last), lambda: _exceptions(first, last))
    return then(ask, lambda rows: Read(first, last, dict(rows)))


class WorkCalendar:
    """The exceptions of the known years, loaded once per computation. ``read``: exceptions
    read already, used when they cover ``years`` (one query fewer)."""

    def __init__(self, years: set[int] | None = None, *, read: Read | None = None):
        if years is not None and read is not None and read.covers(years):
            self.exceptions = read.exceptions
        elif years is None:
            self.exceptions = dict(CalendarDay.objects.values_list("date", "is_workday"))
        else:
            self.exceptions = dict(_exceptions(min(years, default=1), max(years, default=1)))

    @functools.cached_property
    def known_years(self) -> set[int]:
        """The years whose schedule was entered, read when a count first asks (counting the
        days between two dates never does: issue 10, one query fewer on every list page)."""
        return set(CalendarYear.objects.values_list("year", flat=True))

    def is_known(self, day: datetime.date) -> bool:
        return day.year in self.known_years

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_working_days(self, received: datetime.date, n: int) -> Deadline:
        """The n-th working day after ``received`` (the day of receipt is not counted)."""
        day, counted, provisional = received, 0, False
        while counted < n:
            day += ONE_DAY
            provisional |= not self.is_known(day)
            if self.is_workday(day):
                counted += 1
        return Deadline(day, provisional)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]: those after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count


def _years_spanned(received: datetime.date, n: int) -> set[int]:
    # n working days never span more than ~2n+30 calendar days (the longest official
    # break is 9 days), so two years around the start is always enough.
    return {received.year, received.year + 1, (received + datetime.timedelta(days=2 * n + 30)).year}


def add_working_days(received: datetime.date, n: int) -> Deadline:
    return WorkCalendar(_years_spanned(received, n)).add_working_days(received, n)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkCalendar(set(range(start.year, end.year + 1))).working_days_between(start, end)


def is_workday(day: datetime.date) -> bool:
    return WorkCalendar({day.year}).is_workday(day)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later; the month's last day when it has no such day (8-31 + 6 → 2-28)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def seed_from_package(years=None) -> int:
    """Load the schedule the ``chinese-calendar`` package knows. Returns the rows written.

    Only weekday holidays and weekend make-up days are stored: weekend holidays are
    weekends anyway.
    """
    known = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    years = sorted(known if years is None else set(years) & known)
    rows = []
    for day, name in constants.holidays.items():
        if day.year in years and day.weekday() < 5:
            rows.append(CalendarDay(date=day, is_workday=False, name=str(name)))
    for day, name in constants.workdays.items():
        if day.year in years and day.weekday() >= 5:
            rows.append(CalendarDay(date=day, is_workday=True, name=str(name)))
    CalendarDay.objects.filter(date__year__in=years).delete()
    CalendarDay.objects.bulk_create(rows)
    existing = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinese-calendar") for y in years if y not in existing]
    )
    return len(rows)
