"""Plain views for materials and filings. The web screens (issue 3) link to these.

Every view fetches its object through documents.access (404 for anyone who may not see
the project); state changes only on POST; errors of the rules come back in Chinese.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.filenames import content_disposition, download_name
from lifecycle.errors import RuleViolation
from projects import jobs
from projects.models import AnnualPlan
from projects.params import row_id

from . import filings, jobs as doc_jobs, services, uploads
from .access import filing_for_user, material_for_user, project_for_user
from .dossier import dossier_build, dossier_size
from .evidence import evidence_confirm as confirm
from .imports import template_workbook
from .models import FilingKind


def _back_to_page(request):
    """Forms on the project page send ``next``: answer them with a message and a redirect
    instead of JSON (the values typed are the file and kind, which the page shows again)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _answer(request, payload, status, *, ok_message="", error=""):
    target = _back_to_page(request)
    if target is None:
        return JsonResponse(payload if not error else {"error": error}, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, ok_message)
    return HttpResponseRedirect(target)


#: Refusals by the rules of who uploads or confirms what, and when (registry.UPLOADS,
#: registry.CONFIRMS): 403 with the reason; a bad file or missing date: 400.
_FORBIDDEN_CODES = ("permission", "stage")


def _upload_status(exc: RuleViolation) -> int:
    if exc.code == "storage":  # the storage failed, nothing was kept (documents.storage)
        return 503
    return 403 if exc.code in _FORBIDDEN_CODES else 400


def _posted_date(value: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RuleViolation(
            f"出具日期“{value[:20]}”不是有效日期，请按“年-月-日”填写，如2026-03-01。", code="evidence"
        ) from None


@login_required
@require_POST
def material_upload(request, project_id):
    project = project_for_user(request.user, project_id)
    kind = request.POST.get("kind", "")
    # Who may upload this kind now is checked before the file is even looked at.
    refusal = services.upload_refusal(project, request.user, kind)
    if refusal is not None:
        return _answer(request, {}, 403 if refusal.code in _FORBIDDEN_CODES else 400, error=refusal.message)
    upload = request.FILES.get("file")
    stopped = uploads.refusal(request)
    if stopped:
        return _answer(request, {}, 413, error=stopped)
    if upload is None:
        return _answer(request, {}, 400, error="请选择要上传的文件。")
    try:
        version = services.material_upload(
            project,
            actor=request.user,
            kind=kind,
            upload=upload,
            note=request.POST.get("note", "")[:200],
            issued_on=_posted_date(request.POST.get("issued_on", "")),
            issuing_body=request.POST.get("issuing_body", "")[:200],
        )
    except RuleViolation as exc:
        return _answer(request, {}, _upload_status(exc), error=exc.message)
    return _answer(
        request,
        {
            "id": version.pk,
            "kind": version.kind,
            "number": version.number,
            "sha256": version.sha256,
            "sm3": version.sm3,
            "size": version.size,
        },
        201,
        ok_message=f"已上传“{version.get_kind_display()}”第{version.number}版。",
    )


@login_required
@require_POST
def evidence_confirm(request, project_id, kind):
    """The agency's confirmation of a piece of evidence (办法第二十九、三十二条)."""
    project = project_for_user(request.user, project_id)
    try:
        confirmation = confirm(project, kind, actor=request.user)
    except RuleViolation as exc:
        return _answer(request, {}, 403 if exc.code in _FORBIDDEN_CODES else 400, error=exc.message)
    version = confirmation.version
    return _answer(
        request,
        {"id": confirmation.pk, "version": version.pk, "number": version.number},
        201,
        ok_message=f"已确认“{version.get_kind_display()}”第{version.number}版。",
    )


@login_required
@require_GET
def material_download(request, pk):
    version = material_for_user(request.user, pk)
    handle = services.material_open(version, actor=request.user)
    return FileResponse(handle, as_attachment=True, filename=version.original_name)


def filing_name(filing) -> str:
    """Issue 15: the filing's title, its project and the day it was issued."""
    subject = filing.project.name if filing.project_id else ""
    return download_name(
        filing.title, subject=subject, day=timezone.localdate(filing.generated_at), ext="pdf"
    )


@login_required
@require_GET
def filing_download(request, pk):
    filing = filing_for_user(request.user, pk)
    handle = filings.filing_open(filing, actor=request.user)
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filing_name(filing))
    return response


_STATUS = {"permission": 403, "issued": 409, "storage": 503}


def _refused(request, exc):
    return _answer(request, {}, _STATUS.get(exc.code, 400), error=exc.message)


def _preview_response(sample):
    response = HttpResponse(sample.data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(sample.filename)
    return response


def _issued_answer(request, filing):
    return _answer(
        request,
        {"id": filing.pk, "document_no": filing.document_no, "sha256": filing.sha256, "sm3": filing.sm3},
        201,
        ok_message=f"已出具《{filing.title}》{filing.document_no}。",
    )


@login_required
@require_POST
def filing_generate(request, project_id, kind):
    """Issue a filing after its step (``mode`` absent or "issue"), or download a sample with
    the 征求意见稿/样稿 watermark before it (``mode=preview``); see documents.filings."""
    project = project_for_user(request.user, project_id)
    raw_id = request.POST.get("object_id") or ""
    object_id = row_id(raw_id)
    if raw_id and object_id is None:
        # A hand-edited form: answer like an unknown object, never a 500 (issue 7).
        return _answer(request, {}, 400, error="所选事项不存在，请从项目页面重新选择。")
    try:
        if request.POST.get("mode") == "preview":
            return _preview_response(
                filings.preview(kind, actor=request.user, project=project, object_id=object_id)
            )
        filing = filings.generate(kind, actor=request.user, project=project, object_id=object_id)
    except RuleViolation as exc:
        return _refused(request, exc)
    return _issued_answer(request, filing)


@login_required
@require_POST
def plan_filing_generate(request, year):
    plan = AnnualPlan.objects.filter(year=year).first() if 0 < year < 10000 else None
    if plan is None or request.user.org_kind in (None, "owner", "expert"):
        return HttpResponse(status=404)
    # The plan of a province runs to thousands of pages: it is set in the background
    # (documents/jobs.py), after the same rules are asked here so a refusal is immediate.
    preview = request.POST.get("mode") == "preview"
    try:
        if preview:
            filings.preview_check(FilingKind.ANNUAL_PLAN, actor=request.user, plan=plan)
        else:
            filings.issue_check(FilingKind.ANNUAL_PLAN, actor=request.user, plan=plan)
    except RuleViolation as exc:
        return _refused(request, exc)
    job = jobs.start(
        doc_jobs.PLAN_PREVIEW if preview else doc_jobs.PLAN_FILING,
        actor=request.user,
        title=_("%(year)s年度建设计划（%(what)s）")
        % {"year": plan.year, "what": _("样稿") if preview else _("正式文书")},
        params={"plan": plan.pk},
    )
    if _back_to_page(request) is None:
        url = reverse("job", args=[job.pk])
        return JsonResponse({"job": str(job.pk), "status": job.status, "url": url}, status=202)
    return HttpResponseRedirect(reverse("job", args=[job.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def dossier(request, project_id):
    """The audit dossier zip. A GET downloads it at once when it is small: it changes no
    project state; the download itself is recorded (audit row) like every other download. A
    big one (over ``settings.DOSSIER_BACKGROUND_BYTES`` of stored files) is packed in the
    background (documents/jobs.py): the GET page says so and its POST queues the job."""
    project = project_for_user(request.user, project_id)
    files, size = dossier_size(project)
    if request.method == "POST":
        job = jobs.start(
            doc_jobs.DOSSIER,
            actor=request.user,
            title=_("项目审计档案：%(name)s") % {"name": project.name},
            params={"project": project.pk},
        )
        return HttpResponseRedirect(reverse("job", args=[job.pk]))
    if size > settings.DOSSIER_BACKGROUND_BYTES:
        return render(
            request, "documents/dossier_background.html", {"project": project, "files": files, "size": size}
        )
    handle, filename = dossier_build(project, actor=request.user)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")


@login_required
@require_GET
def application_template(request):
    """The published Excel template for applications (办法第九条)."""
    response = HttpResponse(
        template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition("政务信息化项目建设需求申报模板.xlsx")
    return response
