"""Issue 12 item 4: delegation (代办) — made, changed and ended, each audited.

A 审核人 or 负责人 names a substitute for a range of days, both inclusive, on the
Asia/Shanghai calendar: an active account of their own organisation, not themselves. While it
is in force the substitute may do what the delegator's own role allows, with their own name,
and every audit row of such an act records both (lifecycle/acting.py, lifecycle/audit.py).
What is lent is the delegator's own role: a substitute cannot lend on what was lent to them
(no chains), and a person whose own role is 经办人 delegates nothing. The delegator may change
the dates of a delegation that has not ended and end it early; from that day on it lends
nothing. The rights are checked where every other role is checked (``acting.holds``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import timeutil

from . import acting, audit, events
from .errors import RuleViolation
from .events import Action
from .models import Delegation
from .rules import REVIEWERS

# lifecycle sits below projects: a person is a projects.User.
Person = Any


def _check_delegator(actor: Person) -> None:
    if actor is None or not getattr(actor, "organisation_id", None) or actor.role not in REVIEWERS:
        # the actor's own role (acting.holds is not asked: what was lent is not lent on)
        raise RuleViolation(_("只有审核人或负责人可以委托他人代办。"), code="permission")


def _check_dates(starts_on: datetime.date, ends_on: datetime.date, *, started: bool = False) -> None:
    today = timeutil.today()
    if ends_on < starts_on:
        raise RuleViolation(_("代办的结束日期不能早于开始日期。"), code="dates")
    if not started and starts_on < today:
        raise RuleViolation(_("代办的开始日期不能早于今天。"), code="dates")
    if ends_on < today:
        raise RuleViolation(_("代办的结束日期不能早于今天。"), code="dates")


def _overlapping(
    delegator: Person, substitute: Person, starts_on, ends_on, *, but: int | None = None
) -> bool:
    rows = Delegation.objects.filter(
        delegator=delegator,
        substitute=substitute,
        ended_on__isnull=True,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if but is not None:
        rows = rows.exclude(pk=but)
    return rows.exists()


def _data(delegation: Delegation) -> dict[str, Any]:
    return {
        "substitute": delegation.substitute,
        "delegator": delegation.delegator,
        "role": delegation.role,
        "starts_on": delegation.starts_on,
        "ends_on": delegation.ends_on,
    }


def delegation_create(
    *,
    actor: Person,
    substitute: Person,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
) -> Delegation:
    """The delegator (``actor``) names ``substitute`` from ``starts_on`` to ``ends_on``
    (inclusive). Refused: a delegator who is not 审核人 or 负责人 by their own role; a
    substitute of another organisation, inactive, or the delegator; dates out of order or
    before today; the same two people for overlapping days already."""
    _check_delegator(actor)
    if substitute is None or substitute.organisation_id != actor.organisation_id:
        raise RuleViolation(_("只能委托本单位人员代办。"), code="permission")
    if substitute.pk == actor.pk:
        raise RuleViolation(_("不能委托本人代办。"), code="substitute")
    if not substitute.is_active:
        raise RuleViolation(_("代办人的账号已停用，不能委托。"), code="substitute")
    _check_dates(starts_on, ends_on)
    if _overlapping(actor, substitute, starts_on, ends_on):
        raise RuleViolation(_("该期间已委托同一人代办，请修改原委托。"), code="overlap")
    acting._note(actor, None)  # the delegator acts for themselves
    with transaction.atomic():
        delegation = Delegation.objects.create(
            organisation_id=actor.organisation_id,
            delegator=actor,
            substitute=substitute,
            role=actor.role,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            created_at=timeutil.now(),
        )
        entry = audit.record(
            actor=actor,
            action=Action.DELEGATION_CREATED,
            obj=delegation,
            label=_("委托代办"),
            reason=reason,
            data=_data(delegation),
        )
        events.announce(
            delegation, Action.DELEGATION_CREATED, actor=actor, entry=entry, delegation=delegation
        )
        transaction.on_commit(acting.changed)
    acting.changed()
    return delegation


def _own(delegation: Delegation, actor: Person) -> None:
    if actor is None or delegation.delegator_id != actor.pk:
        raise RuleViolation(_("只有委托人本人可以修改或终止代办委托。"), code="permission")
    if delegation.ended_on is not None:
        raise RuleViolation(_("该代办委托已终止。"), code="ended")


def delegation_change(
    delegation: Delegation,
    *,
    actor: Person,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
) -> Delegation:
    """The delegator changes the dates: a delegation already begun keeps its first day; the
    last day is not before today."""
    _own(delegation, actor)
    started = delegation.starts_on <= timeutil.today()
    if started and starts_on != delegation.starts_on:
        raise RuleViolation(_("代办已开始，不能修改开始日期。"), code="dates")
    _check_dates(starts_on, ends_on, started=started)
    if _overlapping(actor, delegation.substitute, starts_on, ends_on, but=delegation.pk):
        raise RuleViolation(_("该期间已委托同一人代办，请修改原委托。"), code="overlap")
    before = {"starts_on": delegation.starts_on, "ends_on": delegation.ends_on}
    acting._note(actor, None)
    with transaction.atomic():
        delegation.starts_on, delegation.ends_on = starts_on, ends_on
        delegation.save(update_fields=["starts_on", "ends_on"])
        entry = audit.record(
            actor=actor,
            action=Action.DELEGATION_CHANGED,
            obj=delegation,
            label=_("修改代办委托"),
            reason=reason,
            data={**_data(delegation), "before": before},
        )
        events.announce(
            delegation, Action.DELEGATION_CHANGED, actor=actor, entry=entry, delegation=delegation
        )
        transaction.on_commit(acting.changed)
    acting.changed()
    return delegation


def delegation_end(delegation: Delegation, *, actor: Person, reason: str = "") -> Delegation:
    """The delegator ends the delegation early: from today on it lends nothing."""
    _own(delegation, actor)
    today = timeutil.today()
    if delegation.ends_on < today:
        raise RuleViolation(_("该代办委托已到期。"), code="ended")
    acting._note(actor, None)
    with transaction.atomic():
        delegation.ended_on, delegation.ended_at = today, timeutil.now()
        delegation.save(update_fields=["ended_on", "ended_at"])
        entry = audit.record(
            actor=actor,
            action=Action.DELEGATION_ENDED,
            obj=delegation,
            label=_("终止代办委托"),
            reason=reason,
            data=_data(delegation),
        )
        events.announce(delegation, Action.DELEGATION_ENDED, actor=actor, entry=entry, delegation=delegation)
        transaction.on_commit(acting.changed)
    acting.changed()
    return delegation


def delegations_of(person: Person) -> list[Delegation]:
    """The delegations ``person`` gave or received, newest first (for their page)."""
    return list(
        Delegation.objects.filter(Q(delegator=person) | Q(substitute=person))
        .select_related("delegator", "substitute")
        .order_by("-starts_on", "-pk")
    )
