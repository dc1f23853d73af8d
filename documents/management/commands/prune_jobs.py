"""Delete finished background jobs older than --days (default 7) with their stored files, and
the task queue's finished results (issue 10; projects/jobs.py). The nightly backup service
runs it (deploy/xmgl-backup.service). Issued filings a job made are never touched: a job only
points at them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from core import timeutil
from lifecycle import audit
from projects.models import Job

from ... import storage


class Command(BaseCommand):
    help = "删除若干天前已结束的后台任务及其文件"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="保留天数（默认 7）")

    def handle(self, *args, days: int, **options):
        limit = timeutil.now() - datetime.timedelta(days=max(0, days))
        old = Job.objects.filter(status__in=(Job.Status.DONE, Job.Status.FAILED), finished_at__lt=limit)
        files = 0
        deleted = 0
        # A batch at a time: each job's row is deleted with an audit row saying so (who asked
        # for it, what it was, whether a file went with it), in one transaction; the files
        # are discarded once the rows are gone.
        while batch := list(
            old.only("pk", "kind", "title", "requested_by_id", "storage_key", "finished_at")[:500]
        ):
            with transaction.atomic():
                audit.record_many(
                    [
                        audit.unsaved(
                            actor=None,
                            action="job.pruned",
                            obj=job,
                            label=_("删除已结束的后台任务：%(title)s") % {"title": job.title},
                            data={
                                "job": str(job.pk),
                                "kind": job.kind,
                                "requested_by": job.requested_by_id,
                                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                                "file": bool(job.storage_key),
                                "days": days,
                            },
                        )
                        for job in batch
                    ]
                )
                deleted += Job.objects.filter(pk__in=[job.pk for job in batch]).delete()[0]
            for job in batch:
                if job.storage_key:
                    storage.discard(job.storage_key)
                    files += 1
        if "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:  # the queue's own rows
            call_command("prune_db_task_results", min_age_days=max(0, days), queue_name="*", verbosity=0)
        self.stdout.write(f"已删除 {deleted} 个后台任务、{files} 个文件（{days} 天前结束的）。")
