"""Turns the exceptions people can cause into pages that say what happened (issue 7).

* ``lifecycle.errors.ConcurrentUpdate`` (someone else moved the project, plan or change
  first — optimistic locking in services.perform) and a database lock still held after the
  busy timeout (SQLite "database is locked"; PostgreSQL serialization failure, deadlock,
  lock not available) → 409 "该事项已被他人处理，请刷新后重试" instead of a 500. The
  transaction of the request has been rolled back by then: nothing was half-saved.
* ``documents.storage.StorageUnavailable`` (the document storage failed while a file was
  read or kept, and nothing was kept) → 503 with that sentence instead of a 500.
* ``PermissionDenied`` and ``Http404`` raised by a view → the friendly 403/404 pages of
  config.errors, also when DEBUG is on (Django would show its debug page), and a URL that
  matches no page → the friendly 404.
"""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404

from documents.storage import StorageUnavailable
from lifecycle.errors import ConcurrentUpdate
from web import access_log

from . import errors

logger = logging.getLogger(__name__)

#: SQLSTATEs of PostgreSQL meaning "another transaction holds or changed this row".
_PG_CONFLICT_STATES = {"40001", "40P01", "55P03"}


def is_lock_conflict(exc: BaseException) -> bool:
    """True for a database error caused by another transaction holding a lock."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in _PG_CONFLICT_STATES:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


class ErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            # 等保2.0 三级 安全审计: every refusal is on the trail (issue 9).
            access_log.refused(request, response.status_code)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            # No URL pattern matched: Django answered before any view ran (with its debug
            # page when DEBUG is on). Give people the same page as any other 404.
            return errors.page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, ConcurrentUpdate) or is_lock_conflict(exception):
            logger.warning("409 for %s %s: %s", request.method, request.path, exception)
            return errors.conflict(request, exception)
        if isinstance(exception, StorageUnavailable):
            logger.warning("503 for %s %s: the documents storage failed", request.method, request.path)
            return errors.storage_unavailable(request, exception)
        if isinstance(exception, PermissionDenied):
            return errors.permission_denied(request, exception)
        if isinstance(exception, (SuspiciousOperation, BadRequest)):
            # Issue 11: the site's 400 page also when DEBUG is on (Django shows its debug page).
            logger.warning("400 for %s %s: %s", request.method, request.path, type(exception).__name__)
            return errors.bad_request(request, exception)
        if isinstance(exception, Http404):
            return errors.page_not_found(request, exception)
        return None
