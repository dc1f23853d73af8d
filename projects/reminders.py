"""Issue 12: reminders before the deadlines of the 办法 and escalation after them.

Each running clock (lifecycle/clocks.py: 办法第十、十一、十八、二十五、二十九、三十三、三十六条)
is looked at once a day by ``run_pass``:

* ``Policy.reminder_working_days_before`` working days before its (extended) deadline, and on
  the day itself (0), the people who must act get a reminder ("时限提醒");
* once it has passed, they get an overdue notice ("逾期提醒");
* ``Policy.escalate_to_head_after_working_days`` working days after, the 负责人 of the
  organisation that must act (督办); ``Policy.escalate_to_bureau_after_working_days`` after, the
  bureau's 负责人 (办法第五条: the bureau supervises and urges).

Working days are counted on the official calendar (lifecycle/workdays.py): "2 working days
before" a deadline is the day from which two working days remain up to and including it.
Who must act is ``clock_actors``: the department for its own obligations (report, acceptance
application, self-evaluation, rectification), otherwise the agencies whose home queue holds
the project (projects/notifications.py ``acting_organisations``).

Idempotent: each reminder is recorded per person, clock, deadline and step (``ReminderSent``,
a UNIQUE constraint) and the inbox entry per organisation, role and key (``Notification``,
UNIQUE): a pass that runs twice, or two passes at once, sends nothing twice. An extended
deadline is a new deadline: its reminders are sent again.

Run by the database task queue (``projects/notify_tasks.py``: one pass, then the next one is
queued for the next morning) or by ``manage.py send_reminders`` (cron, or once by hand).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import timeutil
from core.vocabulary import OrgKind, Role
from lifecycle.models import Clock, ClockKind
from lifecycle.policy import Policy, get_policy
from lifecycle.selectors import running_clocks
from lifecycle.workdays import WorkCalendar

from . import notifications as notify, selectors
from .models import Organisation, User
from .models_notifications import NotificationKind, ReminderSent

logger = logging.getLogger(__name__)

#: The department's own obligations: the 年度绩效评价报告 (办法第二十五条), the application for
#: acceptance (第二十九条), the self-evaluation (第三十三条) and the rectification (第三十六条).
OWNER_CLOCKS = frozenset(
    {
        ClockKind.PERFORMANCE_REPORT,
        ClockKind.ACCEPTANCE_APPLICATION,
        ClockKind.SELF_EVALUATION,
        ClockKind.RECTIFICATION,
    }
)

OVERDUE = "overdue"
ESCALATE_HEAD = "escalate:head"
ESCALATE_BUREAU = "escalate:bureau"


def before(n: int) -> str:
    return f"before:{n}"


@dataclass(frozen=True)
class Step:
    code: str
    kind: str
    days: int  # working days left (reminders) or overdue (overdue, escalations)


def steps_due(clock: Clock, today: datetime.date, calendar: WorkCalendar, policy: Policy) -> list[Step]:
    """The reminders ``clock`` calls for on ``today``: at most one reminder before or on the
    deadline (the nearest offset not yet passed), or the overdue notice and the escalations
    whose delay has been reached. The deadline is the one the 办法 sets for the clock (e.g.
    办法第十条: 5 working days of joint review), counted in working days on the official
    calendar; the offsets and delays are the policy's (办法第五条: the bureau 督促检查)."""
    due = clock.effective_due_on
    if due >= today:
        left = calendar.working_days_between(today, due)
        offsets = [n for n in policy.reminder_working_days_before if n >= left]
        return [Step(before(min(offsets)), NotificationKind.REMINDER, left)] if offsets else []
    late = calendar.working_days_between(due, today)
    steps = [Step(OVERDUE, NotificationKind.OVERDUE, late)]
    if late >= policy.escalate_to_head_after_working_days:
        steps.append(Step(ESCALATE_HEAD, NotificationKind.ESCALATION, late))
    if late >= policy.escalate_to_bureau_after_working_days:
        steps.append(Step(ESCALATE_BUREAU, NotificationKind.ESCALATION, late))
    return steps


def clock_actors(clock: Clock) -> list[Organisation]:
    """The organisations that must act before ``clock`` runs out: the department for its own
    obligations (办法第二十五、二十九、三十三、三十六条, ``OWNER_CLOCKS``); otherwise the
    agencies whose home queue holds the project — an agency of the joint review that has given
    its opinion (办法第十条) is no longer in its queue and is not reminded."""
    if clock.project_id and clock.kind in OWNER_CLOCKS:
        return [clock.project.owner]  # type: ignore[union-attr]
    subject = clock.project or clock.plan
    if subject is None:
        return []
    orgs = [o for o in notify.acting_organisations(subject) if o.kind != OrgKind.OWNER]
    if clock.plan_id:
        # 办法第十一条: the bureau compiles the plan.
        orgs += [o for o in Organisation.objects.filter(kind=OrgKind.BUREAU) if o not in orgs]
    return orgs


def _title(clock: Clock, step: Step, subject: str, unit: str = "") -> str:
    values = {
        "subject": subject,
        "clock": clock.get_kind_display(),
        "due": clock.effective_due_on.isoformat(),
        "days": step.days,
        "organisation": unit,
    }
    if step.code == before(0):
        return _("%(subject)s：%(clock)s今日（%(due)s）到期") % values
    if step.kind == NotificationKind.REMINDER:
        return _("%(subject)s：%(clock)s将于%(due)s到期（还有%(days)s个工作日）") % values
    if step.code == OVERDUE:
        return _("%(subject)s：%(clock)s已于%(due)s到期，尚未办结") % values
    return (
        _("督办：%(subject)s的%(clock)s已于%(due)s到期，逾期%(days)s个工作日（应办理单位：%(organisation)s）")
        % values
    )


def _addressed(
    clock: Clock, step: Step, actors: list[Organisation]
) -> list[tuple[Organisation, frozenset[str]]]:
    head = frozenset({Role.HEAD})
    if step.code == ESCALATE_HEAD:
        return [(org, head) for org in actors]
    if step.code == ESCALATE_BUREAU:
        if any(org.kind == OrgKind.BUREAU for org in actors):
            return []  # the bureau's own 负责人 was told at the first escalation
        return [(org, head) for org in Organisation.objects.filter(kind=OrgKind.BUREAU)]
    return [(org, notify.acting_roles(org.kind)) for org in actors]


def send_step(clock: Clock, step: Step, actors: list[Organisation]) -> int:
    """Write the inbox entries of ``step`` and e-mail every person addressed, once per person
    (``ReminderSent``, UNIQUE). Escalations go to the 负责人 of the organisations that must act,
    then to the bureau's 负责人 (办法第五条: the bureau 督促检查). Returns the number of
    persons newly reminded."""
    addressed = _addressed(clock, step, actors)
    if not addressed:
        return 0
    due = clock.effective_due_on
    subject = clock.project or clock.plan
    message = notify.Message(
        kind=step.kind,
        title=_title(clock, step, notify.subject_name(subject), "、".join(o.name for o in actors)),
        article=clock.article,
        url=notify.link_for(subject),
        project=clock.project,
        plan=clock.plan,
        key=f"clock:{clock.pk}:{due.isoformat()}:{step.code}",
    )
    now = timezone.now()
    sent = 0
    emails = []
    with transaction.atomic():
        notify.notify(message, addressed, email=False)
        for person in notify.recipients([(org.pk, role) for org, roles in addressed for role in roles]):
            wants = notify.wants_now(person, step.kind)
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        user=person, clock=clock, due_on=due, step=step.code, sent_at=now, emailed=wants
                    )
            except IntegrityError:
                continue  # reminded before (another pass, or one running at the same time)
            sent += 1
            if wants:
                emails.append(notify.email_for(person, message))
        notify.send_later(emails)
    return sent


def clocks_to_look_at(today: datetime.date, horizon: datetime.date) -> QuerySet[Clock]:
    """Running clocks due by ``horizon`` (the furthest reminder) or already overdue."""
    return (
        running_clocks()
        .filter(
            Q(extended_to__isnull=True, due_on__lte=horizon)
            | Q(extended_to__isnull=False, extended_to__lte=horizon)
        )
        .select_related("project__owner")
    )


@dataclass
class Summary:
    clocks: int = 0
    reminded: int = 0
    digests: int = 0


def run_pass(today: datetime.date | None = None) -> Summary:
    """One pass over the running clocks (see the module's docstring)."""
    today = today or timeutil.today()
    policy = get_policy()
    calendar = WorkCalendar({today.year - 1, today.year, today.year + 1})
    furthest = max(policy.reminder_working_days_before, default=0)
    horizon = calendar.add_working_days(today, furthest).date if furthest else today
    summary = Summary()
    for clock in clocks_to_look_at(today, horizon):
        steps = [
            s
            for s in steps_due(clock, today, calendar, policy)
            if not ReminderSent.objects.filter(
                clock=clock, due_on=clock.effective_due_on, step=s.code
            ).exists()
        ]
        if not steps:
            continue
        summary.clocks += 1
        actors = clock_actors(clock)
        for step in steps:
            summary.reminded += send_step(clock, step, actors)
    summary.digests = notify.send_digests()
    return summary


# ---------------------------------------------------------------- calendar feed


def clocks_for(user: User) -> list[Clock]:
    """The running deadlines ``user`` acts on (the calendar feed): the same organisations as
    ``clock_actors`` decides, read from ``user``'s own home queues — an agency's clocks of the
    projects in its queues, a department's own obligations; only for the roles that act."""
    org = getattr(user, "organisation", None)
    if org is None or user.role not in notify.acting_roles(org.kind):
        return []
    if org.kind == OrgKind.OWNER:
        qs = running_clocks().filter(project__owner=org, kind__in=OWNER_CLOCKS)
    else:
        # One query: the projects and plans of the organisation's queues as subqueries.
        held = Q(pk__in=[])
        for q in selectors.queue_definitions(user):
            if q["kind"] == "projects" and not q["waiting"]:
                held |= Q(project__in=q["items"].order_by().values("pk")) & ~Q(kind__in=OWNER_CLOCKS)
            elif q["kind"] == "plans":
                held |= Q(plan__in=q["items"].order_by().values("pk"))
        if org.kind == OrgKind.BUREAU:
            held |= Q(plan__isnull=False)  # 办法第十一条: the bureau compiles the plan
        qs = running_clocks().filter(held)
    return list(qs.select_related("project", "plan").order_by("due_on", "pk"))
