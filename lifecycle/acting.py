"""Who acts in which role today: a person's own role, and the roles lent to them by a
delegation in force (issue 12 item 4, 代办).

A 审核人 or 负责人 names a substitute of their own organisation for a range of days
(lifecycle/delegation.py writes it, audited). While it is in force — from ``starts_on`` to
``ends_on`` inclusive, on the Asia/Shanghai calendar (``core.timeutil.today``), unless ended
early — the substitute may do what the delegator's *own* role allows, with their own name:

* ``holds(user, roles)`` answers every role check of the server (lifecycle/rules.py
  ``Actors``, services.require_staff, second_factor, projects/access.py, capabilities, the
  review pages): the person's own role, or a delegator's role lent to them today. Pure.
* ``authorise(user, roles)`` is the same answer for a check that comes right before a write:
  it also notes on the person whose role they use (``user.acting_for``: the delegator, or
  None for their own), and lifecycle/audit.py writes it on the row (``data["on_behalf_of"]``),
  so the history shows "X（代 Y）".
* No chains: what is lent is the delegator's own ``role`` (``User.role``), never a role lent
  to the delegator; a substitute therefore cannot pass on what was lent to them.
* For addressing (the inbox and reminders address an organisation and a role):
  ``effective_roles(user, on)``, ``delegators_of(user, on)`` and ``substitutes_of(users, on)``.

This module imports nothing of the project's models at import time (lifecycle/rules.py,
which lifecycle/models.py imports, imports it): the model is fetched from the registry.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Q

from core import timeutil
from core.kept_sql import Ask, KeptQueries, answered, then, together

# lifecycle sits below projects: a person is a projects.User (``role``, ``organisation_id``).
Person = Any

#: Bumped by every write of a delegation (lifecycle/delegation.py): what a person object
#: remembers about its delegations is read again after one.
_generation = [0]
_CACHE = "_delegations_in_force"


def changed() -> None:
    """A delegation was written: forget what person objects remember (this process)."""
    _generation[0] += 1


def _model():
    return apps.get_model("lifecycle", "Delegation")


def in_force_filter(on: datetime.date) -> Q:
    """The delegations in force on ``on``: the day is within ``starts_on``..``ends_on``, both
    inclusive, and the delegation was not ended on or before it."""
    return Q(starts_on__lte=on, ends_on__gte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def _lending(day: datetime.date, substitute_id: Any, organisation_id: Any) -> Any:
    """The delegations in force on ``day`` lending ``substitute_id`` a role: within their own
    organisation only (all three on the same one, both still there)."""
    return _model().objects.filter(
        in_force_filter(day),
        substitute_id=substitute_id,
        organisation_id=organisation_id,
        delegator__organisation_id=organisation_id,
        delegator__is_active=True,
    )


#: The SQL of ``_lent`` by day (core.kept_sql): asked on most pages, by every role check that
#: the person's own role does not answer (issue 10: building it cost more than running it).
_KEPT = KeptQueries(64)


def lent_ask(user: Person, on: datetime.date | None = None) -> Ask:
    """``_lent`` as an ``Ask``, to run with a page's other queries (core.kept_sql.together);
    its answer is remembered on the person object like ``_lent``'s. No query when the person
    object remembers it already, or cannot be lent a role."""
    if not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return answered([])
    if not getattr(user, "organisation_id", None):
        return answered([])
    day = on or timeutil.today()
    key = (day, _generation[0])
    cached = getattr(user, _CACHE, None)
    if cached is not None and cached[0] == key:
        return answered(cached[1])

    def remember(rows: list[Any]) -> list[Any]:
        # an object that takes no attributes: no memory, the same answer
        with contextlib.suppress(AttributeError):
            setattr(user, _CACHE, (key, rows))
        return rows

    def build(substitute_id: int, organisation_id: int) -> Any:
        return _lending(day, substitute_id, organisation_id).select_related("delegator").order_by("pk")

    return then(_KEPT.ask(("lent", day), build, user.pk, user.organisation_id), remember)


def _lent(user: Person, on: datetime.date | None = None) -> list[Any]:
    """The delegations lending ``user`` a role on ``on`` (default today), delegator loaded;
    one query per person object and day."""
    (rows,) = together([lent_ask(user, on)])
    return rows


def granted_by(user: Person, roles: Iterable[str], on: datetime.date | None = None) -> Person | None:
    """The delegator whose own role, one of ``roles``, is lent to ``user`` on ``on``."""
    wanted = frozenset(roles)
    return next((d.delegator for d in _lent(user, on) if d.delegator.role in wanted), None)


def holds(user: Person, roles: Iterable[str], on: datetime.date | None = None) -> bool:
    """Whether ``user`` acts in one of ``roles`` on ``on``: by their own role, or by one lent
    to them by a delegation in force. Only asks the database when the own role is not enough."""
    wanted = frozenset(roles)
    if getattr(user, "role", "") in wanted:
        return True
    return granted_by(user, wanted, on) is not None


def holds_asks(user: Person, roles: Iterable[str]) -> list[Ask]:
    """What ``holds(user, roles)`` reads from the database, as asks a page sends with its own
    queries (issue 10): the delegations lent to ``user`` today (remembered on the person object,
    ``lent_ask``) when the own role is not one of ``roles``; nothing otherwise."""
    return [] if getattr(user, "role", "") in frozenset(roles) else [lent_ask(user)]


def authorise(user: Person, roles: Iterable[str]) -> bool:
    """``holds`` for a check right before a write: notes ``user.acting_for`` (the delegator
    whose role the write uses, or None), which the audit row records."""
    wanted = frozenset(roles)
    if getattr(user, "role", "") in wanted:
        _note(user, None)
        return True
    delegator = granted_by(user, wanted)
    _note(user, delegator)
    return delegator is not None


def _note(user: Person, delegator: Person | None) -> None:
    with contextlib.suppress(AttributeError):
        user.acting_for = delegator


def acting_for(user: Person) -> Person | None:
    """The delegator on whose behalf ``user``'s last authorised write acts, if the delegation
    is still in force today; else None (the audit row then records the person alone)."""
    delegator = getattr(user, "acting_for", None)
    if delegator is None:
        return None
    if not any(d.delegator_id == delegator.pk for d in _lent(user)):
        return None
    return delegator


# ---------------------------------------------------------------- addressing (notifications)


def lent_roles(user: Person, on: datetime.date | None = None) -> Any:
    """The roles lent to ``user`` on ``on`` (default today) as a subquery, for a filter that
    must stay one query (the inbox and its unread count in the header): entries addressed to
    the delegator's organisation and role reach the substitute while the delegation is in
    force, and no longer the day after."""
    return _lending(
        on or timeutil.today(), getattr(user, "pk", None), getattr(user, "organisation_id", None)
    ).values("delegator__role")


def effective_roles(user: Person, on: datetime.date | None = None) -> frozenset[str]:
    """The roles ``user`` acts in on ``on``: their own and those lent to them."""
    own = {getattr(user, "role", "")} - {""}
    return frozenset(own | {d.delegator.role for d in _lent(user, on)})


def delegators_of(user: Person, on: datetime.date | None = None) -> list[Person]:
    """The people ``user`` stands in for on ``on`` (same organisation, in force)."""
    return [d.delegator for d in _lent(user, on)]


def substitutes_of(users: Iterable[Person], on: datetime.date | None = None) -> dict[int, list[Person]]:
    """For people addressed by organisation and role: {delegator pk: [their substitutes in
    force on ``on``]} — active accounts of the same organisation; one query."""
    day = on or timeutil.today()
    people = {u.pk: u for u in users if getattr(u, "pk", None)}
    result: dict[int, list[Person]] = {}
    if not people:
        return result
    rows = (
        _model()
        .objects.filter(in_force_filter(day), delegator_id__in=list(people))
        .select_related("substitute")
        .order_by("pk")
    )
    for d in rows:
        delegator, substitute = people[d.delegator_id], d.substitute
        if (
            substitute.is_active
            and substitute.organisation_id == d.organisation_id == delegator.organisation_id
        ):
            result.setdefault(d.delegator_id, []).append(substitute)
    return result
