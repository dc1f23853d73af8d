"""Issue 12: the daily reminder pass on the database task queue (django-tasks with the
django-tasks-db backend; ``manage.py db_worker`` runs it, ``make run`` starts the worker).

``reminder_pass`` runs one pass (projects/reminders.py ``run_pass``) and queues the next one
for the next morning (``settings.REMINDER_HOUR``, local time) with ``run_after``. ``schedule``
starts the chain when no pass is waiting (``manage.py send_reminders --schedule``, and the
first request of each day: config/daily.py). Two chains running at once would still send
nothing twice (the pass is idempotent); ``schedule`` keeps it to one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend, task
from django_tasks_db.models import DBTaskResult

from . import reminders


@task()
def reminder_pass() -> dict[str, Any]:
    """One pass of reminders and escalations, then the next pass queued."""
    summary = reminders.run_pass()
    schedule()
    return {"clocks": summary.clocks, "reminded": summary.reminded, "digests": summary.digests}


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next ``REMINDER_HOUR`` o'clock (local time) after ``now``."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.REMINDER_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + datetime.timedelta(days=1)


def schedule(now: datetime.datetime | None = None, *, at_once: bool = False) -> bool:
    """Queue the next pass (at the next ``REMINDER_HOUR``, or ``at_once``) unless one is
    waiting already. Only on a queue that runs tasks later (the database queue; the tests'
    immediate backend would run it inside the caller). Returns whether a pass was queued."""
    if not default_task_backend.supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(task_path=reminder_pass.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    if at_once:
        reminder_pass.enqueue()
    else:
        reminder_pass.using(run_after=next_run(now)).enqueue()
    return True


_checked_on: list[datetime.date] = []


def ensure_scheduled() -> bool:
    """Once a day per process (config/daily.py, on the first request): if no pass is waiting
    — a fresh installation, or a worker that was stopped — queue one to run now; it queues
    the next. Returns whether a pass was queued."""
    today = timezone.localdate()
    if _checked_on and _checked_on[0] == today:
        return False
    _checked_on[:] = [today]
    return schedule(at_once=True)
