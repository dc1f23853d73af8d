"""The real queue (issue 10): with the production settings, a job started by a page waits in
the database (django-tasks-db) until ``manage.py db_worker`` — another process, as
deploy/xmgl-worker.service and ``make run`` start it — runs it; then the job is done and its
file is stored. And ``manage.py prune_jobs`` removes old jobs with their files."""

from __future__ import annotations

import datetime
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from core import timeutil
from documents import storage
from lifecycle.models import AuditEntry
from projects import jobs
from projects.models import Job

ROOT = Path(__file__).resolve().parents[2]

START = """
from projects.models import Organisation, User
from projects import jobs
org = Organisation.objects.create(kind="bureau", name="黑龙江省营商环境建设监督局")
user = User.objects.create_user("bureau", password="x-Secret-123456", organisation=org, role="reviewer")
job = jobs.start("export.ledger", actor=user, title="项目台账（xlsx）", params={"format": "xlsx"})
print(job.pk, job.status)
"""

CHECK = """
import json
from projects.models import Job
from django_tasks_db.models import DBTaskResult
job = Job.objects.get()
tasks = list(DBTaskResult.objects.values_list("status", flat=True))
print(json.dumps({"status": job.status, "filename": job.filename, "size": job.size,
                  "key": job.storage_key, "tasks": tasks}))
"""


def _manage(env, *args, code: str | None = None) -> str:
    command = [sys.executable, "manage.py", *args] + (["-v0", "-c", code] if code else [])
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_queued_job_waits_for_the_worker_process_and_is_done_by_it(tmp_path):
    unset = ("DEBUG", "DEMO_MODE", "DJANGO_SETTINGS_MODULE", "TASKS_BACKEND", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DOCUMENTS_ROOT=str(tmp_path / "private"),
    )
    _manage(env, "migrate", "--noinput", "-v0")
    started = _manage(env, "shell", code=START).split()
    assert started[1] == "queued"  # nothing runs it inside the request
    before = json.loads(_manage(env, "shell", code=CHECK))
    assert before["status"] == "queued" and before["tasks"] == ["READY"]
    _manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v0")
    after = json.loads(_manage(env, "shell", code=CHECK))
    assert after["status"] == "done" and after["tasks"] == ["SUCCESSFUL"], after
    assert after["filename"].endswith(".xlsx") and after["size"] > 0
    stored = tmp_path / "private" / after["key"]
    assert stored.is_file() and stored.stat().st_size == after["size"]


@pytest.mark.django_db
@override_settings(EXPORT_BACKGROUND_ROWS=-1)
def test_prune_jobs_removes_old_jobs_and_their_files_only(people):
    old = jobs.start("export.ledger", actor=people.bureau_reviewer, title="旧", params={"format": "csv"})
    new = jobs.start("export.ledger", actor=people.bureau_reviewer, title="新", params={"format": "xlsx"})
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == new.status == Job.Status.DONE and old.storage_key and new.storage_key
    Job.objects.filter(pk=old.pk).update(finished_at=timeutil.now() - datetime.timedelta(days=8))
    call_command("prune_jobs", days=7, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert list(Job.objects.values_list("pk", flat=True)) == [new.pk]
    assert not storage.storage().exists(old.storage_key) and storage.storage().exists(new.storage_key)
    # Every deleted job leaves an audit row (by the system), the kept one none.
    rows = AuditEntry.objects.filter(action="job.pruned")
    assert [(r.object_id, r.actor_id, r.actor_name, r.data["file"]) for r in rows] == [
        (str(old.pk), None, "系统", True)
    ]
    assert rows.get().data["requested_by"] == people.bureau_reviewer.pk


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_shown_as_interrupted(people, settings):
    def running_since(minutes: int) -> Job:
        return Job.objects.create(
            kind="export.ledger",
            title="台账",
            requested_by=people.bureau_reviewer,
            status=Job.Status.RUNNING,
            created_at=timeutil.now(),
            started_at=timeutil.now() - datetime.timedelta(minutes=minutes),
        )

    job, fresh = running_since(settings.JOB_STALE_MINUTES + 1), running_since(0)
    assert jobs.job_for(people.bureau_reviewer, job.pk).status == Job.Status.FAILED
    assert "中断" in Job.objects.get(pk=job.pk).error
    assert Job.objects.get(pk=fresh.pk).status == Job.Status.RUNNING
    # The change is recorded once, by the system, however many pages look at the job.
    jobs.job_for(people.bureau_reviewer, job.pk)
    jobs.recent_for(people.bureau_reviewer)
    rows = AuditEntry.objects.filter(action="job.expired")
    assert [(r.object_id, r.actor_name) for r in rows] == [(str(job.pk), "系统")]
