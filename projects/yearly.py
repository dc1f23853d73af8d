"""办法第二十五条 without anyone remembering: the yearly 绩效评价报告 clocks open by themselves.

A report is due before the end of every construction year (``Policy.performance_report_due``).
The clock of year Y of a project under construction is opened by ``start_construction`` for
the year it starts in, and for every later year by ``projects.services.
performance_report_clocks_open(Y)`` — idempotent: a clock that exists is left alone.

``ensure_yearly_clocks`` runs that once per calendar day and process: the first request of the
day (``config.daily.DailyChecksMiddleware``) does it, before the page is answered, so the
home page, the overdue lists and the exports of 1 January already show the new year's
clocks. Nobody has to run ``manage.py open_yearly_clocks`` (kept for operators and scripts),
and no external scheduler (cron, a task queue) is needed: the system is used every working
day, the check costs one query when nothing is to open, and running it twice opens nothing
twice (the projects' rows are locked while their clocks are checked and opened). A failure (the
database locked) is logged and retried on the next request; the page is answered anyway.
"""

from __future__ import annotations

import datetime
import logging
import threading

from core import timeutil

from .services import performance_report_clocks_open

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_checked_on: datetime.date | None = None


def ensure_yearly_clocks(today: datetime.date | None = None) -> int | None:
    """Open this year's report clocks if this process has not checked today; the number of
    clocks opened, or None when the check had already been made today (or is being made by
    another thread of this process)."""
    global _checked_on
    day = today or timeutil.today()
    if _checked_on == day or not _lock.acquire(blocking=False):
        return None
    try:
        if _checked_on == day:
            return None
        opened = performance_report_clocks_open(day.year)
        _checked_on = day
        if opened:
            logger.info("办法第二十五条: opened %s performance-report clocks of %s", opened, day.year)
        return opened
    finally:
        _lock.release()


def forget() -> None:
    """Make the next call check again (tests; a new calendar year entered by hand)."""
    global _checked_on
    _checked_on = None
