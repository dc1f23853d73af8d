"""Drafts the department controls (issue 11: "drafts cannot be deleted; going back after
saving a new application and saving again creates a second draft").

* **Deleting a draft** (``application_discard``): the department's 经办人 or 负责人 deletes
  its own application while it is still a draft — never once it was submitted (办法第八条:
  what was submitted is the department's act and stays). The row is not removed: its audit
  rows point at it and are never deleted (办法第三十五条), so the draft is marked
  (``Project.discarded_at``) and leaves every list, queue, the consolidated submission and
  the split check of its department; 审计厅 still reads it with its history.
* **One draft per "new application" form** (``token_draft``, ``application_resave``): the
  blank form carries a token (``Project.form_token``, UNIQUE). The first save creates the
  draft with it and redirects to the draft's own page (post/redirect/get); the same form
  posted again — the browser's back button and 保存 once more, a double click — finds the
  draft by its token and saves the posted content onto it, rows included, so posting the
  same form twice leaves one draft with that content.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import timeutil
from core.states import ProjectState as S
from lifecycle import audit
from lifecycle.errors import RuleViolation

from .access import is_owner_staff
from .models import Participant, Project, SplitWarning, User
from .participation import _part, record_cleared
from .services import EDITABLE_STATES, application_save

DISCARDED = "application.discarded"


def may_discard(user: Any, project: Project) -> bool:
    """The department's own 经办人 or 负责人, while the project is a draft not yet deleted."""
    return project.state == S.DRAFT and project.discarded_at is None and is_owner_staff(user, project)


def application_discard(project: Project, *, actor: User, reason: str = "") -> Project:
    """Delete the department's own draft (kept for the audit trail, out of every list).
    Refused once submitted (办法第八条) or for anyone but its department's staff. Side
    effects: ``discarded_at`` set; audit row ``application.discarded`` with the draft's name."""
    if not is_owner_staff(actor, project):
        raise RuleViolation(_("只能删除本单位的申报草稿。"), code="permission")
    with transaction.atomic():
        # Taken only while still a draft: a submission at the same moment wins, and the
        # deletion is refused (the row lock and the state in the WHERE clause).
        marked = Project.objects.filter(pk=project.pk, state=S.DRAFT, discarded_at__isnull=True).update(
            discarded_at=timeutil.now()
        )
        if not marked:
            raise RuleViolation(
                _("项目已申报或已删除，不能再删除；已申报的项目可由负责人撤回（办法第八条）。"),
                code="state",
                article="第八条",
            )
        project.refresh_from_db(fields=["discarded_at"])
        audit.record(
            actor=actor,
            action=DISCARDED,
            obj=project,
            label=_("删除申报草稿"),
            from_state=S.DRAFT,
            to_state=S.DRAFT,
            reason=reason,
            data={"name": project.name},
        )
        # 办法第八条: the split warnings computed at a submission no longer name this draft.
        SplitWarning.objects.filter(Q(first=project) | Q(second=project)).delete()
    return project


def parse_token(value: Any) -> uuid.UUID | None:
    """The token a "new application" form posted, or None (a missing or forged value starts
    a new draft, as a form without a token always did)."""
    try:
        return uuid.UUID(str(value or "").strip())
    except ValueError:
        return None


def token_draft(user: Any, token: uuid.UUID | None) -> Project | None:
    """The project a "new application" form with ``token`` created for ``user``'s department
    (another department's token is nobody's: None)."""
    if token is None or not getattr(user, "organisation_id", None):
        return None
    return Project.objects.filter(form_token=token, owner_id=user.organisation_id).first()


def usable_token(user: Any, token: uuid.UUID | None) -> uuid.UUID | None:
    """``token`` unless another department's project already holds it (a copied or forged
    form): then the post creates a draft without one, as a form without a token always did."""
    if token is None or token_draft(user, token) is not None:
        return token
    return None if Project.objects.filter(form_token=token).exists() else token


def application_resave(
    project: Project,
    *,
    actor: User,
    form: forms.ModelForm[Project],
    formsets: Sequence[forms.BaseInlineFormSet[Any, Project, Any]],
) -> Project:
    """The "new application" form posted again onto the draft it created: the posted form is
    the whole application, so its rows replace the draft's rows (the form has no row ids).
    A participating department's confirmation (办法第十三条) is kept where its row comes back
    unchanged and cleared, with an audit row, where it does not. Then as ``application_save``."""
    if project.discarded_at is not None:
        raise RuleViolation(_("该申报草稿已删除，不能再保存。"), code="discarded")
    if project.state not in EDITABLE_STATES:
        raise RuleViolation(_("当前阶段不能修改申报材料（办法第九、十条）。"), code="state", article="第九条")
    with transaction.atomic():
        confirmed = {
            _key(p): (p.confirmed_at, p.confirmed_by_id, p)
            for p in project.participants.select_related("organisation").filter(confirmed_at__isnull=False)
        }
        for formset in formsets:
            rows = formset.model
            assert rows is not None  # an inline formset always names its model
            rows._default_manager.filter(**{formset.fk.name: project}).delete()
        project = application_save(actor=actor, form=form, formsets=formsets)
        for participant in project.participants.all():
            kept = confirmed.pop(_key(participant), None)
            if kept is not None:
                Participant.objects.filter(pk=participant.pk).update(
                    confirmed_at=kept[0], confirmed_by_id=kept[1]
                )
        for _at, _by, gone in confirmed.values():
            record_cleared(project, actor=actor, data=_part(gone))
    return project


def _key(participant: Participant) -> tuple[Any, ...]:
    return tuple(
        participant.organisation_id if name == "organisation" else getattr(participant, name)
        for name in Participant.PART_FIELDS
    )
