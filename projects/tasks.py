"""The background tasks (django-tasks; run by ``manage.py db_worker``). Each is a thin entry
point: the work and its bookkeeping are in projects/jobs.py."""

from __future__ import annotations

from django_tasks import task

from . import jobs


@task()
def run_job(job_id: str) -> None:
    """Run one queued job (projects/jobs.py ``run``): progress and result go to its row."""
    jobs.run(job_id)
