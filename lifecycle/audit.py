"""Writing the audit trail (办法第三十五、三十九条: who did what and when, for every step)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Model
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from core import timeutil

from . import acting
from .models import ACCESS_OBJECT, AuditEntry


def record(
    *,
    actor,
    action: str,
    obj,
    label: StrOrPromise = "",
    article: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    override: bool = False,
    data: dict | None = None,
) -> AuditEntry:
    """Insert one audit row for ``obj`` (a Project, AnnualPlan, ChangeRequest, Clock, …)."""
    # The models the trail points at, read from its own foreign keys (lifecycle sits below projects).
    Project = AuditEntry._meta.get_field("project").related_model
    AnnualPlan = AuditEntry._meta.get_field("plan").related_model
    project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    plan = obj if isinstance(obj, AnnualPlan) else getattr(obj, "plan", None)
    # Issue 12 item 4: a substitute acting in the delegator's role (lifecycle/acting.py):
    # the row names both — the actor, and on whose behalf.
    delegator = acting.acting_for(actor) if actor is not None else None
    if delegator is not None:
        data = {
            **(data or {}),
            "on_behalf_of": {"id": delegator.pk, "str": str(delegator), "role": delegator.role},
        }
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "系统",
        organisation_id=getattr(actor, "organisation_id", None),
        role=getattr(actor, "role", "") or "",
        project=project if isinstance(project, Project) else None,
        plan=plan if isinstance(plan, AnnualPlan) else None,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        action_label=str(label),
        article=article,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        override=override,
        data=_jsonable(
            {**(data or {}), **({"as_of": timeutil.effective_day()} if timeutil.effective_day() else {})}
        ),
    )


def unsaved(
    *,
    actor,
    action: str,
    obj,
    label: StrOrPromise = "",
    article: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """The row ``record`` would insert for ``obj``, not saved, for ``record_many``. Reads no
    relation: the project and plan are taken by their ids (``obj.project_id``/``obj.plan_id``,
    or the object itself), so building thousands of rows runs no query."""
    Project = AuditEntry._meta.get_field("project").related_model
    AnnualPlan = AuditEntry._meta.get_field("plan").related_model
    project_id = obj.pk if isinstance(obj, Project) else getattr(obj, "project_id", None)
    plan_id = obj.pk if isinstance(obj, AnnualPlan) else getattr(obj, "plan_id", None)
    return AuditEntry(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "系统",
        organisation_id=getattr(actor, "organisation_id", None),
        role=getattr(actor, "role", "") or "",
        project_id=project_id,
        plan_id=plan_id,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        action_label=str(label),
        article=article,
        reason=reason or "",
        data=_jsonable(
            {**(data or {}), **({"as_of": timeutil.effective_day()} if timeutil.effective_day() else {})}
        ),
    )


def record_many(rows: list[AuditEntry]) -> list[AuditEntry]:
    """Insert ``rows`` (from ``unsaved``) in one statement per batch, linked into the hash
    chain in order (``AuditQuerySet.bulk_create`` → lifecycle/chain.py ``link_rows``)."""
    return AuditEntry.objects.bulk_create(rows, batch_size=500)


def insert_many(rows: list[AuditEntry], batch_size: int) -> int:
    """``record_many`` without reading the rows' ids back (a VALUES list: much less work in
    Django for thousands of rows; issue 10). Returns the number of rows inserted."""
    return AuditEntry.objects.insert_linked(rows, batch_size)


def record_access(
    *,
    action: str,
    label: StrOrPromise,
    actor=None,
    username: str = "",
    data: dict | None = None,
    account: str = "",
) -> AuditEntry:
    """One audit row for a sign-in, a sign-out, a failed or locked-out sign-in, or a refused
    request (等保2.0 三级 security audit): who (or which username was tried), from where
    (``data["ip"]``), when. Not about a project: the object is the account ("auth.account",
    the username; ``account`` names another person's account when an administrator acts on
    it, e.g. resets its second factor)."""
    person = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=person,
        actor_name=str(person) if person is not None else (username[:100] or "匿名"),
        organisation_id=getattr(person, "organisation_id", None),
        role=getattr(person, "role", "") or "",
        object_type=ACCESS_OBJECT,
        object_id=(account or getattr(person, "username", "") or username)[:40],
        action=action,
        action_label=str(label),
        data=_jsonable(data or {}),
    )


def _jsonable(value):

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return {"type": value._meta.label_lower, "id": value.pk, "str": str(value)}
    return value
