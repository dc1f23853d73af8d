"""办法第八条: the bureau's yearly call (征集) for next year's needs — opened (in
projects.services.call_open), extended and closed early here, each with an audit row; the
reason is required wherever the dates differ from or change what was announced. The call
open today is the only one a new application is preselected into."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import timeutil
from core.vocabulary import OrgKind
from lifecycle import audit
from lifecycle.errors import RuleViolation
from lifecycle.guards import day_text
from lifecycle.policy import get_policy
from lifecycle.rules import HEAD
from lifecycle.services import require_staff

from .models import Call, User

EXTENDED = "call.extended"
CLOSED = "call.closed"


def default_dates(year: int) -> tuple[datetime.date, datetime.date]:
    """办法第八条: the call for ``year``'s needs is held in June of the year before
    (Policy.call_opens / call_closes)."""
    policy = get_policy()
    return policy.call_opens.of(year - 1), policy.call_closes.of(year - 1)


def open_call(day: datetime.date | None = None) -> Call | None:
    """The call open on ``day`` (today), the latest year first; None when none is open —
    a closed call is never preselected (办法第八条)."""
    day = day or timeutil.today()
    return (
        Call.objects.filter(opens_on__lte=day, closes_on__gte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .order_by("-year")
        .first()
    )


def next_year() -> int:
    """The year of the next call: the year after today's (June 2025 collects 2026's needs),
    or after the last call opened, whichever is later."""
    last = Call.objects.order_by("-year").values_list("year", flat=True).first()
    return max(timeutil.today().year + 1, (last or 0) + 1)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("请填写理由（办法第八条）。"), code="reason", article="第八条")
    return reason


def call_extend(call: Call, *, actor: User, closes_on: datetime.date, reason: str) -> Call:
    """办法第八条: the bureau's 负责人 moves the closing date of an open call later, with a
    reason. Refused for a call that is closed (early, or past its date) and for a date not
    after the current one. Audit row ``call.extended`` with the dates before and after."""
    require_staff(actor, OrgKind.BUREAU, roles=HEAD)
    reason = _reason(reason)
    today = timeutil.today()
    if call.closed_on is not None or call.closes_on < today:
        raise RuleViolation(
            _("征集已于%(c)s截止，不能延长；请发布新的征集（办法第八条）。")
            % {"c": day_text(call.closed_on or call.closes_on)},
            code="closed",
            article="第八条",
        )
    if closes_on <= call.closes_on:
        raise RuleViolation(
            _("延长后的截止日期须晚于原截止日期%(c)s（办法第八条）。") % {"c": call.closes_on.isoformat()},
            code="dates",
            article="第八条",
        )
    with transaction.atomic():
        before = call.closes_on
        Call.objects.filter(pk=call.pk).update(closes_on=closes_on)
        call.closes_on = closes_on
        audit.record(
            actor=actor,
            action=EXTENDED,
            obj=call,
            label=_("延长需求征集截止日期"),
            article="第八条",
            reason=reason,
            data={"year": call.year, "closes_on_before": before, "closes_on": closes_on},
        )
    return call


def call_close(call: Call, *, actor: User, reason: str) -> Call:
    """办法第八条: the bureau's 负责人 closes a call before its closing date, with a reason;
    from today no submission or amendment is taken. Audit row ``call.closed``."""
    require_staff(actor, OrgKind.BUREAU, roles=HEAD)
    reason = _reason(reason)
    today = timeutil.today()
    if call.closed_on is not None or call.closes_on < today:
        raise RuleViolation(
            _("征集已于%(c)s截止（办法第八条）。") % {"c": day_text(call.closed_on or call.closes_on)},
            code="closed",
            article="第八条",
        )
    with transaction.atomic():
        Call.objects.filter(pk=call.pk).update(closed_on=today)
        call.closed_on = today
        audit.record(
            actor=actor,
            action=CLOSED,
            obj=call,
            label=_("提前截止需求征集"),
            article="第八条",
            reason=reason,
            data={"year": call.year, "closes_on": call.closes_on, "closed_on": today},
        )
    return call
