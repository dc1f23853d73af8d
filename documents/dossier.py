"""The audit dossier of one project: every material version, every generated filing with its
snapshot, the full history as a PDF and a manifest of digests — one zip file.

It is what 省审计厅 (办法第三十七条) or an acceptance panel takes away: the files exactly as
stored, and a manifest (SHA-256 and SM3, GB/T 32905) by which each file can be checked
later against the zip and against the rows of the system.

The zip is written to a temporary file that stays in memory only while small, and each
stored file is copied in chunks, so a project with gigabytes of material never sits in
memory whole.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import timeutil
from core.filenames import download_name
from core.formatting import date_text
from core.states import ProjectState
from lifecycle import audit, stepdata
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry

from . import pdf, storage
from .access import may_see
from .models import Filing, MaterialVersion

#: Beyond this size the temporary zip moves from memory to disk.
IN_MEMORY_LIMIT = 8 * 1024 * 1024
MANIFEST = "manifest.json"
HISTORY = "项目全过程记录.pdf"

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip(". ")[:120] or "file"


def _state_label(slug: str) -> str:
    if not slug:
        return ""
    try:
        return str(ProjectState(slug).label)
    except ValueError:
        return slug  # a plan's or a change's state: shown as stored


def history_snapshot(project) -> dict:
    """Every audit row of the project as a form snapshot (rendered by documents/form.html:
    header rows repeat on every page, every page says 第 X 页 共 Y 页)."""
    rows = []
    entries = AuditEntry.objects.filter(project=project).select_related("organisation").order_by("at", "pk")
    for i, e in enumerate(entries, 1):
        when = f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}"
        if e.data.get("as_of"):
            # Entered after the fact (timeutil.as_of): the day the step took effect too.
            when += _("（生效日 %s）") % e.data["as_of"]
        change = ""
        if e.from_state != e.to_state:
            change = f"{_state_label(e.from_state)} → {_state_label(e.to_state)}"
        rows.append(
            {
                "style": "",
                "cells": [
                    str(i),
                    when,
                    e.actor_shown,
                    e.organisation.name if e.organisation_id else "",
                    (e.action_label or e.action)
                    + (
                        _("（文号：%s）") % stepdata.document_no(e.data)
                        if stepdata.document_no(e.data)
                        else ""
                    ),
                    change,
                    e.reason,
                    (_("是") if e.override else ""),
                    e.article,
                ],
            }
        )
    header = [
        [
            {"label": str(label), "colspan": 1, "rowspan": 1}
            for label in (
                _("序号"),
                _("时间"),
                _("操作人"),
                _("所属机构"),
                _("操作"),
                _("状态变化"),
                _("理由"),
                _("例外放行"),
                _("依据"),
            )
        ]
    ]
    return {
        "template": "documents/form.html",
        "title": _("项目全过程记录"),
        "document_no": "",
        "subtitle": project.name,
        "landscape": True,
        "form_code": _("办法第三十五、三十九条"),
        "date_text": date_text(timeutil.today()),
        "meta": [
            _("项目建设单位：%s") % project.owner.name,
            _("当前阶段：%s") % project.get_state_display(),
            _("生成日期：%s") % date_text(timeutil.today()),
        ],
        "sections": [
            {
                "type": "table",
                "heading": "",
                "header_rows": header,
                "rows": rows,
                "numeric": [],
                "centred": [0, 7],
                "width": 9,
                "widths": [5, 11, 9, 15, 16, 16, 18, 5, 5],
            }
        ],
    }


class _Writer:
    """Adds members to the zip while computing their digests for the manifest."""

    def __init__(self, zf):
        self.zf = zf
        self.entries = []

    def add_stream(self, name: str, source, *, expected_sha256: str = "") -> None:
        sha, sm3, size = hashlib.sha256(), hashlib.new("sm3"), 0
        with self.zf.open(name, "w", force_zip64=True) as out:
            while chunk := source.read(storage.CHUNK):
                out.write(chunk)
                sha.update(chunk)
                sm3.update(chunk)
                size += len(chunk)
        entry = {"path": name, "size": size, "sha256": sha.hexdigest(), "sm3": sm3.hexdigest()}
        if expected_sha256:
            # A stored file that no longer matches its row is reported, not hidden.
            entry["matches_record"] = entry["sha256"] == expected_sha256
        self.entries.append(entry)

    def add_bytes(self, name: str, data: bytes) -> None:
        sha, sm3 = storage.digests(data)
        self.zf.writestr(name, data)
        self.entries.append({"path": name, "size": len(data), "sha256": sha, "sm3": sm3})


def dossier_size(project) -> tuple[int, int]:
    """(number of stored files, their bytes) the dossier of ``project`` packs: two queries."""
    materials = MaterialVersion.objects.filter(project=project).aggregate(n=Count("pk"), b=Sum("size"))
    filed = Filing.objects.filter(project=project).aggregate(n=Count("pk"), b=Sum("size"))
    return (materials["n"] + filed["n"], (materials["b"] or 0) + (filed["b"] or 0))


def dossier_build(project, *, actor):
    """The audit dossier of ``project`` for ``actor`` (办法第三十七条; ``actor`` may see the project).

    Returns ``(file, filename)``: an open temporary file positioned at its start; the caller
    closes it (a FileResponse does). Side effects: an audit row ``dossier.downloaded`` with
    the digests of the manifest; nothing else is written (the history PDF lives only in the
    zip).
    """
    if not may_see(actor, project):
        raise RuleViolation(_("无权查看本项目。"), code="permission")
    # Handed to FileResponse, which closes it after streaming; a with-block would close it first.
    out = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_LIMIT)  # noqa: SIM115
    try:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            writer = _Writer(zf)
            for v in MaterialVersion.objects.filter(project=project).order_by("kind", "number"):
                name = f"材料/{_safe(v.get_kind_display())}/第{v.number}版_{_safe(v.original_name)}"
                with storage.open_file(v.storage_key) as fh:
                    writer.add_stream(name, fh, expected_sha256=v.sha256)
            for f in Filing.objects.filter(project=project).order_by("generated_at", "pk"):
                base = f"文书/{f.pk:05d}_{_safe(f.get_kind_display())}"
                if f.document_no:
                    base += f"_{_safe(f.document_no)}"
                with storage.open_file(f.storage_key) as fh:
                    writer.add_stream(base + ".pdf", fh, expected_sha256=f.sha256)
                writer.add_bytes(
                    base + ".snapshot.json",
                    json.dumps(f.snapshot, ensure_ascii=False, indent=2, sort_keys=True).encode(),
                )
            history, _pages = pdf.render("documents/form.html", history_snapshot(project))
            writer.add_bytes(HISTORY, history)
            manifest = {
                "project": {
                    "id": project.pk,
                    "name": project.name,
                    "owner": project.owner.name,
                    "state": project.state,
                },
                "generated_at": timeutil.now().isoformat(),
                "generated_by": str(actor),
                "files": writer.entries,
            }
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            zf.writestr(MANIFEST, manifest_bytes)
        sha, sm3 = storage.digests(manifest_bytes)
        audit.record(
            actor=actor,
            action="dossier.downloaded",
            obj=project,
            label=_("下载项目审计档案"),
            from_state=project.state,
            to_state=project.state,
            data={"files": len(writer.entries), "manifest_sha256": sha, "manifest_sm3": sm3},
        )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    # Issue 15: the project's name and the day the dossier was built.
    return out, download_name(project.name, subject=_("审计档案"), day=timeutil.today(), ext="zip")
