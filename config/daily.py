"""Checks the system makes by itself once a day, triggered by the first request of the day
(projects/yearly.py explains why no external scheduler is needed).

``settings.LIFECYCLE_DAILY_CHECKS`` switches them off (the test settings do, so that a test
sees only the clocks it opens; tests/projects/test_construction_yearly_clocks.py switches
them on)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError

from projects.notify_tasks import ensure_scheduled
from projects.yearly import ensure_yearly_clocks

logger = logging.getLogger(__name__)


class DailyChecksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(settings, "LIFECYCLE_DAILY_CHECKS", True):
            try:
                ensure_yearly_clocks()  # 办法第二十五条
            except DatabaseError:  # retried on the next request; the page is answered anyway
                logger.exception("daily check of the yearly performance-report clocks failed")
            try:
                ensure_scheduled()  # issue 12: the daily reminder pass waits on the task queue
            except DatabaseError:
                logger.exception("queueing the daily reminder pass failed")
        return self.get_response(request)
