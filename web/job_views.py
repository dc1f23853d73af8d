"""The pages of background jobs (issue 10; projects/jobs.py): a job's progress and, when it
is done, its download; the list of a person's recent jobs. Only the person who asked for a
job sees it (404 for anyone else)."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core import timeutil
from core.filenames import content_disposition
from documents import storage
from lifecycle import audit
from projects import jobs
from projects.models import Job

#: Seconds between two reloads of a running job's page (no script: a meta refresh).
REFRESH_SECONDS = 2


def _state(job: Job) -> dict:
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "stage": job.stage,
        "finished": job.finished,
        "error": job.error,
    }


@login_required
@require_GET
def job_detail(request, pk):
    job = jobs.job_for(request.user, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_state(job))
    waiting = timeutil.now() - job.created_at
    return render(
        request,
        "projects/job.html",
        {
            "job": job,
            "refresh": None if job.finished else REFRESH_SECONDS,
            # queued this long: the worker is probably not running (make run / docs/deploy.md §4)
            "no_worker": job.status == Job.Status.QUEUED and waiting > datetime.timedelta(minutes=2),
        },
    )


@login_required
@require_GET
def job_download(request, pk):
    job = jobs.job_for(request.user, pk)
    if job.status != Job.Status.DONE:
        raise Http404("任务尚未完成")
    if job.filing_id is not None:
        return redirect("documents:filing_download", pk=job.filing_id)
    if not job.storage_key:
        raise Http404("没有文件")
    handle = storage.open_file(job.storage_key)
    audit.record(
        actor=request.user,
        action="job.downloaded",
        obj=request.user,
        label=f"下载{job.title}",
        data={"job": str(job.pk), "sha256": job.sha256},
    )
    response = FileResponse(handle, content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(job.filename or "file")
    return response


@login_required
@require_GET
def job_list(request):
    return render(request, "projects/job_list.html", {"jobs": jobs.recent_for(request.user)})
