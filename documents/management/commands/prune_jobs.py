"""Delete finished background jobs older than --days (default 7) with their stored files, and
the task queue's finished results (issue 10; projects/jobs.py). The nightly backup service
runs it (deploy/xmgl-backup.service). Issued filings a job made are never touched: a job only
points at them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core import timeutil
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
        for key in old.exclude(storage_key="").values_list("storage_key", flat=True).iterator():
            storage.discard(key)
            files += 1
        deleted, _by_model = old.delete()
        if "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:  # the queue's own rows
            call_command("prune_db_task_results", min_age_days=max(0, days), queue_name="*", verbosity=0)
        self.stdout.write(f"已删除 {deleted} 个后台任务、{files} 个文件（{days} 天前结束的）。")
