"""The timeline of a project's clocks on its page (issue 11 item 7): each deadline of the 办法
as a lane from its start to its stop (or today), coloured by its outcome, the pauses for 补正
or the experts (办法第十条, 第十八条) over it and the deadline as a tick. Built from the clocks
and the history rows the page has already loaded (web/project_page.py): no query. The table
of the clocks under it holds the same dates (the text alternative)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lifecycle.models import ClockEvent

from . import charts

PAUSED = f"clock.{ClockEvent.Kind.PAUSED}"
RESUMED = f"clock.{ClockEvent.Kind.RESUMED}"
STOPPED = f"clock.{ClockEvent.Kind.STOPPED}"


def _day(entry) -> datetime.date:
    return timezone.localdate(entry.at) if timezone.is_aware(entry.at) else entry.at.date()


def pauses(entries: Sequence, today: datetime.date) -> dict[int, list[charts.Span]]:
    """The pauses of each clock (by its id) from the history rows ``clock.paused`` →
    ``clock.resumed`` (or ``clock.stopped``, which ends a pause too); a pause still open runs
    to today."""
    open_: dict[int, datetime.date] = {}
    spans: dict[int, list[charts.Span]] = {}
    for e in entries:
        if e.action not in (PAUSED, RESUMED, STOPPED):
            continue
        pk = (e.data or {}).get("clock") if isinstance(e.data, dict) else None
        if not isinstance(pk, int):
            continue
        if e.action == PAUSED:
            open_[pk] = _day(e)
        elif pk in open_:
            spans.setdefault(pk, []).append(charts.Span(open_.pop(pk), _day(e), "paused"))
    for pk, start in open_.items():
        spans.setdefault(pk, []).append(charts.Span(start, today, "paused"))
    return spans


def timeline(clocks: Sequence, entries: Sequence, today: datetime.date) -> SafeString | None:
    """The SVG of ``clocks`` (decorated by the page with ``state_code`` and ``state_label``)."""
    if not clocks:
        return None
    paused = pauses(entries, today)
    lanes, said = [], []
    for c in clocks:
        label = str(c.get_kind_display()) + (f" {c.year}" if c.year else "")
        spans = tuple(paused.get(c.pk, ()))
        lanes.append(
            charts.Lane(
                label=label,
                start=c.received_on,
                due=c.effective_due_on,
                end=c.stopped_on,
                outcome=getattr(c, "state_code", "running"),
                pauses=spans,
            )
        )
        text = _("%(clock)s：%(start)s起算，%(due)s截止，%(state)s") % {
            "clock": label,
            "start": c.received_on.isoformat(),
            "due": c.effective_due_on.isoformat(),
            "state": getattr(c, "state_label", ""),
        }
        if c.stopped_on:
            text += _("（%(day)s完成）") % {"day": c.stopped_on.isoformat()}
        for s in spans:
            text += _("；暂停%(start)s至%(end)s") % {"start": s.start.isoformat(), "end": s.end.isoformat()}
        said.append(text)
    return charts.timeline(
        "clock-timeline",
        _("时限时间轴"),
        "。".join(said) + "。",
        lanes,
        today,
        today_label=_("今天"),
        due_label=_("截止日期"),
    )
