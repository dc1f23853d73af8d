"""The application import page (办法第九条; issue 15): upload → preview → import the valid rows.

1. GET: the upload form.
2. POST ``step=preview`` with the file: nothing is written to the database. The file is
   checked row by row (``imports.import_preview``) and the page shows each row's status (可导入
   / 请核对 / 有误, with the messages). The file's bytes are kept in the documents storage
   under the person's own key and its SHA-256 in their session.
3. POST ``step=confirm`` with the digest shown on the preview: the digest must be the one in
   the person's session, the kept file must still have it; the file is read and checked again
   (never trusting row data sent by the browser), and the rows without errors are imported as
   drafts (audited, nothing submitted). ``step=discard`` forgets the kept file.

A POST without ``step`` (a script's upload) answers JSON and imports all or nothing, as before.
"""

from __future__ import annotations

import hashlib
import re
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifecycle.errors import RuleViolation
from projects.models import Call
from projects.params import row_id

from . import storage, uploads
from .imports import IMPORT_MAX_BYTES, applications_import, import_preview, read_content

SESSION_KEY = "documents.import_pending"
TEMPLATE = "documents/application_import.html"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _pending_key(user, digest: str) -> str:
    return f"imports/pending/{user.pk}/{digest}.xlsx"


def _forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict) and isinstance(pending.get("key"), str):
        storage.discard(pending["key"])


def _page(request, calls, status=200, **context):
    return render(request, TEMPLATE, {"calls": calls, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_import(request):
    """GET: the upload form. POST: preview, confirm or discard (module docstring); a POST
    without ``step``: JSON — the created projects (201) or every error with its row (400);
    a refusal by role or by 办法第八条 is 403."""
    calls = Call.objects.order_by("-year")
    if request.method == "GET":
        return _page(request, calls)
    step = request.POST.get("step", "")
    if step == "confirm":
        return _confirm(request, calls)
    if step == "discard":
        _forget(request)
        return HttpResponseRedirect(reverse("documents:application_import"))
    upload = request.FILES.get("file")
    stopped = uploads.refusal(request)
    call_id = row_id(request.POST.get("call"))
    call = calls.filter(pk=call_id).first() if call_id else None
    if step != "preview":
        return _json_import(request, upload, call, stopped)
    if stopped:
        return _page(request, calls, status=413, error=stopped)
    if upload is None or call is None:
        return _page(request, calls, status=400, error=_("请选择征集年度并上传填好的模板文件。"))
    content, too_big = read_content(upload)
    if too_big:
        return _page(request, calls, status=400, errors=[too_big])
    try:
        preview = import_preview(
            upload,
            call=call,
            organisation=request.user.organisation,
            actor=request.user,
            content=content,
        )
    except RuleViolation as exc:
        return _page(request, calls, status=403, error=exc.message)
    if preview.valid_rows:
        _forget(request)
        key = storage.save_bytes(_pending_key(request.user, preview.file_sha), content)
        request.session[SESSION_KEY] = {
            "sha": preview.file_sha,
            "call": call.pk,
            "name": preview.file_name[:200],
            "key": key,
        }
    return _page(request, calls, preview=preview, call=call)


def _confirm(request, calls):
    digest = request.POST.get("digest", "")
    pending = request.session.get(SESSION_KEY)
    if (
        not _DIGEST.match(digest)
        or not isinstance(pending, dict)
        or pending.get("sha") != digest
        or not isinstance(pending.get("key"), str)
    ):
        return _page(request, calls, status=400, error=_("预览已失效，请重新上传文件。"))
    call = calls.filter(pk=row_id(str(pending.get("call", "")))).first()
    try:
        with storage.open_file(pending["key"]) as handle:
            content = handle.read(IMPORT_MAX_BYTES + 1)
    except storage.StorageUnavailable:
        content = b""
    if call is None or hashlib.sha256(content).hexdigest() != digest:
        _forget(request)
        return _page(request, calls, status=400, error=_("预览已失效，请重新上传文件。"))
    try:
        result = applications_import(
            SimpleNamespace(name=str(pending.get("name", ""))),
            call=call,
            organisation=request.user.organisation,
            actor=request.user,
            partial=True,
            content=content,
        )
    except RuleViolation as exc:
        _forget(request)
        return _page(request, calls, status=403, error=exc.message)
    _forget(request)
    if not result.ok:
        return _page(request, calls, status=400, errors=result.errors)
    return _page(request, calls, result=result, call=call)


def _json_import(request, upload, call, stopped):
    if stopped:
        return JsonResponse({"errors": [{"text": stopped}]}, status=413)
    if upload is None or call is None:
        return JsonResponse({"errors": [{"text": _("请选择征集年度并上传填好的模板文件。")}]}, status=400)
    try:
        result = applications_import(
            upload, call=call, organisation=request.user.organisation, actor=request.user
        )
    except RuleViolation as exc:
        return JsonResponse({"errors": [{"text": exc.message}]}, status=403)
    if not result.ok:
        return JsonResponse({"errors": [e.as_dict() for e in result.errors]}, status=400)
    return JsonResponse({"projects": [{"id": p.pk, "name": p.name} for p in result.projects]}, status=201)
