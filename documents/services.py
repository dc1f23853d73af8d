"""Writes on materials: upload a version, delete an unlocked one, record a download.

Every function checks who acts, runs in one transaction and writes an audit row
(办法第三十五、三十九条: who did what and when, for every document).
"""

from __future__ import annotations

import os
import uuid

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lifecycle import audit, timeutil
from lifecycle.errors import RuleViolation
from lifecycle.rules import REVIEWERS, STAFF

from . import checks, storage
from .access import may_see
from .models import MaterialVersion, SignOff
from .registry import KINDS, MaterialKind, step_for


def _may_upload(project, actor) -> bool:
    """The owner's 经办人/负责人, or the 审核人/负责人 of a provincial agency (for the
    documents it issues, e.g. 档案验收意见). 省审计厅 only reads (办法第三十七条)."""
    org = getattr(actor, "organisation", None)
    if org is None or not may_see(actor, project):
        return False
    if org.kind == "owner":
        return org.pk == project.owner_id and actor.role in STAFF
    return org.kind not in ("audit", "expert") and actor.role in REVIEWERS


def material_upload(project, *, actor, kind: str, upload, note: str = "") -> MaterialVersion:
    """Store ``upload`` (a Django UploadedFile or any file with ``name`` and ``size``) as the
    next version of ``kind``.

    Side effects: the file is checked (size, type by content, safe name) and stored under a
    generated key; a MaterialVersion row with SHA-256 and SM3 digests; an audit row
    ``material.uploaded`` — which, when an earlier version was covered by a sign-off, names
    those sign-offs as now covering an older version.
    """
    if kind not in MaterialKind.values:
        raise RuleViolation(_("未知的材料类型。"), code="kind")
    if not _may_upload(project, actor):
        raise RuleViolation(_("无权为本项目上传材料。"), code="permission")
    display, file_type = checks.check_upload(upload, upload.name, upload.size)
    sha, sm3, size = storage.digests_of_file(upload)
    ext = os.path.splitext(display)[1].lower()
    key = storage.save(f"materials/{project.pk}/{kind}/{uuid.uuid4().hex}{ext}", upload)
    try:
        with transaction.atomic():
            # Lock the project row so two uploads of one kind cannot take the same number.
            type(project).objects.select_for_update().filter(pk=project.pk).exists()
            last = MaterialVersion.objects.filter(project=project, kind=kind).aggregate(n=Max("number"))["n"] or 0
            version = MaterialVersion.objects.create(
                project=project, kind=kind, number=last + 1, original_name=display, file_type=file_type,
                storage_key=key, size=size, sha256=sha, sm3=sm3, note=note, uploaded_by=actor,
                uploaded_at=timeutil.now())
            outdated = list(SignOff.objects.filter(version__project=project, version__kind=kind)
                            .values_list("label", "version__number"))
            audit.record(
                actor=actor, action="material.uploaded", obj=project,
                label=_("上传%(kind)s第%(n)s版") % {"kind": version.get_kind_display(), "n": version.number},
                article=KINDS[kind].article, from_state=project.state, to_state=project.state,
                data={"version": version.pk, "kind": kind, "number": version.number, "name": display,
                      "size": size, "sha256": sha, "sm3": sm3,
                      **({"signoffs_now_outdated": [f"{label}（第{n}版）" for label, n in outdated]}
                         if outdated else {})})
    except BaseException:
        storage.delete(key)
        raise
    return version


def material_delete(version: MaterialVersion, *, actor) -> None:
    """Delete a version uploaded by mistake. A locked version (gone out with a submitted
    step) is refused. Side effects: row and stored file removed; audit row with digests."""
    if version.locked:
        raise RuleViolation(_("该版本已随“%(step)s”报送，不能删除或替换；如需更正，请上传新版本。") % {
            "step": version.locked_by_action}, code="locked")
    if not _may_upload(version.project, actor):
        raise RuleViolation(_("无权删除本项目的材料。"), code="permission")
    key = version.storage_key
    with transaction.atomic():
        audit.record(actor=actor, action="material.deleted", obj=version.project,
                     label=_("删除%(kind)s第%(n)s版") % {"kind": version.get_kind_display(), "n": version.number},
                     article=KINDS[version.kind].article, from_state=version.project.state,
                     to_state=version.project.state,
                     data={"kind": version.kind, "number": version.number, "name": version.original_name,
                           "sha256": version.sha256, "sm3": version.sm3})
        version.delete()
        transaction.on_commit(lambda: storage.delete(key))


def material_open(version: MaterialVersion, *, actor):
    """Open a version for download by ``actor`` (who must be allowed to see the project).
    Side effect: audit row ``material.downloaded``."""
    if not may_see(actor, version.project):
        raise RuleViolation(_("无权查看本项目的材料。"), code="permission")
    audit.record(actor=actor, action="material.downloaded", obj=version.project,
                 label=_("下载%(kind)s第%(n)s版") % {"kind": version.get_kind_display(), "n": version.number},
                 from_state=version.project.state, to_state=version.project.state,
                 data={"version": version.pk, "sha256": version.sha256})
    return storage.open_file(version.storage_key)


def latest_versions(project, kinds) -> list[MaterialVersion]:
    result = []
    for kind in kinds:
        v = MaterialVersion.objects.filter(project=project, kind=kind).order_by("-number").first()
        if v is not None:
            result.append(v)
    return result


def on_step_recorded(*, obj, action: str, entry, data: dict, **kwargs) -> None:
    """Called for every step taken on a project (lifecycle.events.step_taken, signals.py),
    inside the step's transaction, with the step's action (transition name or
    lifecycle.events.Action constant) and its audit row ``entry``.

    A step listed in registry.STEPS locks the latest version of each of its kinds; a
    sign-off step also records which versions it covered (SignOff rows).
    """
    step = step_for(action, data)
    if step is None:
        return
    versions = latest_versions(obj, step.kinds)
    if not versions:
        return
    now = timeutil.now()
    MaterialVersion.objects.filter(pk__in=[v.pk for v in versions], locked_at__isnull=True).update(
        locked_at=now, locked_by_action=entry.action_label or action)
    if step.signoff:
        SignOff.objects.bulk_create([
            SignOff(project_id=obj.pk, audit_entry=entry, opinion=data.get("opinion"), version=v,
                    label=str(entry.action_label or action)[:100], signed_at=entry.at)
            for v in versions])


def signoff_status(project) -> list[dict]:
    """Every sign-off of the project with the version it covered and, when a newer version
    came later, which one — for screens and the audit dossier."""
    rows = []
    for s in SignOff.objects.filter(project=project).select_related("version", "audit_entry"):
        newest = s.newer_versions().order_by("-number").first()
        rows.append({"signoff": s, "label": s.label, "signed_at": s.signed_at, "by": s.audit_entry.actor_name,
                     "kind": s.version.get_kind_display(), "covered": s.version.number,
                     "newest": newest.number if newest else s.version.number, "outdated": newest is not None})
    return rows
