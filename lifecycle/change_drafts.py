"""办法第二十八条, issue 11 ("a preparer cannot edit their own change draft"): the department
edits a change (变更) while it is still its draft, before its 负责人 submits it. Once
submitted (备案 or pending approval) the change is the department's act and is not edited:
it is withdrawn and drafted again (ChangeRequest.withdraw).

Who: the 经办人 who drafted it, or a 负责人 of the department (who signs it off anyway); not
another 经办人 and never another organisation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.states import ChangeState
from core.vocabulary import OrgKind, Role

from . import acting, audit, events
from .errors import RuleViolation
from .models import ChangeItem, ChangeRequest
from .rules import STAFF
from .services import PAGE_STATES, change_baseline

UPDATED = "change.updated"


def may_edit(user: Any, change: ChangeRequest) -> bool:
    """The change's own 经办人 or a 负责人 of its department, while it is a draft."""
    org = getattr(user, "organisation", None)
    return (
        change.state == ChangeState.DRAFT
        and org is not None
        and org.kind == OrgKind.OWNER
        and user.organisation_id == change.project.owner_id
        and getattr(user, "role", None) in STAFF
        and (change.created_by_id == user.pk or acting.holds(user, {Role.HEAD}))
    )


def change_update(
    change: ChangeRequest, *, actor: Any, items: list[dict[str, Any]], **fields: Any
) -> ChangeRequest:
    """Save new content onto a draft change: ``fields`` as in ``services.change_create``
    (ChangeRequest.FORM_FIELDS) and ``items`` replacing its items. Refused once submitted,
    for anyone ``may_edit`` refuses, and outside construction (办法第二十八条). Side effects:
    audit row ``change.updated`` with the fields changed and the items before and after."""
    unknown = set(fields) - set(ChangeRequest.FORM_FIELDS)
    if unknown:
        raise TypeError(f"change_update() got fields a change does not have: {sorted(unknown)}")
    if not may_edit(actor, change):
        if change.state != ChangeState.DRAFT:
            raise RuleViolation(
                _("变更已提交，不能再修改；如需调整，请由负责人撤回后重新起草（办法第二十八条）。"),
                code="state",
                article="第二十八条",
            )
        raise RuleViolation(_("只有起草该变更的经办人或本单位负责人可以修改变更草稿。"), code="permission")
    if change.project.state not in PAGE_STATES["change"]:
        raise RuleViolation(
            _("项目建设期内才能调整建设内容（办法第二十八条）。"), code="state", article="第二十八条"
        )
    if not items:
        raise RuleViolation(_("请至少填写一项调整内容及金额。"), code="items")
    if any(Decimal(item["amount_yuan"]) <= 0 for item in items):
        raise RuleViolation(_("调整金额须大于零。"), code="items")
    values = {**fields, "new_total_yuan": fields.get("new_total_yuan") or change_baseline(change.project)[0]}
    with transaction.atomic():
        # Still a draft now, under the row lock: a submission at the same moment wins.
        locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
        if locked.state != ChangeState.DRAFT:
            raise RuleViolation(
                _("变更已提交，不能再修改；如需调整，请由负责人撤回后重新起草（办法第二十八条）。"),
                code="state",
                article="第二十八条",
            )
        before_items = [
            {"from_content": i.from_content, "to_content": i.to_content, "amount_yuan": i.amount_yuan}
            for i in locked.items.order_by("pk")
        ]
        changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
        ChangeRequest.objects.filter(pk=locked.pk).update(**values)
        locked.items.all().delete()
        ChangeItem.objects.bulk_create([ChangeItem(change=locked, **item) for item in items])
        locked.refresh_from_db()
        entry = audit.record(
            actor=actor,
            action=UPDATED,
            obj=locked,
            label=_("修改项目变更草稿"),
            article="第二十八条",
            from_state=locked.state,
            to_state=locked.state,
            data={"fields": changed, "items_before": before_items, "items": items},
        )
        events.announce(locked, UPDATED, actor=actor, entry=entry, items=items)
    return locked
