"""办法第十三条: cross-department projects (跨部门共建共享).

The lead department (the project's owner) lists the participating departments with their
part, business flow, data flow and system interfaces (``Participant``); each participating
department's 负责人 confirms its part before the lead submits (``participant_confirm``; the
``submit`` step's guard ``lifecycle.guards.participants_confirmed`` refuses an unconfirmed
one); the lead editing a participant's part clears that confirmation
(``clear_edited_confirmations``). The bureau sees the overlap with other applications of the
same call (``overlaps``): the same participating department named elsewhere, and similar
content (projects.similarity), so that 各部门建设内容无重复交叉.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from core import timeutil
from core.states import ProjectState as S
from core.vocabulary import OrgKind, Role
from lifecycle import acting, audit
from lifecycle.errors import RuleViolation
from lifecycle.policy import get_policy
from lifecycle.rules import STAFF

from .models import Participant, Project, User
from .similarity import similarity

#: The states in which the lead edits the application (projects.services.EDITABLE_STATES),
#: and so in which a participating department confirms its part.
CONFIRM_STATES = frozenset({S.DRAFT, S.CORRECTING})

CONFIRMED = "participant.confirmed"
CLEARED = "participant.confirmation_cleared"


def participant_of(user: Any, project: Project) -> Participant | None:
    """The row of ``project`` naming ``user``'s department as a participant, if any."""
    if getattr(user, "organisation_id", None) is None:
        return None
    return project.participants.filter(organisation_id=user.organisation_id).first()


def is_participant_staff(user: Any, project: Project) -> bool:
    """The 经办人 or 负责人 of a department taking part in ``project`` (办法第十三条)."""
    return (
        getattr(user, "role", None) in STAFF
        and user.organisation is not None
        and user.organisation.kind == OrgKind.OWNER
        and user.organisation_id != project.owner_id
        and participant_of(user, project) is not None
    )


def _part(participant: Participant) -> dict[str, Any]:
    return {
        "participant": participant.pk,
        "organisation": participant.organisation.name,
        "part": participant.part,
        "business_flow": participant.business_flow,
        "data_flow": participant.data_flow,
        "interfaces": participant.interfaces,
    }


def participant_confirm(participant: Participant, *, actor: User) -> Participant:
    """办法第十三条 (牵头部门会同参建部门): the participating department's 负责人 confirms the
    part the lead wrote for it. Refused for anyone else, outside drafting and 陈述和补正, and
    when already confirmed. Side effects: ``confirmed_at``/``confirmed_by`` set; an audit row
    ``participant.confirmed`` on the project with the confirmed part."""
    project = participant.project
    if participant.organisation_id == project.owner_id:
        raise RuleViolation(
            _("牵头部门不能同时作为参建部门，请在申报材料中删除该行（办法第十三条）。"),
            code="lead",
            article="第十三条",
        )
    if (
        actor.organisation_id != participant.organisation_id
        or not acting.authorise(actor, {Role.HEAD})  # own role or lent (issue 12)
        or actor.org_kind != OrgKind.OWNER
    ):
        raise RuleViolation(
            _("参建内容须由参建部门%(org)s负责人确认（办法第十三条）。") % {"org": participant.organisation},
            code="permission",
            article="第十三条",
        )
    if project.state not in CONFIRM_STATES:
        raise RuleViolation(
            _("当前阶段“%(state)s”不能确认参建内容：申报前或陈述和补正期间确认（办法第十三条）。")
            % {"state": project.get_state_display()},
            code="state",
            article="第十三条",
        )
    if not participant.part.strip():
        raise RuleViolation(
            _("牵头部门尚未填写本单位承担的建设内容，不能确认（办法第十三条）。"),
            code="empty",
            article="第十三条",
        )
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if locked.confirmed_at is not None:
            raise RuleViolation(_("本单位已确认参建内容。"), code="already", article="第十三条")
        locked.confirmed_at = timeutil.now()
        locked.confirmed_by = actor
        locked.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record(
            actor=actor,
            action=CONFIRMED,
            obj=project,
            label=_("参建部门确认参建内容"),
            article="第十三条",
            from_state=project.state,
            to_state=project.state,
            data=_part(locked),
        )
    return locked


def clear_edited_confirmations(
    formset: forms.BaseInlineFormSet[Any, Project, Any], *, actor: User
) -> list[int]:
    """办法第十三条: after the lead saved the participants' rows, a confirmed participant
    whose part (department, part, flows, interfaces) was edited is confirmed no more; an
    audit row ``participant.confirmation_cleared`` each. Returns the rows cleared."""
    cleared = []
    deleted = {f.instance.pk for f in getattr(formset, "deleted_forms", [])}
    for form in formset.forms:
        instance = form.instance
        if instance.pk is None or instance.pk in deleted or not form.has_changed():
            continue
        if not set(form.changed_data) & set(Participant.PART_FIELDS):
            continue
        if Participant.objects.filter(pk=instance.pk, confirmed_at__isnull=False).update(
            confirmed_at=None, confirmed_by=None
        ):
            instance.confirmed_at, instance.confirmed_by = None, None
            cleared.append(instance.pk)
            record_cleared(
                instance.project, actor=actor, data={**_part(instance), "fields": sorted(form.changed_data)}
            )
    return cleared


def record_cleared(project: Project, *, actor: User, data: dict[str, Any]) -> None:
    """办法第十三条: the audit row of a participant's confirmation cleared because its part
    changed (``participant.confirmation_cleared``)."""
    audit.record(
        actor=actor,
        action=CLEARED,
        obj=project,
        label=_("参建内容已修改，参建部门须重新确认"),
        article="第十三条",
        from_state=project.state,
        to_state=project.state,
        data=data,
    )


def overlaps(project: Project) -> list[dict[str, Any]]:
    """办法第十三条 (各部门建设内容无重复交叉): other applications of the same call that
    name one of this project's departments (its lead or a participant) as lead or
    participant, or whose content is similar (projects.similarity, the 第八条 measure and
    threshold). Each with the reasons. Computed, nothing written."""
    if project.call_id is None:
        return []
    departments = {project.owner_id, *project.participants.values_list("organisation_id", flat=True)}
    others = (
        Project.objects.filter(call_id=project.call_id)
        .exclude(pk=project.pk)
        .exclude(state__in=(S.DRAFT, S.WITHDRAWN))
        .select_related("owner")
        .prefetch_related("participants__organisation")
        .order_by("pk")
    )
    threshold = get_policy().split_warning_threshold
    result = []
    for other in others:
        reasons = []
        shared = sorted(
            {p.organisation.name for p in other.participants.all() if p.organisation_id in departments}
            | (
                {other.owner.name}
                if other.owner_id in departments and other.owner_id != project.owner_id
                else set()
            )
        )
        if shared:
            reasons.append(_("同涉及%(orgs)s") % {"orgs": "、".join(shared)})
        score, _details = similarity(project, other)
        if score >= threshold:
            reasons.append(_("建设目标、内容、技术路线相似度%(s).2f") % {"s": score})
        if reasons:
            result.append({"project": other, "score": score, "reasons": reasons})
    return result
