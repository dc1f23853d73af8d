"""Issue 12: telling people what needs their action and what was decided — the in-app inbox
and e-mail (projects/models_notifications.py).

Who must act is not listed a second time here: it is the home queues of
``projects.selectors.queue_definitions``. After a step, the organisations whose queue now
holds the project (or the change, the plan, the incident) get an entry "待办事项"; the project's
department gets "补正要求" when the step asks it to correct (办法第十、十八条) and "办理结果"
for every step another organisation took; an opinion given (办法第十、十二、二十九条) reaches
the department and the bureau; an issued letter or form reaches the organisations it concerns
(``filing_issued``, called by documents/filings.py). Within an organisation an entry is
addressed to the roles that act there (``acting_roles``: the department's 经办人 and 负责人,
an agency's 审核人 and 负责人 — lifecycle/rules.py STAFF and REVIEWERS, the roles the
machine's transitions grant), so a colleague or a substitute of the same role sees the same.

E-mail goes through Django's mail framework after the step's transaction commits, to the
persons of the addressed organisation and role who have an address and want that kind by
e-mail at once; the others receive it in the daily digest (``send_digests``) or not at all.
Marking read, preferences and the calendar token are audited writes (``mark_read``,
``preferences_save``, ``feed_token_regenerate``/``feed_token_revoke``).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import timeutil
from core.kept_sql import Ask, KeptSQL, answered, compiled, then, together
from core.states import ProjectState as S
from core.vocabulary import OrgKind, Role
from lifecycle import acting, audit
from lifecycle.events import Action, step_taken
from lifecycle.models import AuditEntry, ChangeRequest, Incident
from lifecycle.rules import REVIEWERS, STAFF

from . import selectors
from .models import AnnualPlan, Organisation, Project, User
from .models_notifications import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationRead,
)

logger = logging.getLogger(__name__)

#: States in which a step asks the department to correct its application (办法第十、十八条).
CORRECTION_STATES = frozenset({S.CORRECTING, S.DESIGN_CORRECTING})


def acting_roles(org_kind: str) -> frozenset[str]:
    """The roles of an organisation of ``org_kind`` that act on its queue: a department's
    经办人 and 负责人, an agency's 审核人 and 负责人 (lifecycle/rules.py)."""
    return STAFF if org_kind == OrgKind.OWNER else REVIEWERS


def _queue_kind(subject: Any) -> str:
    if isinstance(subject, ChangeRequest):
        return "changes"
    if isinstance(subject, AnnualPlan):
        return "plans"
    if isinstance(subject, Incident):
        return "incidents"
    return "projects"


def _project_of(subject: Any) -> Project | None:
    if isinstance(subject, Project):
        return subject
    return getattr(subject, "project", None)


def acting_organisations(subject: Any) -> list[Organisation]:
    """The organisations whose home queue (``selectors.queue_definitions``, without the
    department's "等待…办理" queue, which only waits) holds ``subject`` now: a Project, a
    ChangeRequest, an AnnualPlan or an Incident. Two queries: the organisations asked (every
    agency, and the project's own and participating departments), then all their queues at
    once."""
    kind = _queue_kind(subject)
    project = _project_of(subject)
    candidates = Q(~Q(kind=OrgKind.OWNER))
    if project is not None:
        candidates |= Q(pk=project.owner_id) | Q(participant__project=project)
    orgs = list(Organisation.objects.filter(candidates).distinct().order_by("pk"))
    asked: list[QuerySet[Any]] = []
    owners: list[Organisation] = []
    for org in orgs:
        person = User(organisation=org, role=Role.HEAD)
        for q in selectors.queue_definitions(person):
            if q["kind"] == kind and not q.get("waiting"):
                asked.append(q["items"].filter(pk=subject.pk))
                owners.append(org)
    # Every organisation's queues in ONE query (selectors._counts: SELECT (…), (…), …).
    found: list[Organisation] = []
    for org, n in zip(owners, selectors._counts(asked), strict=True):
        if n and org not in found:
            found.append(org)
    return found


# ---------------------------------------------------------------- writing and sending


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    article: str = ""
    url: str = ""
    project: Project | None = None
    plan: AnnualPlan | None = None
    key: str = ""


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def link_for(subject: Any) -> str:
    if isinstance(subject, ChangeRequest):
        return _url("change", subject.pk)
    if isinstance(subject, AnnualPlan):
        return _url("plan", subject.year)
    project = _project_of(subject)
    return _url("project", project.pk) if project is not None else ""


def subject_name(subject: Any) -> str:
    if isinstance(subject, ChangeRequest):
        return _("%(project)s（变更：%(title)s）") % {"project": subject.project.name, "title": subject.title}
    if isinstance(subject, AnnualPlan):
        return _("%(year)s年度建设计划") % {"year": subject.year}
    project = _project_of(subject)
    return project.name if project is not None else str(subject)


def recipients(addressed: Iterable[tuple[int, str]], *, exclude: Any = None) -> QuerySet[User]:
    """The active persons of each (organisation id, role)."""
    q = Q(pk__in=[])
    for org_id, role in addressed:
        q |= Q(organisation_id=org_id, role=role)
    qs = User.objects.filter(q, is_active=True).select_related("notification_preference")
    if getattr(exclude, "pk", None):
        qs = qs.exclude(pk=exclude.pk)
    return qs


def preference_of(user: User) -> NotificationPreference:
    """The person's preferences (defaults when they never saved any: every kind, at once)."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def wants_now(user: User, kind: str) -> bool:
    pref = preference_of(user)
    return bool(user.email) and kind in pref.email_kinds and pref.delivery == Delivery.IMMEDIATE


def absolute(url: str) -> str:
    return settings.NOTIFY_SITE_URL.rstrip("/") + url if url else settings.NOTIFY_SITE_URL


def email_for(user: User, message: Message) -> mail.EmailMessage:
    lines = [message.title]
    if message.body:
        lines += ["", message.body]
    if message.article:
        lines += ["", _("依据：办法%(article)s") % {"article": message.article}]
    lines += ["", absolute(message.url), "", _("（本邮件由系统自动发送。通知设置可在系统“通知”页面修改。）")]
    return mail.EmailMessage(
        subject=_("【信息化项目管理】%(title)s") % {"title": message.title},
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def send_later(messages: list[mail.EmailMessage]) -> None:
    """Send after the transaction commits (nothing is sent for a step that rolls back); a
    failing mail server is logged, never undoes the step (the inbox holds the entry)."""
    if not messages:
        return

    def send() -> None:
        try:
            with mail.get_connection() as connection:
                connection.send_messages(messages)
        except OSError:
            logger.exception("notification e-mail could not be sent")

    transaction.on_commit(send)


def notify(
    message: Message,
    addressed: Iterable[tuple[Organisation, Iterable[str]]],
    *,
    actor: Any = None,
    email: bool = True,
) -> list[Notification]:
    """Write ``message`` to the inbox of each (organisation, roles) and e-mail the persons who
    want it at once. With a ``key``, an entry that exists already is not written again, and
    nobody is e-mailed for it (reminders: projects/reminders.py)."""
    now = timezone.now()
    written: list[Notification] = []
    for org, roles in addressed:
        for role in sorted(set(roles)):
            row = Notification(
                organisation=org,
                role=role,
                kind=message.kind,
                title=message.title[:300],
                body=message.body,
                article=message.article,
                url=message.url,
                project=message.project,
                plan=message.plan,
                key=message.key,
                created_at=now,
            )
            if message.key:
                try:
                    with transaction.atomic():
                        row.save()
                except IntegrityError:
                    continue
            else:
                row.save()
            written.append(row)
    if not email or not written:
        return written
    people = list(recipients([(n.organisation_id, n.role) for n in written], exclude=actor))
    # Issue 12 (代办): the substitutes in force today of those addressed are e-mailed too.
    seen = {u.pk for u in people} | {getattr(actor, "pk", None)}
    for substitutes in acting.substitutes_of(people).values():
        for substitute in substitutes:
            if substitute.pk not in seen:
                seen.add(substitute.pk)
                people.append(substitute)
    send_later([email_for(user, message) for user in people if wants_now(user, message.kind)])
    return written


# ---------------------------------------------------------------- events


def _addressed(orgs: Iterable[Organisation]) -> list[tuple[Organisation, frozenset[str]]]:
    return [(org, acting_roles(org.kind)) for org in orgs]


def on_step(obj: Any, action: str, *, actor: Any, entry: AuditEntry, data: dict[str, Any]) -> None:
    """React to a step (lifecycle.events.step_taken): who must act now, and who is told —
    the organisations whose queue now holds the matter (e.g. the agencies of the joint review,
    办法第十条); the department when asked to correct (陈述和补正, 办法第十、十八条) and of
    every decision on its project; the department and the bureau of an opinion (办法第十、
    十二、二十九条)."""
    subject: Any = data.get("incident") if action == Action.INCIDENT_REPORTED else obj
    project = _project_of(obj)
    plan = obj if isinstance(obj, AnnualPlan) else None
    name = subject_name(obj)
    actor_org = getattr(actor, "organisation_id", None)
    step = entry.action_label
    common: dict[str, Any] = {
        "article": entry.article,
        "url": link_for(obj),
        "project": project,
        "plan": plan,
    }
    told: set[int] = {actor_org} if actor_org else set()
    if action == Action.OPINION_GIVEN and project is not None:
        # 办法第十、十二、二十九条: an opinion tells the department and the bureau.
        opinion = data.get("opinion")
        who = getattr(getattr(actor, "organisation", None), "name", "")
        message = Message(
            kind=NotificationKind.OPINION,
            title=_("%(subject)s：%(organisation)s出具了%(opinion)s")
            % {
                "subject": name,
                "organisation": who,
                "opinion": str(opinion) if opinion is not None else step,
            },
            body=getattr(opinion, "text", "") or "",
            **common,
        )
        orgs = [project.owner, *Organisation.objects.filter(kind=OrgKind.BUREAU)]
        notify(message, _addressed(o for o in orgs if o.pk not in told), actor=actor)
        return
    moved = entry.from_state != entry.to_state
    if not moved and action != Action.INCIDENT_REPORTED:
        return
    arrivals = [org for org in acting_organisations(subject) if org.pk not in told]
    for org in arrivals:
        correction = (
            project is not None and org.pk == project.owner_id and entry.to_state in CORRECTION_STATES
        )
        kind = NotificationKind.CORRECTION if correction else NotificationKind.ARRIVED
        title = (
            _("%(subject)s：需要补正（%(step)s）") if correction else _("%(subject)s：%(step)s，待本单位办理")
        ) % {"subject": name, "step": step}
        notify(Message(kind=kind, title=title, body=entry.reason, **common), _addressed([org]), actor=actor)
        told.add(org.pk)
    if moved and project is not None and project.owner_id not in told:
        # The department is told every decision another organisation takes on its project.
        message = Message(
            kind=NotificationKind.DECIDED,
            title=_("%(subject)s：%(step)s") % {"subject": name, "step": step},
            body=entry.reason,
            **common,
        )
        notify(message, _addressed([project.owner]), actor=actor)


@receiver(step_taken, dispatch_uid="projects.notifications.on_step")
def _step_taken(
    sender: Any, *, obj: Any, action: str, actor: Any, entry: AuditEntry, data: dict, **kw: Any
) -> None:
    on_step(obj, action, actor=actor, entry=entry, data=data)


def filing_issued(filing: Any, *, actor: Any, article: str) -> list[Notification]:
    """A letter or form (文书) was issued after its step (e.g. the 申报表 of 办法第九条, the
    联合审核意见书 of 办法第十条): the project's department and the bureau are told, except
    the issuer's own organisation (called by documents/filings.py ``generate``; ``article`` is
    the filing's own)."""
    subject: Any = filing.project or filing.plan
    project = filing.project
    orgs: dict[int, Organisation] = {}
    if project is not None:
        orgs[project.owner_id] = project.owner
    for org in Organisation.objects.filter(kind=OrgKind.BUREAU):
        orgs[org.pk] = org
    actor_org = getattr(actor, "organisation_id", None)
    message = Message(
        kind=NotificationKind.FILING,
        title=_("%(subject)s：已出具%(filing)s %(number)s")
        % {
            "subject": subject_name(subject),
            "filing": filing.get_kind_display(),
            "number": filing.document_no or "",
        },
        article=article,
        url=link_for(subject),
        project=project,
        plan=filing.plan,
    )
    return notify(message, _addressed(o for pk, o in orgs.items() if pk != actor_org), actor=actor)


# ---------------------------------------------------------------- reading


def _read_by(user: User) -> Exists:
    return Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user_id=user.pk))


def inbox(user: User) -> QuerySet[Notification]:
    """The entries addressed to ``user``'s organisation and role, newest first, each with
    ``is_read`` for this person."""
    if not user.organisation_id:
        return Notification.objects.none()
    # Issue 12 (代办): a substitute reads the delegator's role's entries while in force.
    roles = Q(role=user.role) | Q(role__in=acting.lent_roles(user))
    return Notification.objects.filter(roles, organisation_id=user.organisation_id).annotate(
        is_read=_read_by(user)
    )


def unread(user: User) -> QuerySet[Notification]:
    """The entries addressed to ``user`` that they have not read."""
    return inbox(user).filter(~_read_by(user))


#: The SQL of the header's unread count by (database, person, organisation, role, day):
#: everything ``unread`` builds it from. Building the query was a millisecond and a half of
#: every page (issue 10); counting is a fraction of that.
_UNREAD_SQL = KeptSQL(4096)


def unread_count(user: User) -> int:
    """One query (the header's badge), or none when the page sent it with its own queries
    (``unread_ask(remember=True)``): that answer is read once, then forgotten."""
    remembered = getattr(user, _REMEMBERED, None)
    if remembered is not None:
        delattr(user, _REMEMBERED)
    if remembered is not None and remembered[0] == _unread_key(user):
        return int(remembered[1])
    (count,) = together([unread_ask(user)])
    return int(count)


#: Where ``unread_ask(remember=True)`` leaves its answer on the person object, with its key.
_REMEMBERED = "_unread_count"


def _unread_key(user: User) -> tuple[Any, ...]:
    return (Notification.objects.db, user.pk, user.organisation_id, user.role, timeutil.today())


def unread_ask(user: User, *, remember: bool = False) -> Ask:
    """``unread_count`` as an ``Ask``, to send with a page's other queries (issue 10: the home
    page's, core.kept_sql.together). ``remember``: leave the answer on the person object for
    the header's next ``unread_count``."""
    if not user.organisation_id:
        return answered(0)
    key = _unread_key(user)
    count = Func(F("pk"), function="COUNT", output_field=IntegerField())
    ask = _UNREAD_SQL.ask(key[0], key, lambda: compiled(unread(user).order_by().values(n=count)))

    def finish(rows: list[tuple[Any, ...]]) -> int:
        n = int(rows[0][0] or 0) if rows else 0
        if remember:
            setattr(user, _REMEMBERED, (key, n))
        return n

    return then(ask, finish)


def notification_for(user: User, pk: int) -> Notification | None:
    """The entry ``pk`` if it is addressed to ``user`` (None otherwise: the view answers 404)."""
    return inbox(user).filter(pk=pk).first()


# ---------------------------------------------------------------- audited writes


def mark_read(user: User, notifications: Iterable[Notification]) -> int:
    """Mark entries read for ``user`` (only entries addressed to them); audited
    (``notification.read``). Returns the number newly marked."""
    mine = list(unread(user).filter(pk__in=[n.pk for n in notifications]))
    if not mine:
        return 0
    now = timezone.now()
    with transaction.atomic():
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification=n, user=user, read_at=now) for n in mine], ignore_conflicts=True
        )
        audit.record(
            actor=user,
            action="notification.read",
            obj=mine[0] if len(mine) == 1 else user,
            label=_("通知标为已读（%(n)s条）") % {"n": len(mine)},
            data={"notifications": [n.pk for n in mine]},
        )
    return len(mine)


def mark_all_read(user: User) -> int:
    return mark_read(user, unread(user))


def preferences_save(user: User, *, email_kinds: Iterable[str], delivery: str) -> NotificationPreference:
    """Save which kinds reach ``user`` by e-mail and how; audited (``notification.preferences``)."""
    kinds = [k for k in NotificationKind.values if k in set(email_kinds)]
    if delivery not in Delivery.values:
        raise ValueError(delivery)
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        before = {"email_kinds": pref.email_kinds, "delivery": pref.delivery}
        pref.email_kinds, pref.delivery = kinds, delivery
        pref.save(update_fields=["email_kinds", "delivery"])
        audit.record(
            actor=user,
            action="notification.preferences",
            obj=pref,
            label=_("修改通知设置"),
            data={"before": before, "after": {"email_kinds": kinds, "delivery": delivery}},
        )
    return pref


def feed_digest(token: str) -> str:
    """What is stored of a calendar feed's secret: its SHA-256, never the secret itself (as
    for API tokens, api/models.py), so that a copy of the database opens no one's feed."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_regenerate(user: User) -> str:
    """A new secret for ``user``'s calendar feed; the old address stops working. Audited.
    Only its digest is kept: the address is shown once, when it is made."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        had = bool(pref.feed_token)
        pref.feed_token = feed_digest(token)
        pref.save(update_fields=["feed_token"])
        audit.record(
            actor=user,
            action="notification.feed_token",
            obj=pref,
            label=_("重新生成日历订阅地址") if had else _("生成日历订阅地址"),
        )
    return token


def feed_token_revoke(user: User) -> None:
    """Revoke ``user``'s calendar feed: its address answers 404 from now on. Audited."""
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if not pref.feed_token:
            return
        pref.feed_token = None
        pref.save(update_fields=["feed_token"])
        audit.record(actor=user, action="notification.feed_revoked", obj=pref, label=_("停用日历订阅地址"))


def feed_owner(token: str) -> User | None:
    """The person whose feed ``token`` opens (active, still with an organisation), or None."""
    if not token or len(token) > 64:
        return None
    pref = (
        NotificationPreference.objects.filter(feed_token=feed_digest(token), user__is_active=True)
        .select_related("user", "user__organisation")
        .first()
    )
    return pref.user if pref is not None else None


# ---------------------------------------------------------------- daily digest


def send_digests(now: Any = None) -> int:
    """Once a day, one e-mail per person who chose the digest, listing the entries of the kinds
    they chose that came since the last digest and are still unread. Sent once a day even
    when two jobs run at once (a conditional UPDATE decides who sends). Returns the mails."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due = NotificationPreference.objects.filter(delivery=Delivery.DIGEST).filter(
        Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lt=start_of_day)
    )
    messages = []
    for pref in due.select_related("user"):
        user = pref.user
        if not (user.is_active and user.email):
            continue
        claimed = NotificationPreference.objects.filter(
            pk=pref.pk, digest_sent_at=pref.digest_sent_at
        ).update(digest_sent_at=now)
        if not claimed:
            continue  # another job sent it
        since = pref.digest_sent_at or (now - datetime.timedelta(days=1))
        items = list(
            unread(user).filter(created_at__gt=since, kind__in=pref.email_kinds).order_by("created_at")
        )
        if not items:
            continue
        body = "\n".join(f"· {n.title}（{n.created_at:%Y-%m-%d}）{absolute(n.url)}" for n in items)
        messages.append(
            mail.EmailMessage(
                subject=_("【信息化项目管理】每日通知汇总（%(n)s条）") % {"n": len(items)},
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
            )
        )
    send_later(messages)
    return len(messages)
