"""Evidence behind the preconditions of the 办法, and the agencies' confirmations of it.

A precondition that rests on a document is met by the document itself, not by a date the
department types (issue 7, "preconditions on the owner's say-so"):

* 第十五条 报送可行性研究报告 — the 可行性研究报告 uploaded;
* 第十八条 报送初步设计方案 — the 初步设计方案 and the 可研批复文件 (with its date and issuer);
* 第二十三条 验收 — the 密码应用安全性评估报告 (date and issuing body);
* 第三十一条 验收 — the 档案验收意见 (date and issuing body);
* 第三十二条 投入使用 of a classified system — the 保密测评审查意见 uploaded *and confirmed*
  by the 保密行政管理部门 (``secrecy``);
* 第二十九条 投入运行 — the 验收报告 uploaded by the department *and its receipt confirmed*
  by 省营商环境局 (验收报告等材料报省营商环境局备案).

``evidence_missing`` says in Chinese what is missing and who must act; the guards of
lifecycle/guards.py use it. ``evidence_confirm`` is the agency's audited step.
``derive_dates`` keeps the project's date fields (archive_accepted_on, …) equal to what the
evidence says: they are no longer typed by anyone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core import timeutil
from lifecycle import acting, audit
from lifecycle.errors import RuleViolation
from lifecycle.events import Action
from lifecycle.rules import OWNER, role_label
from projects.models import OrgKind, Project

from .models import EvidenceConfirmation, MaterialVersion, SignOff
from .registry import CONFIRMS, DERIVED_DATES, UPLOADS, MaterialKind


def latest(project, kind: str) -> MaterialVersion | None:
    if project.pk is None:
        return None
    return MaterialVersion.objects.filter(project=project, kind=kind).order_by("-number").first()


def _org_text(org: str) -> str:
    return _("本项目建设单位") if org == OWNER else str(OrgKind(org).label)


def evidence_missing(project, kind: str) -> str | None:
    """None when the newest version of ``kind`` is complete evidence; otherwise what is
    missing and who must act, in Chinese."""
    label = MaterialKind(kind).label
    rule = UPLOADS[kind]
    version = latest(project, kind)
    if version is None:
        return _("尚未上传“%(kind)s”（须由%(who)s上传）") % {"kind": label, "who": _org_text(rule.org)}
    if rule.dated and (version.issued_on is None or not version.issuing_body):
        return _("“%(kind)s”第%(n)s版未注明出具日期和出具单位（须由%(who)s重新上传并填写）") % {
            "kind": label,
            "n": version.number,
            "who": _org_text(rule.org),
        }
    confirm = CONFIRMS.get(kind)
    if confirm is not None and not EvidenceConfirmation.objects.filter(version=version).exists():
        return _("“%(kind)s”第%(n)s版尚待%(org)s%(step)s") % {
            "kind": label,
            "n": version.number,
            "org": _org_text(confirm.org),
            "step": confirm.label,
        }
    return None


def derive_dates(project, kind: str) -> None:
    """Set the project's date field for ``kind`` from the evidence: the newest version's
    date, or — where an agency confirms — the confirmed date (the 测评审查 opinion's date for
    第三十二条, the day the bureau received the filing for 第二十九条); empty otherwise."""
    field = DERIVED_DATES.get(kind)
    if field is None:
        return
    version = latest(project, kind)
    value = None
    if version is not None:
        if kind in CONFIRMS:
            confirmation = EvidenceConfirmation.objects.filter(version=version).first()
            if confirmation is not None:
                value = (
                    version.issued_on
                    if kind == MaterialKind.SECRECY_EVALUATION
                    else confirmation.confirmed_on
                )
        else:
            value = version.issued_on
    type(project).objects.filter(pk=project.pk).update(**{field: value})
    setattr(project, field, value)


def confirm_refusal(project, actor, kind: str) -> RuleViolation | None:
    """Why ``actor`` may not confirm ``kind`` now, or None (registry.CONFIRMS)."""
    confirm = CONFIRMS.get(kind)
    if confirm is None:
        return RuleViolation(_("该材料无需确认。"), code="kind")
    org = getattr(actor, "organisation", None)
    if org is None or org.kind != confirm.org or not acting.authorise(actor, confirm.roles):
        return RuleViolation(
            _("%(step)s须由%(org)s%(roles)s办理（办法%(article)s）。")
            % {
                "step": confirm.label,
                "org": _org_text(confirm.org),
                "roles": "或".join(role_label(r) for r in sorted(confirm.roles)),
                "article": confirm.article,
            },
            code="permission",
            article=confirm.article,
        )
    if UPLOADS[kind].classified_only and not project.classified:
        return RuleViolation(
            _("本项目不涉及国家秘密，无需%(step)s（办法%(article)s）。")
            % {"step": confirm.label, "article": confirm.article},
            code="stage",
            article=confirm.article,
        )
    if project.state not in confirm.states:
        return RuleViolation(
            _("项目当前为“%(state)s”，不能%(step)s（办法%(article)s）。")
            % {"state": project.get_state_display(), "step": confirm.label, "article": confirm.article},
            code="stage",
            article=confirm.article,
        )
    version = latest(project, kind)
    rule = UPLOADS[kind]
    if version is None or (rule.dated and (version.issued_on is None or not version.issuing_body)):
        return RuleViolation(
            _("不能%(step)s：%(missing)s（办法%(article)s）。")
            % {"step": confirm.label, "missing": evidence_missing(project, kind), "article": confirm.article},
            code="evidence",
            article=confirm.article,
        )
    if EvidenceConfirmation.objects.filter(version=version).exists():
        return RuleViolation(
            _("“%(kind)s”第%(n)s版已确认。") % {"kind": MaterialKind(kind).label, "n": version.number},
            code="done",
            article=confirm.article,
        )
    return None


def confirmable_kinds(project, actor) -> list[tuple[str, str, MaterialVersion]]:
    """(kind, label of the step, version) that ``actor`` may confirm now."""
    result = []
    for kind, confirm in CONFIRMS.items():
        if confirm_refusal(project, actor, kind) is None:
            result.append((kind, str(confirm.label), latest(project, kind)))
    return result


def evidence_confirm(project, kind: str, *, actor) -> EvidenceConfirmation:
    """The agency's own step confirming the newest version of ``kind`` (办法第二十九、三十二条).

    Side effects, in one transaction: an EvidenceConfirmation row for that exact version; a
    SignOff row (the confirmation covers that version, and is flagged if a newer one comes);
    the version is locked (no longer deletable);
    an audit row ``evidence.confirmed`` with the version's digests, date and issuer; the
    project's derived date (registry.DERIVED_DATES). Refused with a Chinese RuleViolation
    for anyone but the agency's 审核人/负责人, in another state, or without complete evidence.
    """
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        refusal = confirm_refusal(project, actor, kind)
        if refusal is not None:
            raise refusal
        confirm = CONFIRMS[kind]
        version = latest(project, kind)
        entry = audit.record(
            actor=actor,
            action=Action.EVIDENCE_CONFIRMED,
            obj=project,
            label=_("%(step)s（%(kind)s第%(n)s版）")
            % {"step": confirm.label, "kind": version.get_kind_display(), "n": version.number},
            article=confirm.article,
            from_state=project.state,
            to_state=project.state,
            data={
                "kind": kind,
                "version": version.pk,
                "number": version.number,
                "sha256": version.sha256,
                "sm3": version.sm3,
                "issued_on": version.issued_on,
                "issuing_body": version.issuing_body,
            },
        )
        confirmation = EvidenceConfirmation.objects.create(
            project=project,
            kind=kind,
            version=version,
            organisation=actor.organisation,
            confirmed_by=actor,
            confirmed_on=timeutil.today(),
            confirmed_at=timeutil.now(),
            audit_entry=entry,
        )
        SignOff.objects.create(
            project=project,
            audit_entry=entry,
            version=version,
            label=str(confirm.label)[:100],
            signed_at=confirmation.confirmed_at,
        )
        # What an agency confirmed stays as it was: the version can no longer be deleted.
        MaterialVersion.objects.filter(pk=version.pk, locked_at__isnull=True).update(
            locked_at=confirmation.confirmed_at, locked_by_action=str(confirm.label)[:60]
        )
        derive_dates(project, kind)
    return confirmation
