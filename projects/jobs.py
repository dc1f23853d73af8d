"""Long work in the background (issue 10): start a job, run it in the worker, report progress.

A page that would make a person wait — the annual-plan PDF (thousands of pages at provincial
scale), a big export, an audit dossier — calls ``start``: it checks nothing itself (the caller
has checked the person may have the file, with the same rules as the direct download), writes
the ``Job`` row and an audit row, queues ``projects.tasks.run_job`` on the database queue
(django-tasks with the django-tasks-db backend; ``manage.py db_worker`` runs it) and returns
at once. The page then shows the job (web/job_views.py): progress, then the download.

The work of each kind is registered by the app that knows it (``register``), the way
lifecycle/evidence.py is: documents registers the plan PDF and the dossier, exports the
workbooks. A runner gets the job and a ``Progress`` and returns an ``Output``: bytes or a file
to keep, or the pk of an issued filing. Keeping the file is the documents app's storage, which
registers ``keep`` (this layer cannot import it).

Who may see a job: the person who asked for it, nobody else (``job_for``; 404 otherwise). The
rules that decide whether the file may be made are checked twice — by the page before the job
is queued, so a refusal is immediate, and by the runner when it runs, because the state may
have changed in between (a plan withdrawn, a person moved to another organisation).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from core import timeutil
from lifecycle import audit
from lifecycle.errors import RuleViolation

from .models_jobs import Job

logger = logging.getLogger(__name__)

#: Seconds between two progress writes (a part of a PDF, a batch of rows): often enough for the
#: page that polls every two seconds, rarely enough to cost nothing.
PROGRESS_EVERY = 0.5


@dataclass
class Output:
    """What a runner made: a file to keep (``data`` or an open binary ``file``) with its name
    and type, or an issued filing (``filing_id``: it is kept, numbered and downloaded as every
    filing is)."""

    filename: str = ""
    content_type: str = "application/octet-stream"
    data: bytes | None = None
    file: IO[bytes] | None = None
    filing_id: int | None = None


class Progress:
    """Called by a runner as it goes: ``progress(done, total, stage)``. Writes to the job row at
    most every PROGRESS_EVERY seconds (and always on a change of ``total`` or ``stage`` text
    when forced), outside any transaction so the job page sees it at once."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int, stage: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY and done < total:
            return
        self._last = now
        self.job.done, self.job.total = max(0, done), max(0, total)
        if stage:
            self.job.stage = stage[:200]
        Job.objects.filter(pk=self.job.pk).update(
            done=self.job.done, total=self.job.total, stage=self.job.stage
        )


class Runner(Protocol):
    def __call__(self, job: Job, progress: Progress) -> Output: ...


@dataclass(frozen=True)
class Kind:
    name: str
    runner: Runner
    #: the audit action of the finished work (export.ledger, dossier.downloaded …) is written by
    #: the runner itself; this one records the request
    label: str = ""


@dataclass
class _Registry:
    kinds: dict[str, Kind] = field(default_factory=dict)
    keep: Callable[[Job, Output], None] | None = None


_registry = _Registry()


def register(name: str, runner: Runner, *, label: str = "") -> None:
    """Make ``name`` a kind of job run by ``runner`` (called from an AppConfig.ready)."""
    _registry.kinds[name] = Kind(name, runner, label)


def register_keeper(keep: Callable[[Job, Output], None]) -> None:
    """How a finished file is kept (documents registers its storage): sets the job's
    storage_key, filename, content_type, size and sha256."""
    _registry.keep = keep


def kinds() -> dict[str, Kind]:
    return dict(_registry.kinds)


def start(kind: str, *, actor, title: str, params: dict[str, Any] | None = None) -> Job:
    """Queue ``kind`` for ``actor`` and return its job at once.

    The same person asking for the same thing again while it is still queued or running gets
    the job already under way (a double click makes one file). Side effects: the Job row, an
    audit row ``job.requested`` and the queued task."""
    if kind not in _registry.kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    params = params or {}
    # deferred: projects/tasks.py imports this module (the task runs ``run``)
    from .tasks import run_job  # deferred: see above

    expire_stale()
    with transaction.atomic():
        running = (
            Job.objects.select_for_update()
            .filter(
                requested_by=actor,
                kind=kind,
                params=params,
                status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
            )
            .first()
        )
        if running is not None:
            return running
        job = Job.objects.create(
            kind=kind,
            title=title[:300],
            params=params,
            requested_by=actor,
            organisation=getattr(actor, "organisation", None),
            created_at=timeutil.now(),
        )
        audit.record(
            actor=actor,
            action="job.requested",
            obj=actor,
            label=_("后台生成：%(title)s") % {"title": title},
            data={"job": str(job.pk), "kind": kind, "params": params},
        )
    # Queued after the job row is committed (the worker is another process); the immediate
    # backend (tests, TASKS_BACKEND=immediate) runs it here, before the page answers.
    run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def run(job_id: str) -> None:
    """Run the job ``job_id`` (the worker's task). Never raises for a refusal or a failure of
    the work: the job row says what happened, so the person's page shows it."""
    job = Job.objects.select_related("requested_by", "organisation").filter(pk=job_id).first()
    if job is None or job.finished:
        return
    kind = _registry.kinds.get(job.kind)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timeutil.now())
    job.status = Job.Status.RUNNING
    try:
        if kind is None:
            raise RuleViolation(_("未知的任务类型。"), code="kind")
        output = kind.runner(job, Progress(job))
        if output.filing_id is None:
            if _registry.keep is None:
                raise RuntimeError("no keeper registered for job files")
            _registry.keep(job, output)
        else:
            job.filing_id = output.filing_id
    except RuleViolation as exc:
        _fail(job, exc.message)
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(
            job,
            _("生成时出错，未能完成。请稍后重试；仍不成功请联系系统管理员（任务编号 %(id)s）。")
            % {"id": job.pk},
        )
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        finished_at=timeutil.now(),
        done=job.total or job.done,
        storage_key=job.storage_key,
        filename=job.filename,
        content_type=job.content_type,
        size=job.size,
        sha256=job.sha256,
        filing_id=job.filing_id,
    )


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timeutil.now(), error=message)
    audit.record(
        actor=job.requested_by,
        action="job.failed",
        obj=job.requested_by,
        label=_("后台生成未能完成：%(title)s") % {"title": job.title},
        reason=message,
        data={"job": str(job.pk), "kind": job.kind},
    )


def expire_stale() -> int:
    """Mark as failed the jobs whose worker died under them: running for more than
    ``settings.JOB_STALE_MINUTES`` (the worker finishes a task before it stops; only a crash
    or a kill leaves one running). Returns how many."""
    limit = timeutil.now() - datetime.timedelta(minutes=settings.JOB_STALE_MINUTES)
    stale = list(
        Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=limit).only("pk", "kind", "title")
    )
    message = _("生成中断（后台工作进程已停止），未能完成。请重新生成。")
    expired = 0
    for job in stale:
        with transaction.atomic():
            # Only the page that changes the row records it (two pages may look at once).
            if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, finished_at=timeutil.now(), error=message
            ):
                continue
            audit.record(
                actor=None,
                action="job.expired",
                obj=job,
                label=_("后台生成中断：%(title)s") % {"title": job.title},
                reason=str(message),
                data={"job": str(job.pk), "kind": job.kind},
            )
        expired += 1
    return expired


def job_for(user, pk) -> Job:
    """The job ``pk`` if ``user`` asked for it; 404 for anyone else and for a malformed id."""
    expire_stale()
    try:
        return Job.objects.get(pk=pk, requested_by=user)
    except (Job.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # a malformed id (not a UUID) is answered like an unknown one
        raise Http404(_("没有这个任务。")) from exc


def recent_for(user, limit: int = 20) -> list[Job]:
    expire_stale()
    return list(Job.objects.filter(requested_by=user).order_by("-created_at")[:limit])
