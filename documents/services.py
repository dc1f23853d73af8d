"""Writes on materials: upload a version, delete an unlocked one, record a download.

Every function checks who acts, runs in one transaction and writes an audit row
(办法第三十五、三十九条: who did what and when, for every document).
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.states import ProjectState
from lifecycle import acting, audit
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from lifecycle.rules import OWNER, role_label
from projects.models import OrgKind, Project, User

from . import checks, evidence, storage
from .access import may_see
from .models import MaterialVersion, SignOff
from .registry import KINDS, UPLOADS, MaterialKind, step_for


class Upload(Protocol):
    """What ``material_upload`` needs of an upload: a Django UploadedFile, or any file with
    a ``name`` and a ``size`` that can be read."""

    name: str
    size: int

    def read(self, size: int = ..., /) -> bytes: ...


def _who(org: str, roles: Iterable[str]) -> str:
    who = _("本项目建设单位") if org == OWNER else str(OrgKind(org).label)
    return who + "或".join(role_label(r) for r in sorted(roles, key=["preparer", "reviewer", "head"].index))


def _states_text(states: Iterable[str]) -> str:
    return "、".join(f"“{label}”" for value, label in ProjectState.choices if value in states)


def upload_rule_text(kind: str) -> str:
    """Who may upload ``kind`` and when, in words (for refusals and the upload form)."""
    rule = UPLOADS[kind]
    return _("“%(kind)s”须由%(who)s在项目处于%(states)s时上传（办法%(article)s）") % {
        "kind": MaterialKind(kind).label,
        "who": _who(rule.org, rule.roles),
        "states": _states_text(rule.states),
        "article": rule.article,
    }


def _upload_refused(project: Project, actor: User, kind: str, seen: bool | None) -> str | None:
    """Which rule of ``upload_refusal`` refuses, without its message (one place for the
    rules; the project page asks it for every kind, issue 10)."""
    if kind not in MaterialKind.values:
        return "kind"
    rule = UPLOADS[kind]
    org = getattr(actor, "organisation", None)
    if org is None or not (may_see(actor, project) if seen is None else seen):
        return "outsider"
    right_org = (
        (org.kind == OWNER and org.pk == project.owner_id) if rule.org == OWNER else org.kind == rule.org
    )
    if not right_org or not acting.authorise(actor, rule.roles):  # own role or lent (issue 12)
        return "permission"
    if rule.commissioned and org.pk != getattr(project, f"{rule.commissioned}_id", None):
        return "commissioned"
    if rule.classified_only and not project.classified:
        return "classified"
    if project.state not in rule.states:
        return "stage"
    return None


def upload_refusal(
    project: Project, actor: User, kind: str, *, seen: bool | None = None
) -> RuleViolation | None:
    """Why ``actor`` may not upload ``kind`` for ``project`` now, or None (registry.UPLOADS).

    code ``permission``: not the organisation or role the 办法 names; ``stage``: the right
    person at the wrong time. Both are shown as 403 by the view; outsiders who may not see
    the project get 404 before this is asked."""
    refused = _upload_refused(project, actor, kind, seen)
    if refused is None:
        return None
    if refused == "kind":
        return RuleViolation(_("未知的材料类型。"), code="kind")
    rule = UPLOADS[kind]
    if refused == "outsider":
        return RuleViolation(_("无权为本项目上传材料。"), code="permission")
    if refused == "permission":
        return RuleViolation(
            upload_rule_text(kind) + _("，您无权上传。"), code="permission", article=rule.article
        )
    if refused == "commissioned":
        # 办法第三十三条: the organisation the bureau commissioned, not any of its kind.
        return RuleViolation(
            _("“%(kind)s”只能由省营商环境局委托的机构上传（办法%(article)s），您的单位未受委托。")
            % {"kind": MaterialKind(kind).label, "article": rule.article},
            code="permission",
            article=rule.article,
        )
    if refused == "classified":
        return RuleViolation(
            _("本项目不涉及国家秘密，无需上传“%(kind)s”（办法%(article)s）。")
            % {"kind": MaterialKind(kind).label, "article": rule.article},
            code="stage",
            article=rule.article,
        )
    return RuleViolation(
        upload_rule_text(kind) + _("；本项目当前为“%(state)s”。") % {"state": project.get_state_display()},
        code="stage",
        article=rule.article,
    )


def uploadable_kinds(
    project: Project, actor: User, *, seen: bool | None = None
) -> list[tuple[str, StrOrPromise]]:
    """The kinds ``actor`` may upload for ``project`` now, as (value, label) choices.
    ``seen``: ``may_see(actor, project)`` when the caller knows it already."""
    seen = getattr(actor, "organisation", None) is not None and (
        may_see(actor, project) if seen is None else seen
    )
    return [
        (value, label)
        for value, label in MaterialKind.choices
        if _upload_refused(project, actor, value, seen) is None
    ]


def _check_evidence_fields(
    kind: str, issued_on: datetime.date | None, issuing_body: str
) -> tuple[datetime.date | None, str]:
    """办法第十八、二十三、二十九、三十一、三十二条: a document behind a precondition carries
    its date (not in the future) and its issuing body."""
    rule = UPLOADS[kind]
    issuing_body = (issuing_body or "").strip()
    if not rule.dated:
        return None, ""
    if issued_on is None or not issuing_body:
        raise RuleViolation(
            _("上传“%(kind)s”须填写文件上的出具日期和出具单位（办法%(article)s）。")
            % {"kind": MaterialKind(kind).label, "article": rule.article},
            code="evidence",
            article=rule.article,
        )
    if issued_on > timeutil.today():
        raise RuleViolation(
            _("“%(kind)s”的出具日期%(date)s晚于今天，请按文件上的日期填写。")
            % {"kind": MaterialKind(kind).label, "date": issued_on.isoformat()},
            code="evidence",
            article=rule.article,
        )
    if len(issuing_body) > 100:
        raise RuleViolation(_("出具单位名称不能超过100个字。"), code="evidence", article=rule.article)
    return issued_on, issuing_body


def material_upload(
    project: Project,
    *,
    actor: User,
    kind: str,
    upload: Upload,
    note: str = "",
    issued_on: datetime.date | None = None,
    issuing_body: str = "",
) -> MaterialVersion:
    """Store ``upload`` (a Django UploadedFile or any file with ``name`` and ``size``) as the
    next version of ``kind``.

    Side effects: the file is checked (size, type by content, safe name) and stored under a
    generated key; a MaterialVersion row with SHA-256 and SM3 digests; an audit row
    ``material.uploaded`` — which, when an earlier version was covered by a sign-off, names
    those sign-offs as now covering an older version; for evidence (registry.DERIVED_DATES)
    the project's date field is derived again from the newest version.

    Refused (RuleViolation) unless registry.UPLOADS lets ``actor`` upload ``kind`` in the
    project's present state; a dated kind needs ``issued_on`` (not in the future) and
    ``issuing_body``.
    """
    refusal = upload_refusal(project, actor, kind)
    if refusal is not None:
        raise refusal
    issued_on, issuing_body = _check_evidence_fields(kind, issued_on, issuing_body)
    display, file_type = checks.check_upload(upload, upload.name, upload.size)
    sha, sm3, size = storage.digests_of_file(upload)
    ext = os.path.splitext(display)[1].lower()
    key = storage.save(f"materials/{project.pk}/{kind}/{uuid.uuid4().hex}{ext}", upload)
    try:
        with transaction.atomic():
            # Lock the project row so two uploads of one kind cannot take the same number, and
            # ask the rule again on the state as it is now (a step may have moved it meanwhile).
            current = type(project).objects.select_for_update().get(pk=project.pk)
            refusal = upload_refusal(current, actor, kind)
            if refusal is not None:
                raise refusal
            last = (
                MaterialVersion.objects.filter(project=project, kind=kind).aggregate(n=Max("number"))["n"]
                or 0
            )
            version = MaterialVersion.objects.create(
                project=project,
                kind=kind,
                number=last + 1,
                original_name=display,
                file_type=file_type,
                storage_key=key,
                size=size,
                sha256=sha,
                sm3=sm3,
                note=note,
                uploaded_by=actor,
                uploaded_at=timeutil.now(),
                issued_on=issued_on,
                issuing_body=issuing_body,
            )
            outdated = list(
                SignOff.objects.filter(version__project=project, version__kind=kind).values_list(
                    "label", "version__number"
                )
            )
            audit.record(
                actor=actor,
                action="material.uploaded",
                obj=project,
                label=_("上传%(kind)s第%(n)s版") % {"kind": version.get_kind_display(), "n": version.number},
                article=KINDS[kind].article,
                from_state=project.state,
                to_state=project.state,
                data={
                    "version": version.pk,
                    "kind": kind,
                    "number": version.number,
                    "name": display,
                    "size": size,
                    "sha256": sha,
                    "sm3": sm3,
                    **({"issued_on": issued_on, "issuing_body": issuing_body} if issued_on else {}),
                    **(
                        {"signoffs_now_outdated": [f"{label}（第{n}版）" for label, n in outdated]}
                        if outdated
                        else {}
                    ),
                },
            )
            evidence.derive_dates(project, kind)
    except BaseException:
        storage.discard(key)  # the row was rolled back: no file without its row
        raise
    return version


def material_delete(version: MaterialVersion, *, actor: User) -> None:
    """Delete a version uploaded by mistake. A locked version (gone out with a submitted
    step) is refused. Side effects: row and stored file removed; audit row with digests."""
    if version.locked:
        raise RuleViolation(
            _("该版本已随“%(step)s”报送，不能删除或替换；如需更正，请上传新版本。")
            % {"step": version.locked_by_action},
            code="locked",
        )
    # Who may upload a kind now may take back an unlocked version of it, nobody else.
    refusal = upload_refusal(version.project, actor, version.kind)
    if refusal is not None:
        raise RuleViolation(
            _("无权删除本项目的该材料：") + refusal.message, code=refusal.code, article=refusal.article
        )
    key = version.storage_key
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="material.deleted",
            obj=version.project,
            label=_("删除%(kind)s第%(n)s版") % {"kind": version.get_kind_display(), "n": version.number},
            article=KINDS[version.kind].article,
            from_state=version.project.state,
            to_state=version.project.state,
            data={
                "kind": version.kind,
                "number": version.number,
                "name": version.original_name,
                "sha256": version.sha256,
                "sm3": version.sm3,
            },
        )
        kind, project = version.kind, version.project
        version.delete()
        evidence.derive_dates(project, kind)
        transaction.on_commit(lambda: storage.delete(key))


def material_open(version: MaterialVersion, *, actor: User) -> File:
    """Open a version for download by ``actor`` (who must be allowed to see the project).
    Side effect: audit row ``material.downloaded``."""
    if not may_see(actor, version.project):
        raise RuleViolation(_("无权查看本项目的材料。"), code="permission")
    handle = storage.open_file(version.storage_key)  # first: no "downloaded" row for a file not given
    try:
        audit.record(
            actor=actor,
            action="material.downloaded",
            obj=version.project,
            label=_("下载%(kind)s第%(n)s版") % {"kind": version.get_kind_display(), "n": version.number},
            from_state=version.project.state,
            to_state=version.project.state,
            data={"version": version.pk, "sha256": version.sha256},
        )
    except BaseException:
        handle.close()
        raise
    return handle


def latest_versions(project: Project, kinds: Iterable[str]) -> list[MaterialVersion]:
    result: list[MaterialVersion] = []
    for kind in kinds:
        v = MaterialVersion.objects.filter(project=project, kind=kind).order_by("-number").first()
        if v is not None:
            result.append(v)
    return result


def on_step_recorded(
    *, obj: Project, action: str, entry: AuditEntry, data: dict[str, Any], **kwargs: Any
) -> None:
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
        locked_at=now, locked_by_action=entry.action_label or action
    )
    if step.signoff:
        SignOff.objects.bulk_create(
            [
                SignOff(
                    project_id=obj.pk,
                    audit_entry=entry,
                    opinion=data.get("opinion"),
                    version=v,
                    label=str(entry.action_label or action)[:100],
                    signed_at=entry.at,
                )
                for v in versions
            ]
        )


def signoff_status(
    project: Project, versions: list[MaterialVersion] | None = None, entries: list | None = None
) -> list[dict[str, Any]]:
    """Every sign-off of the project with the version it covered and, when a newer version
    came later, which one — for screens and the audit dossier. ``versions`` (every material
    version of the project) and ``entries`` (every audit row of the project), when already
    loaded: the project page asks no query per sign-off and joins nothing (issue 10)."""
    rows: list[dict[str, Any]] = []
    signoffs = None
    if versions is not None and entries is not None:
        by_version = {v.pk: v for v in versions}
        by_entry = {e.pk: e for e in entries}
        signoffs = list(SignOff.objects.filter(project=project))
        if all(s.version_id in by_version and s.audit_entry_id in by_entry for s in signoffs):
            for s in signoffs:
                s.version, s.audit_entry = by_version[s.version_id], by_entry[s.audit_entry_id]
        else:  # a row loaded elsewhere (not expected): as without them
            signoffs = None
    if signoffs is None:
        signoffs = list(SignOff.objects.filter(project=project).select_related("version", "audit_entry"))
    for s in signoffs:
        if versions is None:
            newest = s.newer_versions().order_by("-number").first()
        else:
            newer = [v for v in versions if v.kind == s.version.kind and v.number > s.version.number]
            newest = max(newer, key=lambda v: v.number) if newer else None
        rows.append(
            {
                "signoff": s,
                "label": s.label,
                "signed_at": s.signed_at,
                "by": s.audit_entry.actor_name,
                "kind": s.version.get_kind_display(),
                "covered": s.version.number,
                "newest": newest.number if newest else s.version.number,
                "outdated": newest is not None,
            }
        )
    return rows
