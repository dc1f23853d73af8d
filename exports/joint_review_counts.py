"""The counts of the joint-review statistics (办法第十条), summed by the database (issue 10).

For every joint-review clock of the projects asked about, and for each of the three opinions
of 办法第十条 (集约化建设和数据共享, 网络安全, 密码应用): the opinion counts as given on the
local day of the project's FIRST opinion of that kind; it is on time if that day is no later
than the clock's (extended) deadline, late if later; an opinion not yet given is overdue once
today is past the deadline, pending until then. The wait from submission to 受理 (the bureau's
own target, 办法第十条 sets no number for it) is on time if the clock stopped by its deadline.

The export used to read every clock and every opinion into Python to count them (0.5 s for a
province of 10,000 projects); here one query per table returns the five numbers of each row.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from typing import Any

from django.db.models import Count, DateField, F, Min, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from lifecycle.models import JOINT_REVIEW_ASPECTS, Clock, ClockKind

#: [total, on time, late, pending (not yet due), overdue] — the order of the workbook's columns.
Counts = list[int]


@functools.cache
def _fixed_offset_seconds(zone_key: str) -> int | None:
    """The UTC offset of the zone in seconds if it is the same in winter and summer of every
    year from 2000 to ten years ahead (Asia/Shanghai: +8 h since 1991), else None."""
    zone = zoneinfo.ZoneInfo(zone_key)
    offsets = {
        datetime.datetime(year, month, 1, 12, tzinfo=zone).utcoffset()
        for year in range(2000, datetime.date.today().year + 11)
        for month in (1, 7)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int(offset.total_seconds()) if offset is not None else None


class LocalDate(TruncDate):
    """The local calendar day of a moment (``TruncDate`` in the current time zone). On SQLite
    a zone of one fixed offset is applied by SQLite's own ``date()``, not by Django's Python
    function called once per row (25,000 rows of a province: 0.1 s → a few ms)."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        zone_key = getattr(timezone.get_current_timezone(), "key", "")
        offset = _fixed_offset_seconds(zone_key) if zone_key else None
        if offset is None:
            return super().as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, %s)", (*params, f"{offset:+d} seconds")


def _first_opinion_day(aspect: str) -> LocalDate:
    """The local day of the project's first opinion of ``aspect`` in the joint review."""
    opinions = "project__opinions__"
    first = Min(
        f"{opinions}given_at", filter=Q(**{f"{opinions}stage": "joint_review", f"{opinions}aspect": aspect})
    )
    return LocalDate(first, output_field=DateField())


def joint_review_counts(clocks: QuerySet[Clock], today: datetime.date) -> dict[str, Counts]:
    """办法第十条: ``{aspect: [total, on time, late, pending, overdue]}`` over ``clocks`` (joint-review
    clocks) for each aspect of ``JOINT_REVIEW_ASPECTS``, in one query: per clock (grouped)
    the day of each first opinion, then the counts over those rows."""
    per_clock = (
        clocks.order_by()
        .values("pk")
        .annotate(
            due=Coalesce("extended_to", "due_on"),
            **{f"given_{n}": _first_opinion_day(aspect) for n, aspect in enumerate(JOINT_REVIEW_ASPECTS)},
        )
    )
    sums: dict[str, Any] = {"total": Count("pk")}
    for n, _aspect in enumerate(JOINT_REVIEW_ASPECTS):
        given = f"given_{n}"
        sums[f"on_time_{n}"] = Count("pk", filter=Q(**{f"{given}__lte": F("due")}))
        sums[f"late_{n}"] = Count("pk", filter=Q(**{f"{given}__gt": F("due")}))
        sums[f"pending_{n}"] = Count("pk", filter=Q(**{f"{given}__isnull": True, "due__gte": today}))
        sums[f"overdue_{n}"] = Count("pk", filter=Q(**{f"{given}__isnull": True, "due__lt": today}))
    row = per_clock.aggregate(**sums)
    return {
        str(aspect): [
            row["total"],
            row[f"on_time_{n}"],
            row[f"late_{n}"],
            row[f"pending_{n}"],
            row[f"overdue_{n}"],
        ]
        for n, aspect in enumerate(JOINT_REVIEW_ASPECTS)
    }


def intake_counts(clocks: QuerySet[Clock], today: datetime.date) -> Counts:
    """[total, on time, late, pending, overdue] of the waits from submission to 受理 (intake
    clocks), in one query: stopped by the deadline is on time, after it late; still running,
    overdue once today is past the deadline."""
    due = Coalesce("extended_to", "due_on")
    row = (
        clocks.order_by()
        .annotate(due=due)
        .aggregate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(stopped_on__isnull=False, stopped_on__lte=F("due"))),
            late=Count("pk", filter=Q(stopped_on__isnull=False, stopped_on__gt=F("due"))),
            pending=Count("pk", filter=Q(stopped_on__isnull=True, due__gte=today)),
            overdue=Count("pk", filter=Q(stopped_on__isnull=True, due__lt=today)),
        )
    )
    return [row["total"], row["on_time"], row["late"], row["pending"], row["overdue"]]


def joint_review_clocks(projects: QuerySet[Any], year: int | None, kind: str = ClockKind.JOINT_REVIEW) -> Any:
    clocks = Clock.objects.filter(kind=kind, project__in=projects)
    return clocks.filter(project__call__year=year) if year else clocks
